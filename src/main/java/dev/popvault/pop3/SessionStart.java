package dev.popvault.pop3;

import static dev.popvault.pop3.Replies.isErr;
import static dev.popvault.pop3.Replies.isOk;

import java.io.IOException;

/**
 * Brings a new connection to the point where credentials may be sent: TCP (and TLS for pop3s), the
 * greeting, CAPA, and for pop3:// STLS with CAPA again (RFC 2595). An offered STLS is always used,
 * whatever plaintext allows: never downgrade. Without STLS the session is refused unless plaintext
 * was allowed, before anything secret is sent.
 */
final class SessionStart {
  private SessionStart() {}

  /**
   * Returns a connection ready for login; closes what it opened when it fails. Failures as {@link
   * Pop3Client#connect}.
   */
  static Pop3Connection open(Pop3Settings settings, Pop3Log log) throws IOException {
    Pop3Connection c = new Pop3Connection(settings, log);
    try {
      start(c, settings);
      return c;
    } catch (IOException | RuntimeException e) {
      c.close();
      throw e;
    }
  }

  private static void start(Pop3Connection c, Pop3Settings settings) throws IOException {
    String where = settings.host() + ":" + settings.port();
    c.connect();
    String line = c.readGreeting();
    if (isErr(line)) {
      throw c.errReply(
          Pop3Exception.Kind.UNAVAILABLE, "server " + where + " refused the session", line);
    }
    if (!isOk(line)) {
      throw new Pop3Exception(
          Pop3Exception.Kind.PROTOCOL,
          "server " + where + " sent no POP3 greeting: " + Text.sanitize(line));
    }
    c.capa();
    if (settings.implicitTls()) {
      return;
    }
    c.keepCapabilitiesBeforeTls();
    if (c.capabilities().offers("STLS")) {
      c.send("STLS", "STLS");
      c.flush("STLS");
      c.expectOk("STLS", c.status("STLS"));
      c.upgradeAfterStls();
      c.capa();
    } else if (!settings.allowPlaintext()) {
      throw new Pop3Exception(
          Pop3Exception.Kind.PLAINTEXT_REFUSED,
          "server does not offer STLS; refusing to send the password in clear text"
              + " (use pop3s:// or --allow-plaintext)");
    }
  }
}
