package dev.popvault.ledger;

import java.time.Instant;
import java.util.Objects;

/**
 * Describes a recorded run. {@code outcome} is null while the run is in progress, and stays null
 * for a run whose process died before it could record an end (for example, killed).
 */
public record RunRow(long id, long accountId, Instant started, RunKind kind, RunOutcome outcome) {
  /** Rejects a missing start time. */
  public RunRow {
    Objects.requireNonNull(started, "started");
    Objects.requireNonNull(kind, "kind");
  }
}
