package dev.popvault.cli;

import static dev.popvault.config.Setting.JSON;
import static dev.popvault.config.Setting.NO_UIDL;

import dev.popvault.config.AccountConfig;
import dev.popvault.config.ConfigException;
import dev.popvault.config.Setting;
import dev.popvault.core.AccountRuns;
import dev.popvault.core.Selection;
import dev.popvault.core.ServerDelete;
import java.io.PrintWriter;
import java.time.Clock;
import java.util.EnumSet;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** Deletes chosen messages from the server, through the deletion gate. */
@Command(
    name = "delete",
    mixinStandardHelpOptions = true,
    modelTransformer = SettingOptions.class,
    description = {
      "Delete chosen messages from the server. By default only archived messages go, and each one only"
          + " after its archived copy was read back from disk and matched its SHA-256 in this run (a"
          + " damaged copy is fetched again first). Selectors: --uidl and --number name messages; every"
          + " other selector given must also hold. The server deletes when it answers QUIT; the"
          + " ledger then records what it confirmed."
    },
    footerHeading = "%nExamples:%n",
    footer = {
      "  popvault delete work --larger-than 20M --dry-run",
      "  popvault delete work --archived-before 90d",
      "  popvault delete work --from newsletter@example.com --older-than 30d",
      "  popvault delete work --number 3:AAAB12 --unarchived-too   (asks on the terminal)",
      "",
      "With --json: one object {\"messages\": [{number, uidl, size, date, from, subject, archived_at,"
          + " fate}], \"account\", \"dry_run\", \"declined\", \"total\": {listed, chosen, deleted,"
          + " deleted_unarchived, bytes_deleted}}; fate is deleted, deleted_unarchived,"
          + " kept_unarchived, kept_unverified or kept.",
      "",
      "Exit codes:",
      ExitCodeTable.TEXT
    })
final class DeleteCommand implements Callable<Integer>, SettingOptions.Taker {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Mixin CommonOptions common;

  @Mixin ConnectionOptions connection;

  @Mixin SelectorOptions selectors;

  @Parameters(
      paramLabel = "ACCOUNT|URL",
      description =
          "An account of the accounts file, or pop3s://USER@HOST[:PORT] or pop3://USER@HOST[:PORT].")
  String target;

  @Option(names = "--all", description = "Choose every message (archived ones only, by default).")
  boolean all;

  @Option(
      names = "--dry-run",
      description = "Show what would be deleted; delete nothing and read no archive.")
  boolean dryRun;

  @Option(
      names = "--unarchived-too",
      description =
          "Also delete chosen messages that have no archived copy here, after listing them and"
              + " asking on the terminal (without a terminal, --yes is needed).")
  boolean unarchivedToo;

  @Option(names = "--yes", description = "Do not ask: confirms --unarchived-too ahead.")
  boolean yes;

  @Override
  public Set<Setting> settings() {
    return SettingOptions.of(
        SettingOptions.COMMON,
        SettingOptions.LOGIN,
        SettingOptions.TRUST,
        EnumSet.of(NO_UIDL, JSON));
  }

  @Override
  public Integer call() throws ConfigException {
    Selection selection = selectors.selection(Clock.systemUTC());
    if (selection.isAll() != all) {
      throw new ConfigException(
          all
              ? "--all chooses every message: give it without other selectors"
              : "say which messages to delete: --uidl, --number, --larger-than, --older-than,"
                  + " --archived-before, --from, --subject, or --all",
          true);
    }
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    AccountConfig account =
        AccountSetup.resolveOne(common.configFile(), target, common.commandLine());
    boolean json = Boolean.TRUE.equals(SettingOptions.given(spec, JSON));
    DeletionOutput output = json ? DeletionOutput.json(out) : DeletionOutput.table(out, dryRun);
    ServerDelete.Report report =
        AccountRuns.serverDelete(
                account,
                connection.pipelineWindow,
                Clock.systemUTC(),
                common.dialogueLog(err),
                Signals.installStopHandlers(),
                note -> common.notice(err, note),
                common.info(err))
            .run(selection, dryRun, unarchivedToo, new UnarchivedConfirmation(yes), output::row);
    output.finish(report);
    if (!json && !common.quiet()) {
      out.println(DeletionOutput.summary(report));
    }
    out.flush();
    return DeletionOutput.exitCode(report);
  }
}
