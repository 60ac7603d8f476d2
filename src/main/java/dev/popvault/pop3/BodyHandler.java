package dev.popvault.pop3;

import java.io.IOException;
import java.io.InputStream;

/** Consumes the body of one message retrieved by RETR or TOP. */
@FunctionalInterface
public interface BodyHandler {
  /**
   * Consumes one message. {@code body} yields the message bytes exactly as sent, after
   * dot-unstuffing, without the terminating ".CRLF" line (so it normally ends with CRLF). The
   * handler may stop reading early; the client then drains the rest. The stream must not be used
   * after the call returns. An exception thrown here closes the connection (without QUIT, so the
   * server deletes nothing) and propagates unchanged.
   *
   * @param number the message number the body belongs to
   * @param body the dot-unstuffed message bytes (untrusted data)
   */
  void body(int number, InputStream body) throws IOException;
}
