package dev.popvault.core;

import dev.popvault.mime.HeaderCapture;
import dev.popvault.mime.HeaderSummary;
import dev.popvault.pop3.Pop3Client;
import java.io.IOException;
import java.io.OutputStream;
import java.util.List;

/**
 * Reads messages' header sections without downloading them: {@code TOP n 0} through the pipelined
 * command window (RFC 1939: TOP marks nothing as seen), each through {@link HeaderCapture}'s
 * bounded buffer, so memory does not grow with a message.
 */
final class MailboxHeaders {
  /** Receives one message's headers, in the order the numbers were asked. */
  @FunctionalInterface
  interface Sink {
    void accept(int number, HeaderSummary headers) throws IOException;
  }

  private MailboxHeaders() {}

  /** True when the server offers TOP (RFC 2449 CAPA; without it headers cannot be read). */
  static boolean available(Pop3Client client) {
    return client.capabilities().contains("TOP");
  }

  static void read(Pop3Client client, List<Integer> numbers, Sink sink) throws IOException {
    if (numbers.isEmpty()) {
      return;
    }
    client.top(
        numbers,
        0,
        (number, body) -> {
          HeaderCapture capture = new HeaderCapture(body);
          capture.transferTo(OutputStream.nullOutputStream());
          sink.accept(number, capture.summary());
        });
  }
}
