package dev.popvault.ledger;

import jakarta.mail.internet.MailDateFormat;
import java.text.ParseException;
import java.util.Date;

/**
 * Reads a stored Date header as epoch milliseconds for {@code message.date_ms}: the one parser used
 * both when a message is inserted and by migration 4's back-fill, so old and new rows agree.
 *
 * <p>jakarta.mail's lenient RFC 5322 parser: it accepts what real mail carries (comments, obsolete
 * zone names, two-digit years, no day name) and rolls out-of-range fields over (31 Feb is 2 Mar); a
 * missing zone is read as UTC. Not thread-safe: one instance per caller (the ledger is
 * synchronized). Public so that what the server lists ({@code list}) is dated as the catalog is.
 */
public final class MailDates {
  private final MailDateFormat format = new MailDateFormat();

  /** Returns the header's instant in epoch milliseconds, or null if it is null or unparsable. */
  public Long epochMillis(String date) {
    if (date == null || date.isBlank()) {
      return null;
    }
    try {
      Date d = format.parse(date);
      return d == null ? null : d.getTime();
    } catch (ParseException | RuntimeException e) {
      // Untrusted header text: anything the parser cannot read is simply undated.
      return null;
    }
  }
}
