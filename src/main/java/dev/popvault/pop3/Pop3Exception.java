package dev.popvault.pop3;

import java.io.IOException;
import java.util.Objects;

/**
 * Signals a POP3 failure of a known {@link Kind}, with the {@link ResponseCode} of the server's
 * {@code -ERR} when there was one. The message is one line, quotes server text only after
 * sanitising it, and never contains a password or token.
 */
public class Pop3Exception extends IOException {
  private static final long serialVersionUID = 1L;

  /** Classifies a failure so callers can map it to an exit code. */
  public enum Kind {
    /**
     * Could not connect: refused, unknown host, connect timeout, the server refused service, or the
     * TLS handshake failed on the server's side (an alert, a close, or no TLS at all on that port).
     */
    UNAVAILABLE,
    /** The connection ended (EOF, reset) in the middle of a session. */
    CONNECTION_LOST,
    /** The server did not answer within the read timeout. */
    TIMEOUT,
    /**
     * popvault refused the server's certificate (chain, host name or pinned fingerprint), or could
     * not set up its own trust anchors.
     */
    TLS,
    /** The password would have travelled in clear text and the caller did not allow that. */
    PLAINTEXT_REFUSED,
    /**
     * The server refused the login. Its {@link #responseCode()} tells why when it gave one: {@code
     * AUTH} or none means the credentials; {@code IN-USE}, {@code LOGIN-DELAY}, {@code SYS/TEMP}
     * mean try again later.
     */
    AUTH,
    /** The server broke the protocol: malformed or unexpected reply, invalid listing, -ERR. */
    PROTOCOL
  }

  private final Kind kind;
  private final ResponseCode responseCode;

  /** Creates an exception of the given kind with a one-line, secret-free message. */
  public Pop3Exception(Kind kind, String message) {
    this(kind, message, ResponseCode.NONE, null);
  }

  /** Creates an exception of the given kind with a one-line, secret-free message and a cause. */
  public Pop3Exception(Kind kind, String message, Throwable cause) {
    this(kind, message, ResponseCode.NONE, cause);
  }

  /**
   * Creates an exception of the given kind for a server reply that carried {@code responseCode},
   * with a one-line, secret-free message and a cause (or null).
   */
  public Pop3Exception(Kind kind, String message, ResponseCode responseCode, Throwable cause) {
    super(message, cause);
    this.kind = Objects.requireNonNull(kind, "kind");
    this.responseCode = Objects.requireNonNull(responseCode, "responseCode");
  }

  /** Returns the kind of failure. */
  public Kind kind() {
    return kind;
  }

  /** Returns the response code of the server's {@code -ERR}, or NONE. */
  public ResponseCode responseCode() {
    return responseCode;
  }
}
