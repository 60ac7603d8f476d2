package dev.popvault.archive;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;

/**
 * Encodes one message at a time as mboxrd, streaming, in constant memory.
 *
 * <p>Output: {@code From MAILER-DAEMON <asctime UTC>\n}, the message lines with their CRLF turned
 * into LF (until the first line that ends in a bare LF; from there on lines are stored verbatim),
 * one more '>' on every line matching {@code ^>*From }, an LF added if the input does not end with
 * one, and one blank line. {@link MboxrdDecoder} reverses it exactly, guided by the returned {@link
 * Result}.
 *
 * <p>The quoting check runs as a state machine at line start, so it works across buffer boundaries
 * and never holds more than the four bytes of a partial "From". The extra '>' is inserted between
 * the run of '>' and "From " (equivalent to prepending it), so '>' runs stream through unbuffered.
 */
final class MboxrdEncoder {
  static final byte[] FROM = {'F', 'r', 'o', 'm', ' '};
  private static final byte[] QUOTED_FROM = {'>', 'F', 'r', 'o', 'm', ' '};
  private static final String[] DAYS = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
  private static final String[] MONTHS = {
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"
  };

  /** At line start, possibly after a run of '>' (already written). */
  private static final int LINE_START = 0;

  /** Matching "From " after the '>' run; {@code matched} bytes of it are held back. */
  private static final int MATCH = 1;

  /** Inside a line whose start was settled. */
  private static final int MID = 2;

  /** Describes one encoded message; offsets are filled in by the caller. */
  record Result(
      long encodedLength,
      long wireLength,
      byte[] sha256,
      long rawFromLine,
      boolean noFinalNewline) {}

  private final byte[] in;
  private final BulkOutput out;
  private final MessageDigest sha;

  private int state;
  private int matched;
  private boolean raw;
  private boolean pendingCr;
  private long lineIndex;
  private long rawFromLine;

  MboxrdEncoder(BulkOutput out, int bufferSize) {
    this.out = out;
    this.in = new byte[bufferSize];
    this.sha = sha256();
  }

  static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK must provide SHA-256", e);
    }
  }

  /** Formats {@code t} like C's asctime in UTC, without the newline: "Thu Jan 1 00:00:00 1970". */
  static String asctime(Instant t) {
    // Hand-formatted: String.format costs more than encoding a small message.
    LocalDateTime z = LocalDateTime.ofEpochSecond(t.getEpochSecond(), 0, ZoneOffset.UTC);
    StringBuilder sb = new StringBuilder(24);
    sb.append(DAYS[z.getDayOfWeek().getValue() - 1]).append(' ');
    sb.append(MONTHS[z.getMonthValue() - 1]).append(' ');
    if (z.getDayOfMonth() < 10) {
      sb.append(' ');
    }
    sb.append(z.getDayOfMonth()).append(' ');
    twoDigits(sb, z.getHour()).append(':');
    twoDigits(sb, z.getMinute()).append(':');
    twoDigits(sb, z.getSecond()).append(' ');
    return sb.append(z.getYear()).toString();
  }

  private static StringBuilder twoDigits(StringBuilder sb, int value) {
    return sb.append((char) ('0' + value / 10)).append((char) ('0' + value % 10));
  }

  /**
   * Reads {@code body} to EOF and writes it as one mboxrd message to the output. Does not close
   * {@code body}; leaves bytes in the output buffer (the caller flushes).
   */
  Result encode(InputStream body, Instant receivedAt) throws IOException {
    long start = out.written();
    sha.reset();
    state = LINE_START;
    matched = 0;
    raw = false;
    pendingCr = false;
    lineIndex = 0;
    rawFromLine = -1;
    long wire = 0;
    int last = -1;

    byte[] fromLine =
        ("From MAILER-DAEMON " + asctime(receivedAt) + "\n").getBytes(StandardCharsets.US_ASCII);
    out.put(fromLine, 0, fromLine.length);
    int n;
    while ((n = body.read(in, 0, in.length)) != -1) {
      if (n == 0) {
        continue;
      }
      sha.update(in, 0, n);
      wire += n;
      last = in[n - 1];
      process(n);
    }
    boolean noFinalNewline = false;
    if (wire > 0 && last != '\n') {
      // The last line has no terminator: flush what is held as content, then add the LF mbox needs.
      if (state == MATCH) {
        out.put(FROM, 0, matched);
      }
      if (pendingCr) {
        out.put('\r');
      }
      out.put('\n');
      noFinalNewline = true;
    }
    out.put('\n');
    return new Result(out.written() - start, wire, sha.digest(), rawFromLine, noFinalNewline);
  }

  private void process(int n) throws IOException {
    byte[] b = in;
    int i = 0;
    while (i < n) {
      switch (state) {
        case LINE_START:
          {
            if (b[i] == '>') {
              int j = i;
              while (j < n && b[j] == '>') {
                j++;
              }
              out.put(b, i, j - i);
              i = j;
            } else if (b[i] == 'F') {
              state = MATCH;
              matched = 1;
              i++;
            } else {
              state = MID;
            }
            break;
          }
        case MATCH:
          {
            if (b[i] == FROM[matched]) {
              matched++;
              i++;
              if (matched == FROM.length) {
                out.put(QUOTED_FROM, 0, QUOTED_FROM.length);
                state = MID;
              }
            } else {
              out.put(FROM, 0, matched);
              state = MID;
            }
            break;
          }
        default:
          i = mid(b, i, n);
      }
    }
  }

  /** Copies line content up to the next line end; returns where to continue. */
  private int mid(byte[] b, int i, int n) throws IOException {
    if (pendingCr) {
      pendingCr = false;
      if (b[i] == '\n') {
        // CRLF while CRLF is still the rule: store LF only; the decoder puts the CR back.
        out.put('\n');
        endLine();
        return i + 1;
      }
      out.put('\r');
    }
    int j = i;
    if (raw) {
      while (j < n && b[j] != '\n') {
        j++;
      }
    } else {
      while (j < n && b[j] != '\n' && b[j] != '\r') {
        j++;
      }
    }
    out.put(b, i, j - i);
    if (j == n) {
      return j;
    }
    if (b[j] == '\r') {
      // Only reached before rawFromLine: whether this CR ends the line depends on the next byte.
      pendingCr = true;
      return j + 1;
    }
    if (!raw) {
      raw = true;
      rawFromLine = lineIndex;
    }
    out.put('\n');
    endLine();
    return j + 1;
  }

  private void endLine() {
    lineIndex++;
    state = LINE_START;
    matched = 0;
  }
}
