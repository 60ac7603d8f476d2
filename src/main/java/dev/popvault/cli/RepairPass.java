package dev.popvault.cli;

import dev.popvault.config.AccountConfig;
import dev.popvault.config.ConfigException;
import dev.popvault.core.ExitCode;
import dev.popvault.core.PopvaultException;
import dev.popvault.core.RunReport;
import dev.popvault.core.StopRequest;
import java.io.PrintWriter;
import java.time.Clock;
import java.util.List;

/** The repair half of {@code verify --repair}: each damaged account, from its server; no DELE. */
final class RepairPass {
  private RepairPass() {}

  /** Finds the server settings of a damaged account, or null if it cannot be named. */
  @FunctionalInterface
  interface AccountLookup {
    AccountConfig find(String name) throws ConfigException;
  }

  /**
   * Repairs each of {@code damaged} and prints "NAME: N message(s) repaired, M lost" unless quiet.
   *
   * @param accountFor the account's server settings, or null if it cannot be named (then 78)
   * @return how many messages were lost (damaged and gone from the server)
   */
  static int repair(
      List<String> damaged,
      AccountLookup accountFor,
      CommonOptions common,
      int pipelineWindow,
      PrintWriter out,
      PrintWriter err)
      throws ConfigException {
    int lost = 0;
    StopRequest stop = Signals.installStopHandlers();
    for (String name : damaged) {
      AccountConfig account = accountFor.find(name);
      if (account == null) {
        throw new PopvaultException(
            ExitCode.CONFIG,
            "cannot repair "
                + name
                + ": it is not in the accounts file; name its server:"
                + " popvault verify --repair pop3s://USER@HOST --account "
                + name);
      }
      RunReport r =
          AccountSetup.newRun(account, common, pipelineWindow, stop, err, Clock.systemUTC())
              .repairOnly()
              .execute();
      lost += r.lostCount();
      if (!common.quiet()) {
        out.println(
            name + ": " + r.repairedCount() + " message(s) repaired, " + r.lostCount() + " lost");
      }
    }
    return lost;
  }
}
