package dev.popvault.archive;

import java.io.IOException;
import java.io.OutputStream;

/**
 * Decodes the stored mboxrd bytes of one message back into its original bytes, as recorded by
 * {@link EncodedMessage}. Bytes are pushed in with {@link #feed} (exactly {@code message.length()}
 * of them, in any chunking) and decoded bytes go to the sink as they are found.
 *
 * <p>Stored bytes are untrusted: anything {@link MboxrdEncoder} cannot have produced (no leading
 * "From " line, an unquoted "From " line inside the message, no trailing blank line, too few or too
 * many bytes) is reported as {@link ArchiveCorruptException}. Output is at most twice the input
 * plus a constant.
 */
final class MboxrdDecoder {
  private static final byte[] CRLF = {'\r', '\n'};
  private static final byte[] LF = {'\n'};
  private static final byte[] GT = {'>'};
  private static final byte[] FROM = MboxrdEncoder.FROM;

  private static final int SEPARATOR = 0;
  private static final int LINE_START = 1;
  private static final int GT_RUN = 2;
  private static final int MATCH = 3;
  private static final int MID = 4;
  private static final int DONE = 5;

  private final EncodedMessage message;
  private final OutputStream sink;
  private final long blankLineAt;

  private long pos;
  private int state = SEPARATOR;
  private int matched;
  private boolean heldGt;
  private long lineIndex;

  MboxrdDecoder(EncodedMessage message, OutputStream sink) {
    this.message = message;
    this.sink = sink;
    this.blankLineAt = message.length() - 1;
  }

  /** Decodes {@code len} more stored bytes. */
  void feed(byte[] b, int off, int len) throws IOException {
    int end = off + len;
    int i = off;
    while (i < end) {
      if (state == DONE || pos >= message.length()) {
        throw corrupt("more than the recorded " + message.length() + " bytes");
      }
      if (state == SEPARATOR) {
        i = separator(b, i, end);
        continue;
      }
      if (pos == blankLineAt) {
        if (b[i] != '\n' || state != LINE_START) {
          throw corrupt("does not end with a line end and a blank line");
        }
        if (message.noFinalNewline() && lineIndex == 0) {
          throw corrupt("is empty but recorded as having no final newline");
        }
        state = DONE;
        pos++;
        i++;
        continue;
      }
      // Never look past the last content byte: the blank line is checked above.
      int limit = (int) Math.min(end, i + (blankLineAt - pos));
      int next;
      switch (state) {
        case LINE_START:
          if (b[i] == '>') {
            heldGt = true;
            state = GT_RUN;
            next = i + 1;
          } else if (b[i] == 'F') {
            state = MATCH;
            matched = 1;
            next = i + 1;
          } else {
            state = MID;
            next = i;
          }
          break;
        case GT_RUN:
          if (b[i] == '>') {
            next = i;
            while (next < limit && b[next] == '>') {
              next++;
            }
            sink.write(b, i, next - i);
          } else if (b[i] == 'F') {
            state = MATCH;
            matched = 1;
            next = i + 1;
          } else {
            sink.write(GT, 0, 1);
            state = MID;
            next = i;
          }
          break;
        case MATCH:
          if (b[i] == FROM[matched]) {
            matched++;
            next = i + 1;
            if (matched == FROM.length) {
              if (!heldGt) {
                throw corrupt("holds an unquoted \"From \" line (line " + (lineIndex + 1) + ")");
              }
              // The one '>' the encoder added is the held one: drop it.
              sink.write(FROM, 0, FROM.length);
              state = MID;
            }
          } else {
            if (heldGt) {
              sink.write(GT, 0, 1);
            }
            sink.write(FROM, 0, matched);
            state = MID;
            next = i;
          }
          break;
        default:
          next = mid(b, i, limit);
      }
      pos += next - i;
      i = next;
    }
  }

  private int separator(byte[] b, int i, int end) throws IOException {
    int j = i;
    while (j < end && pos + (j - i) < message.length()) {
      long p = pos + (j - i);
      if (p < FROM.length) {
        if (b[j] != FROM[(int) p]) {
          throw corrupt("does not start with a \"From \" line");
        }
      } else if (b[j] == '\n') {
        pos += j - i + 1;
        state = LINE_START;
        return j + 1;
      }
      j++;
    }
    pos += j - i;
    if (j < end) {
      throw corrupt("more than the recorded " + message.length() + " bytes");
    }
    return j;
  }

  private int mid(byte[] b, int i, int limit) throws IOException {
    int j = i;
    while (j < limit && b[j] != '\n') {
      j++;
    }
    sink.write(b, i, j - i);
    if (j == limit) {
      return j;
    }
    boolean lastLine = pos + (j - i) == blankLineAt - 1;
    if (!(lastLine && message.noFinalNewline())) {
      long raw = message.rawFromLine();
      boolean crlf = raw == -1 || lineIndex < raw;
      sink.write(crlf ? CRLF : LF, 0, crlf ? 2 : 1);
    }
    lineIndex++;
    state = LINE_START;
    heldGt = false;
    matched = 0;
    return j + 1;
  }

  /** Checks that the whole message was fed. */
  void finish() throws ArchiveCorruptException {
    if (state != DONE) {
      throw corrupt("is truncated: " + pos + " of the recorded " + message.length() + " bytes");
    }
  }

  private ArchiveCorruptException corrupt(String what) {
    return new ArchiveCorruptException("mboxrd message " + what);
  }
}
