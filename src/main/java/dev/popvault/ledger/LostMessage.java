package dev.popvault.ledger;

import java.time.Instant;

/**
 * A message whose archived copy was damaged while the server no longer had it: what the ledger
 * knows of it, so that the user can tell which mail is gone. Header fields may be null.
 *
 * @param damagedCopy relative path of the damaged original file kept aside, which held its bytes
 */
public record LostMessage(
    String uidl,
    String messageId,
    String date,
    String from,
    String subject,
    Instant archivedAt,
    Instant lostAt,
    String damagedCopy) {
  /** Formats the message for a one-line report. */
  public String describe() {
    return "UIDL "
        + uidl
        + ", Message-ID "
        + orNone(messageId)
        + ", Date "
        + orNone(date)
        + ", From "
        + orNone(from)
        + ", Subject "
        + orNone(subject);
  }

  private static String orNone(String s) {
    return s == null ? "(none)" : s.replaceAll("\\p{Cntrl}", " ");
  }
}
