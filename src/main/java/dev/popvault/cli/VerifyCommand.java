package dev.popvault.cli;

import dev.popvault.config.AccountConfig;
import dev.popvault.config.ConfigException;
import dev.popvault.config.ConfigFile;
import dev.popvault.config.ConfigFile.Value;
import dev.popvault.config.RunSettings;
import dev.popvault.config.Setting;
import dev.popvault.core.ExitCode;
import dev.popvault.core.PopvaultException;
import dev.popvault.core.VerifyRun;
import java.io.PrintWriter;
import java.time.Clock;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
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
    modelTransformer = SettingOptions.class,
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
final class VerifyCommand implements Callable<Integer>, SettingOptions.Taker {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Mixin CommonOptions common;

  @Mixin ConnectionOptions connection;

  @Parameters(
      arity = "0..*",
      paramLabel = "ACCOUNT|URL",
      description =
          "Accounts to check (default: all in the ledger, and every account of the accounts file"
              + " in its own archive-dir and ledger). With --repair, a URL names the server of an"
              + " account that is not in the accounts file (its ledger name is USER@HOST).")
  List<String> targets = new ArrayList<>();

  @Option(
      names = "--repair",
      description =
          "Repair damaged archives from the server (fetch again, rewrite the file); never deletes.")
  boolean repair;

  @Override
  public Set<Setting> settings() {
    return SettingOptions.of(
        SettingOptions.COMMON,
        SettingOptions.LOGIN,
        SettingOptions.TRUST,
        EnumSet.of(Setting.JSON, Setting.METRICS_FILE));
  }

  @Override
  public Integer call() throws ConfigException {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    ConfigFile file = common.configFile();
    Map<String, Value> commandLine = common.commandLine();
    RunSettings run = common.run(file);
    if (commandLine.containsKey(Setting.ACCOUNT.key()) && targets.size() != 1) {
      throw new PopvaultException(ExitCode.USAGE, "--account names one account (with --repair)");
    }
    VerifyPlaces places =
        new VerifyPlaces(new VerifyPlaces.Place(run.archiveDir(), CommonOptions.ledger(run)));
    Map<String, AccountConfig> servers = new LinkedHashMap<>();
    if (targets.isEmpty()) {
      places.everything();
    }
    for (String target : targets.isEmpty() ? file.accounts().keySet() : targets) {
      if (target.contains("://") && !repair) {
        throw new PopvaultException(
            ExitCode.USAGE, "verify takes account names; a URL only with --repair: " + target);
      }
      if (target.contains("://") || file.accounts().containsKey(target)) {
        AccountConfig account = AccountSetup.resolveOne(file, target, commandLine);
        servers.put(account.name(), account);
        places.add(account);
      } else {
        places.add(target);
      }
    }
    VerifyRun.Outcome outcome = places.execute(note -> common.notice(err, note));
    VerifyOutput.problems(outcome, err);
    boolean lost = false;
    if (repair && !outcome.damagedAccounts().isEmpty()) {
      lost =
          RepairPass.repair(
                  outcome.damagedAccounts(),
                  servers::get,
                  common,
                  connection.pipelineWindow,
                  out,
                  err)
              > 0;
      outcome = places.execute(note -> common.notice(err, note));
      VerifyOutput.problems(outcome, err);
    }
    boolean json = Boolean.TRUE.equals(SettingOptions.given(spec, Setting.JSON));
    int code = VerifyOutput.summary(outcome, lost, json, common.quiet(), out);
    if (run.metricsFile() != null) {
      Reports.writeVerifyMetrics(run.metricsFile(), outcome, Clock.systemUTC());
    }
    return code;
  }
}
