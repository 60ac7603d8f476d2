package dev.popvault.ledger;

import java.util.Objects;

/**
 * Identifies a message as the server listed it: its UIDL and its LIST size. A server that reuses a
 * UIDL for a message of another size yields a different key, so that message is archived, not
 * skipped.
 */
public record ArchivedKey(String uidl, long listSize) {
  /** Rejects an empty UIDL and a negative size. */
  public ArchivedKey {
    Objects.requireNonNull(uidl, "uidl");
    if (uidl.isEmpty()) {
      throw new IllegalArgumentException("empty UIDL");
    }
    if (listSize < 0) {
      throw new IllegalArgumentException("negative LIST size " + listSize);
    }
  }
}
