package dev.popvault.core;

import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * Summarises one account's successful run.
 *
 * @param notes things the user should know that did not fail the run (e.g. a torn tail that was
 *     cut)
 */
public record RunReport(
    String account,
    int newCount,
    int skippedCount,
    int deletedCount,
    long bytes,
    Duration elapsed,
    List<String> notes,
    int lostCount,
    int repairedCount) {
  public RunReport {
    notes = List.copyOf(notes);
  }

  /**
   * Returns the run's exit code: 65 when it found archived messages that could not be recovered
   * (damaged here and gone from the server), else 0.
   */
  public int exitCode() {
    return lostCount > 0 ? ExitCode.DATA_ERROR : ExitCode.OK;
  }

  /**
   * Formats the one-line summary, e.g. {@code alice@host: 3 new, 1 skipped, 0 deleted, 1.2 MB in
   * 0.4 s}.
   */
  public String summaryLine() {
    return String.format(
        Locale.ROOT,
        "%s: %d new, %d skipped, %d deleted, %.1f MB in %.1f s%s",
        account,
        newCount,
        skippedCount,
        deletedCount,
        bytes / 1e6,
        elapsed.toMillis() / 1000.0,
        (repairedCount > 0 ? ", " + repairedCount + " repaired" : "")
            + (lostCount > 0 ? ", " + lostCount + " LOST (see above)" : ""));
  }
}
