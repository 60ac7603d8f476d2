package dev.popvault.cli;

import static dev.popvault.config.Setting.DELETE;
import static dev.popvault.config.Setting.JSON;
import static dev.popvault.config.Setting.KEEP_DAYS;
import static dev.popvault.config.Setting.MAX_SIZE;
import static dev.popvault.config.Setting.NO_UIDL;

import dev.popvault.config.AccountConfig;
import dev.popvault.config.ConfigException;
import dev.popvault.config.Setting;
import dev.popvault.core.AccountRuns;
import dev.popvault.core.ExitCode;
import dev.popvault.core.Selection;
import dev.popvault.core.ServerList;
import java.io.PrintWriter;
import java.time.Clock;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** Lists what the server holds, with what this machine knows of each message. */
@Command(
    name = "list",
    mixinStandardHelpOptions = true,
    modelTransformer = SettingOptions.class,
    description = {
      "Show the messages on the server without downloading them: number, UIDL, size, and the Date, From and"
          + " Subject headers (read with TOP n 0, which marks nothing as read), with their state here: archived"
          + " (and when), due (archived and due for deletion by the account's delete or keep-days policy),"
          + " too big (new, but larger than max-size: archive skips it) or new. A server without TOP shows sizes and UIDLs only. The selectors of delete"
          + " (--uidl, --number, --larger-than, --older-than, --archived-before, --from, --subject)"
          + " filter the rows. Nothing is fetched or deleted."
    },
    footerHeading = "%nExamples:%n",
    footer = {
      "  popvault list work",
      "  popvault list pop3s://alice@mail.example.com --sort size --reverse --limit 10",
      "  popvault list work --json | jq '.messages[] | select(.state == \"new\")'",
      "  popvault list work --larger-than 10M --older-than 1y",
      "",
      "With --json: one object {\"messages\": [{number, uidl, size, date, date_epoch_ms, from, subject,"
          + " state, archived_at}], \"account\", \"headers\", \"total\": {messages, bytes, archived, due}}.",
      "",
      "Exit codes:",
      ExitCodeTable.TEXT
    })
final class ListCommand implements Callable<Integer>, SettingOptions.Taker {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Mixin CommonOptions common;

  @Mixin ConnectionOptions connection;

  @Mixin SelectorOptions selectors;

  @Parameters(
      paramLabel = "ACCOUNT|URL",
      description =
          "An account of the accounts file, or pop3s://USER@HOST[:PORT] or pop3://USER@HOST[:PORT].")
  String target;

  @Option(
      names = "--sort",
      paramLabel = "KEY",
      description =
          "Order of the rows: ${COMPLETION-CANDIDATES} (default: number, the server's order).",
      completionCandidates = SortKeys.class)
  String sort = "number";

  @Option(names = "--reverse", description = "Reverse the order (largest, newest or last first).")
  boolean reverse;

  @Option(
      names = "--limit",
      paramLabel = "N",
      description = "Show only the first N rows of the order (0: all, the default).")
  int limit;

  @Override
  public Set<Setting> settings() {
    return SettingOptions.of(
        SettingOptions.COMMON,
        SettingOptions.LOGIN,
        SettingOptions.TRUST,
        EnumSet.of(DELETE, KEEP_DAYS, MAX_SIZE, NO_UIDL, JSON));
  }

  @Override
  public Integer call() throws ConfigException {
    if (limit < 0) {
      throw new ConfigException("--limit must be 0 or more, not " + limit, true);
    }
    ServerList.Order order = SortKeys.parse(sort);
    Clock clock = Clock.systemUTC();
    Selection selection = selectors.selection(clock);
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    AccountConfig account =
        AccountSetup.resolveOne(common.configFile(), target, common.commandLine());
    boolean json = Boolean.TRUE.equals(SettingOptions.given(spec, JSON));
    ListingOutput output = json ? ListingOutput.json(out) : ListingOutput.table(out);
    ServerList.Summary summary =
        AccountRuns.serverList(
                account,
                connection.pipelineWindow,
                clock,
                common.dialogueLog(err),
                note -> common.notice(err, note),
                common.info(err))
            .run(selection, order, reverse, limit, output::row);
    output.finish(summary);
    if (!summary.headers() && !json) {
      common.notice(
          err,
          "the server does not offer TOP: Date, From and Subject are unavailable (shown as -)");
    }
    if (!json && !common.quiet()) {
      out.println(
          String.format(
              Locale.ROOT,
              "%s: %d %s, %s on the server; %d archived here%s, %d new",
              summary.account(),
              summary.messages(),
              summary.messages() == 1 ? "message" : "messages",
              ListingOutput.humanSize(summary.bytes()),
              summary.archived(),
              summary.due() > 0 ? " (" + summary.due() + " due for deletion)" : "",
              summary.messages() - summary.archived()));
    }
    out.flush();
    return ExitCode.OK;
  }
}
