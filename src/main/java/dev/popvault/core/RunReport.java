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
    List<String> notes) {
  public RunReport {
    notes = List.copyOf(notes);
  }

  /**
   * Formats the one-line summary, e.g. {@code alice@host: 3 new, 1 skipped, 0 deleted, 1.2 MB in
   * 0.4 s}.
   */
  public String summaryLine() {
    return String.format(
        Locale.ROOT,
        "%s: %d new, %d skipped, %d deleted, %.1f MB in %.1f s",
        account,
        newCount,
        skippedCount,
        deletedCount,
        bytes / 1e6,
        elapsed.toMillis() / 1000.0);
  }
}
