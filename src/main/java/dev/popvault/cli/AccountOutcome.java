package dev.popvault.cli;

import dev.popvault.core.ExitCode;
import dev.popvault.core.PopvaultException;
import dev.popvault.core.RunReport;
import java.util.List;

/** Records how one account's run ended: a report, or a failure. */
record AccountOutcome(String account, RunReport report, PopvaultException failure) {
  int exitCode() {
    return failure == null ? report.exitCode() : failure.exitCode();
  }

  /**
   * Combines several accounts' codes by mpop's rule: 0 if all succeeded, the failing account's code
   * if one failed, 75 (temporary) if several failed.
   */
  static int combinedExitCode(List<AccountOutcome> outcomes) {
    List<AccountOutcome> failed =
        outcomes.stream().filter(o -> o.exitCode() != ExitCode.OK).toList();
    if (failed.isEmpty()) {
      return ExitCode.OK;
    }
    return failed.size() == 1 ? failed.get(0).exitCode() : ExitCode.TEMPORARY;
  }
}
