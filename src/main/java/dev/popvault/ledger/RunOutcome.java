package dev.popvault.ledger;

import java.time.Instant;
import java.util.Objects;
import java.util.Set;

/**
 * Summarises how a run ended. {@code error} is a one-line message for users (may be null); the
 * caller must make sure it holds no secrets. Line breaks in it are replaced by spaces and it is cut
 * to {@value #MAX_ERROR_LENGTH} characters, so that recording a failure never fails because of its
 * message.
 */
public record RunOutcome(
    Instant ended,
    String outcome,
    int exitCode,
    int newCount,
    int skippedCount,
    int deletedCount,
    long bytes,
    String error) {

  /** The longest error text kept, in characters. */
  public static final int MAX_ERROR_LENGTH = 1000;

  private static final Set<String> OUTCOMES = Set.of("ok", "failed", "interrupted");

  /** Rejects unknown outcomes and negative counts; normalises {@code error} to one bounded line. */
  public RunOutcome {
    Objects.requireNonNull(ended, "ended");
    Objects.requireNonNull(outcome, "outcome");
    if (!OUTCOMES.contains(outcome)) {
      throw new IllegalArgumentException("unknown run outcome: " + outcome);
    }
    if (exitCode < 0 || exitCode > 255) {
      throw new IllegalArgumentException("exit code out of range: " + exitCode);
    }
    if (newCount < 0 || skippedCount < 0 || deletedCount < 0 || bytes < 0) {
      throw new IllegalArgumentException("negative count in run outcome");
    }
    if (error != null) {
      error = error.replaceAll("[\\r\\n\\u2028\\u2029]+", " ").strip();
      if (error.length() > MAX_ERROR_LENGTH) {
        int end = MAX_ERROR_LENGTH;
        if (Character.isHighSurrogate(error.charAt(end - 1))) {
          end--;
        }
        error = error.substring(0, end);
      }
    }
  }
}
