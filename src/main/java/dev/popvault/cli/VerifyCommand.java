package dev.popvault.cli;

import dev.popvault.config.AccountConfig;
import dev.popvault.config.ConfigException;
import dev.popvault.config.ConfigFile;
import dev.popvault.config.ConfigFile.Setting;
import dev.popvault.core.ExitCode;
import dev.popvault.core.PopvaultException;
import dev.popvault.core.VerifyRun;
import java.io.PrintWriter;
import java.nio.file.Path;
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

/** Re-reads archives and checks every message against the ledger; repairs them on request. */
@Command(
    name = "verify",
    mixinStandardHelpOptions = true,
    description = {
      "Decode every archive frame from disk and check each message's SHA-256 and length against the ledger."
          + " Exits 65 on any mismatch, naming the file, frame and message.",
      "",
      "With --repair, each damaged account is then repaired: its server is contacted (as archive would,"
          + " with the same options and accounts-file settings), every message of a damaged frame that the"
          + " server still has is fetched again, the damaged file is rewritten from its intact frames plus the"
          + " fresh copies (forced, re-read, renamed into place; the damaged original is kept beside it as"
          + " FILE.damaged-TIME), and the ledger is updated in one transaction. Nothing is deleted from the"
          + " server. Messages that are gone from the server but still decode intact are kept; the others are"
          + " listed by UIDL, Message-ID, Date, From and Subject and recorded as lost (exit 65)."
    },
    footerHeading = "%nExamples:%n",
    footer = {
      "  popvault verify",
      "  popvault verify alice@mail.example.com --archive-dir ~/mail",
      "  popvault verify --repair work                 (an account of the accounts file)",
      "  popvault verify --repair pop3s://alice@mail.example.com --password-file ~/.pw",
      "",
      "Exit codes:",
      ExitCodeTable.TEXT
    })
final class VerifyCommand implements Callable<Integer> {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Mixin CommonOptions common;

  @Mixin ConnectionOptions connection;

  @Parameters(
      arity = "0..*",
      paramLabel = "ACCOUNT|URL",
      description =
          "Accounts to check (default: all in the ledger). With --repair, a URL names the server of"
              + " an account that is not in the accounts file (its ledger name is USER@HOST).")
  List<String> targets = new ArrayList<>();

  @Option(
      names = "--repair",
      description =
          "Repair damaged archives from the server (fetch again, rewrite the file); never deletes.")
  boolean repair;

  @Option(
      names = "--account",
      paramLabel = "NAME",
      description =
          "With --repair and one URL: the account's name in the ledger (default USER@HOST).")
  String accountName;

  @Override
  public Integer call() throws ConfigException {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    ConfigFile file = common.configFile();
    Path archiveDir = common.archiveDir(file);
    Path ledger = common.ledger(file, archiveDir);
    Map<String, AccountConfig> servers = new LinkedHashMap<>();
    List<String> names = new ArrayList<>();
    for (String target : targets) {
      if (!target.contains("://")) {
        names.add(target);
        continue;
      }
      if (!repair) {
        throw new PopvaultException(
            ExitCode.USAGE, "verify takes account names; a URL only with --repair: " + target);
      }
      AccountConfig account = server(file, target, accountName);
      servers.put(account.name(), account);
      names.add(account.name());
    }
    VerifyRun.Outcome outcome =
        new VerifyRun(archiveDir, ledger, note -> common.notice(err, note)).execute(names);
    report(outcome, err);
    if (!repair || outcome.damagedAccounts().isEmpty()) {
      return summarize(outcome, out);
    }
    int lost =
        RepairPass.repair(
            outcome.damagedAccounts(),
            name ->
                servers.containsKey(name)
                    ? servers.get(name)
                    : file.accounts().containsKey(name) ? server(file, name, null) : null,
            common,
            connection.pipelineWindow,
            out,
            err);
    VerifyRun.Outcome after =
        new VerifyRun(archiveDir, ledger, note -> common.notice(err, note)).execute(names);
    report(after, err);
    int code = summarize(after, out);
    return code != ExitCode.OK ? code : lost > 0 ? ExitCode.DATA_ERROR : ExitCode.OK;
  }

  /** Resolves one account (name or URL) with the accounts file and this command's options. */
  private AccountConfig server(ConfigFile file, String target, String name) throws ConfigException {
    Map<String, Setting> layer = new LinkedHashMap<>();
    connection.addTo(layer);
    AccountSetup.put(layer, "archive-dir", common.archiveDir);
    AccountSetup.put(layer, "ledger", common.ledger);
    return AccountSetup.resolve(file, common, List.of(target), name, layer).get(0);
  }

  private static void report(VerifyRun.Outcome outcome, PrintWriter err) {
    for (String problem : outcome.problems()) {
      err.println("popvault: " + problem);
    }
    for (String note : outcome.notes()) {
      err.println("popvault: " + note);
    }
    err.flush();
  }

  private int summarize(VerifyRun.Outcome outcome, PrintWriter out) {
    if (!common.quiet || !outcome.ok()) {
      out.println(outcome.summaryLine());
      out.flush();
    }
    return outcome.ok() ? ExitCode.OK : ExitCode.DATA_ERROR;
  }
}
