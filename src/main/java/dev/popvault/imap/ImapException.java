package dev.popvault.imap;

/** A failure talking to the IMAP server, with what kind of failure it is (for the exit code). */
public final class ImapException extends Exception {
  /** What went wrong. */
  public enum Kind {
    /** The server could not be reached, broke the connection or timed out. */
    UNAVAILABLE,
    /** The server refused the login. */
    AUTHENTICATION,
    /** The certificate was not trusted, or TLS could not be used though required. */
    TLS,
    /** The server refused a command (a NO or BAD reply), e.g. APPEND of a message it rejects. */
    REFUSED
  }

  private final Kind kind;

  public ImapException(Kind kind, String message, Throwable cause) {
    super(message, cause);
    this.kind = kind;
  }

  public Kind kind() {
    return kind;
  }
}
