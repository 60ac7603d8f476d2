package dev.popvault.pop3;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * An in-memory server for one {@link Pop3Connection}, without sockets or threads: the client's
 * writes are split into command lines, and each read delivers the reply to the oldest command not
 * yet answered. A read with no unanswered command fails the test (the client would wait forever).
 * Records how many commands each write carried and the most commands ever in flight.
 */
final class ReplyingStreams {
  private final Function<String, String> replies;
  private final ByteArrayOutputStream partial = new ByteArrayOutputStream();
  final List<String> commands = new ArrayList<>();
  final List<Integer> commandsPerWrite = new ArrayList<>();
  private int answered;
  private int maxInFlight;
  private byte[] pending = new byte[0];
  private int pendingPos;

  /**
   * @param replies maps a command line (without CRLF) to its whole reply, CRLFs included
   */
  ReplyingStreams(Function<String, String> replies) {
    this.replies = replies;
  }

  /** Returns a connection over these streams with {@code settings}. */
  Pop3Connection connection(Pop3Settings settings, Pop3Log log) {
    return Pop3Connection.overStreams(settings, log, input, output);
  }

  /** The most commands sent but not yet answered, seen whenever the client waited for a reply. */
  int maxInFlight() {
    return maxInFlight;
  }

  private final OutputStream output =
      new OutputStream() {
        @Override
        public void write(int b) {
          write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) {
          int before = commands.size();
          for (int i = off; i < off + len; i++) {
            if (b[i] == '\n') {
              String line = partial.toString(StandardCharsets.UTF_8);
              commands.add(line.endsWith("\r") ? line.substring(0, line.length() - 1) : line);
              partial.reset();
            } else {
              partial.write(b[i]);
            }
          }
          commandsPerWrite.add(commands.size() - before);
        }
      };

  private final InputStream input =
      new InputStream() {
        @Override
        public int read() {
          byte[] one = new byte[1];
          return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) {
          if (pendingPos == pending.length) {
            if (answered == commands.size()) {
              throw new AssertionError("client waits for a reply to a command it has not sent");
            }
            maxInFlight = Math.max(maxInFlight, commands.size() - answered);
            pending = replies.apply(commands.get(answered++)).getBytes(StandardCharsets.UTF_8);
            pendingPos = 0;
          }
          int n = Math.min(len, pending.length - pendingPos);
          System.arraycopy(pending, pendingPos, b, off, n);
          pendingPos += n;
          return n;
        }
      };
}
