package dev.popvault.cli;

import static dev.popvault.config.Setting.JSON;

import dev.popvault.config.ConfigException;
import dev.popvault.config.ConfigFile;
import dev.popvault.config.Setting;
import dev.popvault.core.AccountStatus;
import dev.popvault.core.ExitCode;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** Lists past runs from the ledger. */
@Command(
    name = "history",
    mixinStandardHelpOptions = true,
    modelTransformer = SettingOptions.class,
    description = {
      "List past runs, newest first: when, which account, what kind (archive, repair, delete),"
          + " how it ended (ok, failed, interrupted, or killed when the process died), the exit"
          + " code, messages new, skipped and deleted, bytes, duration and the error. Reads the"
          + " ledger only."
    },
    footerHeading = "%nExamples:%n",
    footer = {
      "  popvault history",
      "  popvault history work --limit 5",
      "  popvault history --json | jq '.runs[] | select(.outcome != \"ok\")'",
      "",
      "With --json: {\"runs\": [{account, id, kind, started, ended, outcome, exit_code, new,"
          + " skipped, deleted, bytes, error}]}.",
      "",
      "Exit codes:",
      ExitCodeTable.TEXT
    })
final class HistoryCommand implements Callable<Integer>, SettingOptions.Taker {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Mixin CommonOptions common;

  @Parameters(
      arity = "0..*",
      paramLabel = "ACCOUNT",
      description =
          "Accounts to show (default: every account of the ledger and the accounts file).")
  List<String> names = new ArrayList<>();

  @Option(
      names = "--limit",
      paramLabel = "N",
      description = "Show the last N runs of each account (default 20).")
  int limit = 20;

  @Override
  public Set<Setting> settings() {
    return SettingOptions.of(SettingOptions.COMMON, EnumSet.of(JSON));
  }

  @Override
  public Integer call() throws ConfigException {
    if (limit < 1) {
      throw new ConfigException("--limit must be 1 or more, not " + limit, true);
    }
    PrintWriter out = spec.commandLine().getOut();
    ConfigFile file = common.configFile();
    LedgerPlaces places = LedgerPlaces.of(file, common.run(file), common.commandLine(), names);
    List<AccountStatus.Named> runs = new ArrayList<>();
    for (LedgerPlaces.Place place : places.places()) {
      runs.addAll(AccountStatus.history(place.ledger(), place.names(), limit));
    }
    runs.sort(
        Comparator.comparing((AccountStatus.Named n) -> n.run().started())
            .reversed()
            .thenComparing(AccountStatus.Named::account));
    boolean json = Boolean.TRUE.equals(SettingOptions.given(spec, JSON));
    if (json) {
      StatusOutput.history(runs, out);
    } else if (runs.isEmpty()) {
      out.println("no run recorded yet");
    } else {
      StatusOutput.historyTable(runs, out);
    }
    out.flush();
    return ExitCode.OK;
  }
}
