package dev.popvault.pop3;

import java.util.Objects;

/**
 * One line of a UIDL listing.
 *
 * @param number the message number in this session (1-based)
 * @param uidl the server's unique id for the message
 */
public record UidlEntry(int number, Uidl uidl) {
  /** Validates the number and requires an id. */
  public UidlEntry {
    if (number < 1) {
      throw new IllegalArgumentException("message number must be >= 1: " + number);
    }
    Objects.requireNonNull(uidl, "uidl");
  }
}
