package dev.popvault.pop3;

import java.io.IOException;
import java.util.Objects;

/**
 * Signals a POP3 failure of a known {@link Kind}. The message is one line, quotes server text only
 * after sanitising it, and never contains a password or token.
 */
public class Pop3Exception extends IOException {
  private static final long serialVersionUID = 1L;

  /** Classifies a failure so callers can map it to an exit code. */
  public enum Kind {
    /** Could not connect: refused, unknown host, connect timeout, or the server refused service. */
    UNAVAILABLE,
    /** The connection ended (EOF, reset) in the middle of a session. */
    CONNECTION_LOST,
    /** The server did not answer within the read timeout. */
    TIMEOUT,
    /** The TLS handshake failed or the server certificate is not trusted. */
    TLS,
    /** The password would have travelled in clear text and the caller did not allow that. */
    PLAINTEXT_REFUSED,
    /** The server rejected the credentials. */
    AUTH,
    /** The server broke the protocol: malformed or unexpected reply, invalid listing, -ERR. */
    PROTOCOL
  }

  private final Kind kind;

  /** Creates an exception of the given kind with a one-line, secret-free message. */
  public Pop3Exception(Kind kind, String message) {
    super(message);
    this.kind = Objects.requireNonNull(kind, "kind");
  }

  /** Creates an exception of the given kind with a one-line, secret-free message and a cause. */
  public Pop3Exception(Kind kind, String message, Throwable cause) {
    super(message, cause);
    this.kind = Objects.requireNonNull(kind, "kind");
  }

  /** Returns the kind of failure. */
  public Kind kind() {
    return kind;
  }
}
