package dev.popvault.core;

import dev.popvault.ledger.ArchivedKey;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * Which listed messages are due for deletion: a pure function of the listing, the ledger's facts
 * (when each key was first archived here) and the time. A message is due when it was archived at
 * least {@code keep} ago; {@code archive --delete} keeps nothing ({@link Duration#ZERO}: every
 * archived message is due, whatever the clock says).
 *
 * <p>Being due is necessary, not sufficient: {@link DeletionGate} still deletes only what was read
 * back intact in this run (M7). A message the ledger does not hold is never due (M2).
 */
final class Retention {
  private Retention() {}

  /**
   * Returns the due keys in listing order.
   *
   * @param firstArchived when each archived key was first archived here (the ledger's facts)
   * @param keep how long a message stays on the server after it was archived; not negative
   */
  static Set<ArchivedKey> due(
      MailboxListing listing, Map<ArchivedKey, Instant> firstArchived, Duration keep, Instant now) {
    if (keep.isNegative()) {
      throw new IllegalArgumentException("keep must not be negative: " + keep);
    }
    Set<ArchivedKey> due = new LinkedHashSet<>();
    for (MailboxListing.Listed entry : listing.entries()) {
      Instant archived = firstArchived.get(entry.key());
      if (archived != null && (keep.isZero() || !archived.plus(keep).isAfter(now))) {
        due.add(entry.key());
      }
    }
    return due;
  }
}
