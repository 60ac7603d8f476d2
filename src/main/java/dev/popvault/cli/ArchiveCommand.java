package dev.popvault.cli;

import dev.popvault.config.AccountConfig;
import dev.popvault.config.ConfigException;
import dev.popvault.config.ConfigFile;
import dev.popvault.config.ConfigFile.Setting;
import dev.popvault.core.ExitCode;
import dev.popvault.core.PopvaultException;
import dev.popvault.core.StopRequest;
import java.io.PrintWriter;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * Archives new messages of one or more mailboxes; with {@code --delete}, removes what is safely
 * archived.
 */
@Command(
    name = "archive",
    mixinStandardHelpOptions = true,
    description = {
      "Download every message not yet in the ledger, append it to the compressed mbox archive, force it to disk,"
          + " re-read and verify it, record it in the ledger, and only then (with --delete) delete it from the"
          + " server. Without arguments, archives every account of the accounts file."
    },
    footerHeading = "%nExamples:%n",
    footer = {
      "  popvault archive pop3s://alice@mail.example.com --password-file ~/.pw",
      "  popvault archive pop3s://alice@mail.example.com --password-file ~/.pw --delete",
      "  popvault archive                 (every account in config.toml)",
      "  popvault archive work home -q    (two accounts, quiet, for cron)",
      "",
      "Exit codes:",
      ExitCodeTable.TEXT
    })
final class ArchiveCommand implements Callable<Integer> {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Mixin CommonOptions common;

  @Mixin ConnectionOptions connection;

  @Parameters(
      arity = "0..*",
      paramLabel = "ACCOUNT|URL",
      description =
          "Account names from the accounts file, or URLs: pop3s://USER@HOST[:PORT] (TLS, port 995) or"
              + " pop3://USER@HOST[:PORT] (STLS, port 110).")
  List<String> targets = new ArrayList<>();

  @Option(
      names = "--account",
      paramLabel = "NAME",
      description =
          "Name of the account in the ledger and archive (one URL or account only). Default: the"
              + " account that already archives USER@HOST:PORT, else USER@HOST. A mailbox archived"
              + " under one name is refused under another (see popvault rename). Naming the"
              + " account of the same USER@HOST on another port moves it to that port.")
  String accountName;

  @Option(
      names = "--codec",
      paramLabel = "CODEC",
      description =
          "zstd, gzip, xz or none. Default: the codec of the account's current archive file, so"
              + " the month's file continues; zstd for a new account. Another codec starts a new"
              + " file.")
  String codec;

  @Option(
      names = "--delete",
      negatable = true,
      description =
          "Delete from the server the messages whose archived copy was read back intact in this run:"
              + " new ones once verified, older ones after re-reading their frames. A damaged copy is"
              + " fetched again and its file repaired first; nothing unreadable is ever deleted.")
  Boolean delete;

  @Option(
      names = "--batch-size",
      paramLabel = "N",
      description = "Verify and commit after every N messages (or 32 MiB). Default: 500.")
  Integer batchSize;

  @Option(
      names = "--parallel",
      paramLabel = "N",
      defaultValue = "1",
      description = "Run N accounts at once. Default: 1.")
  int parallel;

  @Mixin ReportOptions report;

  @Override
  public Integer call() throws ConfigException {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    if (parallel < 1) {
      throw new PopvaultException(ExitCode.USAGE, "--parallel must be at least 1");
    }
    ConfigFile file = common.configFile();
    List<AccountConfig> accounts =
        AccountSetup.resolve(file, common, targets, accountName, commandLineLayer());
    StopRequest stop = Signals.installStopHandlers();
    Progress progress = Progress.forTerminal(err, common.quiet || report.json);
    List<AccountOutcome> outcomes =
        AccountRunner.runAll(
            accounts,
            parallel,
            stop,
            account ->
                AccountSetup.newRun(
                        account, common, connection.pipelineWindow, stop, err, Clock.systemUTC())
                    .withProgress(progress.forAccount(account.name())),
            progress);
    int exitCode = AccountOutcome.combinedExitCode(outcomes);
    Reports.print(outcomes, exitCode, accounts.size() > 1, common.quiet, report.json, out, err);
    if (report.metricsFile != null) {
      Reports.writeMetrics(report.metricsFile, outcomes, accounts, Clock.systemUTC());
    }
    return exitCode;
  }

  /** Collects the options given on the command line; they override the accounts file. */
  private Map<String, Setting> commandLineLayer() {
    Map<String, Setting> layer = new LinkedHashMap<>();
    connection.addTo(layer);
    AccountSetup.put(layer, "archive-dir", common.archiveDir);
    AccountSetup.put(layer, "ledger", common.ledger);
    AccountSetup.put(layer, "codec", codec);
    AccountSetup.put(layer, "delete", delete);
    AccountSetup.put(layer, "batch-size", batchSize == null ? null : batchSize.longValue());
    return layer;
  }
}
