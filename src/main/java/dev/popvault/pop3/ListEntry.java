package dev.popvault.pop3;

/**
 * One line of a LIST scan listing.
 *
 * @param number the message number in this session (1-based)
 * @param size the size in octets the server reports (RFC 1939: as if CRLF line ends, dot-stuffing
 *     not counted)
 */
public record ListEntry(int number, long size) {
  /** Validates the number and size. */
  public ListEntry {
    if (number < 1) {
      throw new IllegalArgumentException("message number must be >= 1: " + number);
    }
    if (size < 0) {
      throw new IllegalArgumentException("size must be >= 0: " + size);
    }
  }
}
