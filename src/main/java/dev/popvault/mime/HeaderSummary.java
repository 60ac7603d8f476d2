package dev.popvault.mime;

import jakarta.mail.MessagingException;
import jakarta.mail.internet.InternetHeaders;
import jakarta.mail.internet.MimeUtility;
import java.io.ByteArrayInputStream;
import java.io.UnsupportedEncodingException;

/**
 * Holds the catalog fields of a message (Message-ID, Date, From, Subject), decoded for display. Any
 * field may be null. Built from untrusted bytes: values are unfolded, RFC 2047-decoded where
 * possible, stripped of control characters and cut to a bounded length, so a hostile header cannot
 * bloat the ledger or a terminal.
 */
public record HeaderSummary(String messageId, String date, String from, String subject) {
  private static final int MAX_FIELD = 998;

  /** Returns a summary with every field null. */
  public static HeaderSummary empty() {
    return new HeaderSummary(null, null, null, null);
  }

  /**
   * Parses the header section found at the start of {@code head} (which may hold more, or less,
   * than the header section; parsing stops at the first empty line).
   */
  public static HeaderSummary parse(byte[] head, int length) {
    InternetHeaders headers;
    try {
      headers = new InternetHeaders(new ByteArrayInputStream(head, 0, length), true);
    } catch (MessagingException | RuntimeException e) {
      return empty();
    }
    return new HeaderSummary(
        field(headers, "Message-ID"),
        field(headers, "Date"),
        field(headers, "From"),
        field(headers, "Subject"));
  }

  private static String field(InternetHeaders headers, String name) {
    String raw = headers.getHeader(name, null);
    if (raw == null) {
      return null;
    }
    String value = MimeUtility.unfold(raw);
    try {
      value = MimeUtility.decodeText(value);
    } catch (UnsupportedEncodingException | RuntimeException e) {
      // Keep the undecoded text: a catalog entry is a convenience, never a reason to fail.
    }
    value = value.replaceAll("\\p{Cntrl}", " ").strip();
    return value.length() > MAX_FIELD ? value.substring(0, MAX_FIELD) : value;
  }
}
