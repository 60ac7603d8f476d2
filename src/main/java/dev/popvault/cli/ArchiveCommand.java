package dev.popvault.cli;

import static dev.popvault.config.Setting.BATCH_SIZE;
import static dev.popvault.config.Setting.CHECKPOINT;
import static dev.popvault.config.Setting.CODEC;
import static dev.popvault.config.Setting.DELETE;
import static dev.popvault.config.Setting.JSON;
import static dev.popvault.config.Setting.KEEP_DAYS;
import static dev.popvault.config.Setting.MAX_BYTES;
import static dev.popvault.config.Setting.MAX_MESSAGES;
import static dev.popvault.config.Setting.MAX_SIZE;
import static dev.popvault.config.Setting.METRICS_FILE;
import static dev.popvault.config.Setting.NO_UIDL;
import static dev.popvault.config.Setting.PARALLEL;
import static dev.popvault.config.Setting.UNTIL_DONE;

import dev.popvault.config.AccountConfig;
import dev.popvault.config.ConfigException;
import dev.popvault.config.ConfigFile;
import dev.popvault.config.RunSettings;
import dev.popvault.config.Setting;
import dev.popvault.core.Selection;
import dev.popvault.core.StopRequest;
import java.io.PrintWriter;
import java.time.Clock;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * Archives new messages of one or more mailboxes; with {@code --delete}, removes what is safely
 * archived.
 */
@Command(
    name = "archive",
    mixinStandardHelpOptions = true,
    modelTransformer = SettingOptions.class,
    description = {
      "Download every message not yet in the ledger, append it to the compressed mbox archive, force it to disk,"
          + " re-read and verify it, record it in the ledger, and only then (with --delete) delete it from the"
          + " server. Without arguments, archives every account of the accounts file. The selectors"
          + " (--uidl, --number, --larger-than, --older-than, --archived-before, --from, --subject)"
          + " limit the run to the messages they name; the others are neither fetched nor deleted."
    },
    footerHeading = "%nExamples:%n",
    footer = {
      "  popvault archive pop3s://alice@mail.example.com --password-file ~/.pw",
      "  popvault archive pop3s://alice@mail.example.com --password-file ~/.pw --delete",
      "  popvault archive work --keep-days 30   (delete 30 days after archiving)",
      "  popvault archive                 (every account in config.toml)",
      "  popvault archive work home -q    (two accounts, quiet, for cron)",
      "  popvault archive work --from boss@example.com   (only these; the rest stay unread)",
      "",
      "Exit codes:",
      ExitCodeTable.TEXT
    })
final class ArchiveCommand implements Callable<Integer>, SettingOptions.Taker {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Mixin CommonOptions common;

  @Mixin ConnectionOptions connection;

  @Mixin SelectorOptions selectors;

  @Parameters(
      arity = "0..*",
      paramLabel = "ACCOUNT|URL",
      description =
          "Account names from the accounts file, or URLs: pop3s://USER@HOST[:PORT] (TLS, port 995) or"
              + " pop3://USER@HOST[:PORT] (STLS, port 110).")
  List<String> targets = new ArrayList<>();

  @Override
  public Set<Setting> settings() {
    return SettingOptions.of(
        SettingOptions.COMMON,
        SettingOptions.LOGIN,
        SettingOptions.TRUST,
        EnumSet.of(
            CODEC,
            DELETE,
            KEEP_DAYS,
            MAX_SIZE,
            MAX_MESSAGES,
            MAX_BYTES,
            CHECKPOINT,
            UNTIL_DONE,
            NO_UIDL,
            BATCH_SIZE,
            PARALLEL,
            JSON,
            METRICS_FILE));
  }

  @Override
  public Integer call() throws ConfigException {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    ConfigFile file = common.configFile();
    RunSettings run = common.run(file);
    List<AccountConfig> accounts = AccountSetup.resolve(file, targets, common.commandLine());
    Selection selection = selectors.selection(Clock.systemUTC());
    if (!selection.numbers().isEmpty()
        && accounts.stream()
            .anyMatch(a -> a.checkpoint() != null || a.untilDone() || accounts.size() > 1)) {
      throw new ConfigException(
          "--number names a message of one session of one mailbox: give one account, without"
              + " checkpoint or until-done (--uidl names a message in any session)",
          true);
    }
    boolean json = Boolean.TRUE.equals(SettingOptions.given(spec, JSON));
    StopRequest stop = Signals.installStopHandlers();
    Progress progress = Progress.forTerminal(err, common.quiet() || json);
    List<AccountOutcome> outcomes =
        AccountRunner.runAll(
            accounts,
            run.parallel(),
            stop,
            account ->
                AccountSetup.newRun(
                        account, common, connection.pipelineWindow, stop, err, Clock.systemUTC())
                    .withSelection(selection)
                    .withProgress(progress.forAccount(account.name())),
            progress);
    int exitCode = AccountOutcome.combinedExitCode(outcomes);
    Reports.print(outcomes, exitCode, accounts.size() > 1, common.quiet(), json, out, err);
    if (run.metricsFile() != null) {
      Reports.writeMetrics(run.metricsFile(), outcomes, accounts, Clock.systemUTC());
    }
    return exitCode;
  }
}
