package dev.popvault.pop3;

import static dev.popvault.pop3.Replies.isErr;
import static dev.popvault.pop3.Replies.isOk;
import static dev.popvault.pop3.Replies.protocol;

import java.io.IOException;
import java.util.List;
import java.util.Objects;

/**
 * The one pipelined command window, shared by RETR, TOP and DELE (RFC 2449 PIPELINING): sends
 * {@code verb N suffix} for each number with at most {@code size} commands in flight and reads
 * every reply in order. Size 1 is strict lock-step, for servers without PIPELINING.
 *
 * <p>After the first -ERR no further command is sent, the replies in flight are read (bodies
 * discarded) so the session stays usable, and that -ERR is thrown as PROTOCOL. Any other reply
 * leaves the dialogue out of step and closes the session.
 */
final class CommandWindow {
  private final Pop3Connection conn;
  private final int size;

  /**
   * @param size most commands in flight, at least 1
   */
  CommandWindow(Pop3Connection conn, int size) {
    if (size < 1) {
      throw new IllegalArgumentException("window must be at least 1: " + size);
    }
    this.conn = Objects.requireNonNull(conn, "conn");
    this.size = size;
  }

  /**
   * Runs {@code verb N suffix} for every number, in order.
   *
   * @param body receives each body of a multi-line reply; null for single-line replies (DELE)
   * @throws IllegalArgumentException when {@code numbers} is empty or holds a number below 1
   *     (before anything is sent)
   * @throws Pop3Exception PROTOCOL naming the first command answered with -ERR
   */
  void run(String verb, String suffix, List<Integer> numbers, BodyHandler body) throws IOException {
    checkNumbers(numbers);
    conn.requireOpen();
    Pop3Exception refused = null;
    int sent = refill(verb, suffix, numbers, 0, 0);
    for (int done = 0; done < sent; done++) {
      int number = numbers.get(done);
      String label = verb + " " + number + suffix;
      String reply = conn.status(label);
      if (isOk(reply)) {
        if (body != null) {
          conn.body(number, refused == null ? body : null);
        }
      } else if (isErr(reply)) {
        if (refused == null) {
          refused = conn.errReply(Pop3Exception.Kind.PROTOCOL, "server refused " + label, reply);
        }
      } else {
        throw conn.desync(protocol("unexpected reply to " + label + ": " + Text.sanitize(reply)));
      }
      if (refused == null) {
        sent = refill(verb, suffix, numbers, sent, done + 1);
      }
    }
    if (refused != null) {
      throw refused;
    }
  }

  /**
   * Sends further commands once at most half the window is in flight, filling it again in one
   * write: one wake-up of the server per half window instead of one per message. With size 1 this
   * is strict lock-step.
   *
   * @param completed how many replies have been read
   * @return how many commands have been sent now
   */
  private int refill(String verb, String suffix, List<Integer> numbers, int sent, int completed)
      throws IOException {
    if (sent >= numbers.size() || sent - completed > size / 2) {
      return sent;
    }
    int first = sent;
    int target = Math.min(numbers.size(), completed + size);
    while (sent < target) {
      String command = verb + " " + numbers.get(sent) + suffix;
      conn.send(command, command);
      sent++;
    }
    conn.flush(verb + " " + numbers.get(first) + suffix);
    return sent;
  }

  private static void checkNumbers(List<Integer> numbers) {
    Objects.requireNonNull(numbers, "numbers");
    if (numbers.isEmpty()) {
      throw new IllegalArgumentException("no message numbers given");
    }
    for (Integer n : numbers) {
      if (n == null || n < 1) {
        throw new IllegalArgumentException("message numbers start at 1: " + n);
      }
    }
  }
}
