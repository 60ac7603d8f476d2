package dev.popvault.pop3;

import java.io.IOException;
import java.io.InputStream;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;

/**
 * Buffers the server's byte stream and reads bounded CRLF lines and dot-terminated bodies from it.
 *
 * <p>Every byte read here is untrusted. Lines are bounded; bodies are streamed in bulk and never
 * buffered whole. Socket failures become {@link Pop3Exception}s naming the command whose reply was
 * being read (set with {@link #command(String)}), so callers can tell them from their own I/O
 * errors.
 */
final class WireReader {
  static final int BUFFER_SIZE = 64 * 1024;

  private final InputStream in;
  private final Duration readTimeout;
  private final byte[] buf = new byte[BUFFER_SIZE];
  private int pos;
  private int limit;
  private String command = "greeting";

  WireReader(InputStream in, Duration readTimeout) {
    this.in = in;
    this.readTimeout = readTimeout;
  }

  /** Names the command whose reply is read next, for error messages. */
  void command(String label) {
    this.command = label;
  }

  /** Returns the number of bytes received but not yet consumed. */
  int buffered() {
    return limit - pos;
  }

  /**
   * Reads one line and returns it without its line end (CRLF or bare LF), decoded as ISO-8859-1 so
   * that every byte maps to one char.
   *
   * @throws Pop3Exception PROTOCOL when the line exceeds {@code maxLength} bytes
   */
  String readLine(int maxLength) throws Pop3Exception {
    int scanFrom = pos;
    while (true) {
      for (int i = scanFrom; i < limit; i++) {
        if (buf[i] == '\n') {
          int end = i > pos && buf[i - 1] == '\r' ? i - 1 : i;
          if (end - pos > maxLength) {
            throw tooLong(maxLength);
          }
          String line = new String(buf, pos, end - pos, StandardCharsets.ISO_8859_1);
          pos = i + 1;
          return line;
        }
      }
      if (limit - pos > maxLength + 1) {
        throw tooLong(maxLength);
      }
      int scanned = limit - pos;
      fill();
      scanFrom = pos + scanned;
    }
  }

  private Pop3Exception tooLong(int maxLength) {
    return new Pop3Exception(
        Pop3Exception.Kind.PROTOCOL,
        "line longer than " + maxLength + " bytes in reply to " + command);
  }

  /** Returns a stream over the next dot-terminated body; see {@link BodyStream}. */
  BodyStream body() {
    return new BodyStream();
  }

  /**
   * Reads more bytes after {@code limit}, first moving unconsumed bytes to the buffer start when
   * the buffer is full. Blocks until at least one byte arrives.
   */
  private void fill() throws Pop3Exception {
    if (limit == buf.length) {
      if (pos == 0) {
        throw new IllegalStateException("buffer full without a consumable byte");
      }
      System.arraycopy(buf, pos, buf, 0, limit - pos);
      limit -= pos;
      pos = 0;
    } else if (pos == limit) {
      pos = 0;
      limit = 0;
    }
    int n;
    try {
      n = in.read(buf, limit, buf.length - limit);
    } catch (SocketTimeoutException e) {
      throw new Pop3Exception(
          Pop3Exception.Kind.TIMEOUT,
          "server did not answer " + command + " within " + Text.seconds(readTimeout),
          e);
    } catch (Pop3Exception e) {
      throw e;
    } catch (IOException e) {
      throw new Pop3Exception(
          Pop3Exception.Kind.CONNECTION_LOST,
          "connection lost during " + command + ": " + Text.sanitize(e.getMessage()),
          e);
    }
    if (n < 0) {
      throw new Pop3Exception(
          Pop3Exception.Kind.CONNECTION_LOST, "connection lost during " + command);
    }
    limit += n;
  }

  /** Blocks until at least {@code n} unconsumed bytes are buffered ({@code n} ≤ buffer size). */
  private void require(int n) throws Pop3Exception {
    while (limit - pos < n) {
      if (pos > 0 && buf.length - pos < n) {
        System.arraycopy(buf, pos, buf, 0, limit - pos);
        limit -= pos;
        pos = 0;
      }
      fill();
    }
  }

  /**
   * Streams one multi-line body: removes the stuffed '.' at the start of a line and ends at the
   * line ".CRLF", which it consumes. A line ends at LF (with or without CR). Bytes are copied in
   * runs between line starts, so a line of any length streams without being buffered. The stream
   * becomes unusable after {@link #invalidate()}; {@link #close()} does not end the body.
   */
  final class BodyStream extends InputStream {
    private boolean atLineStart = true;
    private boolean finished;
    private boolean invalid;
    private long octets;
    private final byte[] one = new byte[1];

    @Override
    public int read() throws IOException {
      int n = read(one, 0, 1);
      return n < 0 ? -1 : one[0] & 0xFF;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (invalid) {
        throw new IOException("message body stream used after the handler returned");
      }
      Objects.checkFromIndexSize(off, len, b.length);
      if (finished) {
        return -1;
      }
      if (len == 0) {
        return 0;
      }
      int copied = 0;
      while (copied < len) {
        if (pos == limit) {
          if (copied > 0) {
            break;
          }
          fill();
        }
        if (atLineStart) {
          if (buf[pos] == '.') {
            if (limit - pos < 3) {
              if (copied > 0) {
                break;
              }
              require(3);
            }
            if (buf[pos + 1] == '\r' && buf[pos + 2] == '\n') {
              pos += 3;
              finished = true;
              break;
            }
            pos++; // the stuffed dot
          }
          atLineStart = false;
          if (pos == limit) {
            continue;
          }
        }
        int end = Math.min(limit, pos + (len - copied));
        int i = pos;
        while (i < end && buf[i] != '\n') {
          i++;
        }
        int n;
        if (i < end) {
          n = i + 1 - pos;
          atLineStart = true;
        } else {
          n = end - pos;
        }
        System.arraycopy(buf, pos, b, off + copied, n);
        pos += n;
        copied += n;
      }
      octets += copied;
      return copied == 0 && finished ? -1 : copied;
    }

    /** Consumes the rest of the body, up to and including the terminator. */
    void drain(byte[] scratch) throws IOException {
      while (read(scratch, 0, scratch.length) >= 0) {
        // discard
      }
    }

    /** Returns the number of body octets delivered or drained so far. */
    long octets() {
      return octets;
    }

    /** Makes every further read fail; the handler's contract is over. */
    void invalidate() {
      invalid = true;
    }

    @Override
    public void close() {
      // Closing does not end the body: the client drains it after the handler returns.
    }
  }
}
