package dev.popvault.cli;

import static dev.popvault.config.Setting.JSON;

import dev.popvault.config.ConfigException;
import dev.popvault.config.ConfigFile;
import dev.popvault.config.Setting;
import dev.popvault.core.AccountStatus;
import dev.popvault.core.ExitCode;
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

/** Shows what this machine knows of each account, from the ledger alone. */
@Command(
    name = "status",
    mixinStandardHelpOptions = true,
    modelTransformer = SettingOptions.class,
    description = {
      "Show, per account, what is archived (messages, bytes, files), what was deleted from the"
          + " server, the last run and its outcome, the last error, the messages the deletion"
          + " policy makes due, and when the server allows the next login (LOGIN-DELAY). Reads the"
          + " ledger and the archive files only: no server is contacted."
    },
    footerHeading = "%nExamples:%n",
    footer = {
      "  popvault status",
      "  popvault status work --json | jq '.accounts[0].last_run'",
      "",
      "With --json: {\"accounts\": [{account, mailbox, ledger, messages, bytes, deleted, lost,"
          + " unarchived_deleted, files, bytes_on_disk, first_archived, last_login, last_run,"
          + " last_success, last_failure, due, next_login}]}; a run is {id, kind, started, ended,"
          + " outcome, exit_code, new, skipped, deleted, bytes, error}.",
      "",
      "Exit codes:",
      ExitCodeTable.TEXT
    })
final class StatusCommand implements Callable<Integer>, SettingOptions.Taker {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Mixin CommonOptions common;

  @Parameters(
      arity = "0..*",
      paramLabel = "ACCOUNT",
      description =
          "Accounts to show (default: every account of the ledger and the accounts file).")
  List<String> names = new ArrayList<>();

  @Override
  public Set<Setting> settings() {
    return SettingOptions.of(SettingOptions.COMMON, EnumSet.of(JSON));
  }

  @Override
  public Integer call() throws ConfigException {
    PrintWriter out = spec.commandLine().getOut();
    ConfigFile file = common.configFile();
    LedgerPlaces places = LedgerPlaces.of(file, common.run(file), common.commandLine(), names);
    List<AccountStatus.Status> all = new ArrayList<>();
    for (LedgerPlaces.Place place : places.places()) {
      all.addAll(
          AccountStatus.read(
              place.archiveDir(), place.ledger(), place.names(), places::keep, Clock.systemUTC()));
    }
    boolean json = Boolean.TRUE.equals(SettingOptions.given(spec, JSON));
    if (json) {
      StatusOutput.json(all, out);
    } else if (all.isEmpty()) {
      out.println("no account has been archived yet" + (names.isEmpty() ? "" : ": " + names));
    } else {
      StatusOutput.table(all, out);
    }
    out.flush();
    if (!names.isEmpty() && all.size() < names.size()) {
      common.notice(
          spec.commandLine().getErr(), "some of " + names + " are in no ledger (never archived)");
      return ExitCode.USAGE;
    }
    return ExitCode.OK;
  }
}
