package dev.popvault.pop3;

import java.util.Locale;

/**
 * Names the extended response code a server put in brackets after {@code -ERR} (RFC 2449 §8, RFC
 * 3206, RFC 6856), e.g. {@code -ERR [IN-USE] maildrop locked}. Codes are hierarchical: {@code
 * SYS/TEMP/DISK} is a {@link #SYS_TEMP}. Unknown codes are {@link #OTHER}: RFC 2449 asks clients to
 * ignore what they do not know. Parsed from untrusted server text, never trusted beyond this.
 */
public enum ResponseCode {
  /** No bracketed code. */
  NONE(null),
  /** RFC 2449: the login was accepted but the maildrop is locked by another session. */
  IN_USE("IN-USE"),
  /** RFC 2449: the user logged in too recently; a new login is refused until the delay passed. */
  LOGIN_DELAY("LOGIN-DELAY"),
  /** RFC 3206: a temporary system failure on the server; trying again later may work. */
  SYS_TEMP("SYS/TEMP"),
  /** RFC 3206: a permanent system failure on the server; retrying will not help. */
  SYS_PERM("SYS/PERM"),
  /** RFC 3206: the credentials were refused (wrong password, unknown user, expired account). */
  AUTH("AUTH"),
  /** RFC 6856: the message cannot be returned without UTF-8 mode. */
  UTF8("UTF8"),
  /** A code this client does not know. */
  OTHER(null);

  /** Longest bracketed code looked at; anything longer is not a code but text in brackets. */
  private static final int MAX_CODE = 64;

  private final String text;

  ResponseCode(String text) {
    this.text = text;
  }

  /**
   * Returns the code at the start of {@code statusText}, the text after {@code -ERR } (a leading
   * space is tolerated); {@link #NONE} when it does not start with {@code [}.
   */
  static ResponseCode parse(String statusText) {
    String s = statusText.stripLeading();
    if (!s.startsWith("[")) {
      return NONE;
    }
    int close = s.indexOf(']');
    if (close < 2 || close > MAX_CODE) {
      return NONE;
    }
    String code = s.substring(1, close).toUpperCase(Locale.ROOT);
    for (ResponseCode c : values()) {
      if (c.text != null && (code.equals(c.text) || code.startsWith(c.text + "/"))) {
        return c;
      }
    }
    return OTHER;
  }

  /**
   * Returns the retry advice for a reply with this code, with a leading space, or "" when the code
   * says nothing about retrying.
   *
   * @param loginDelay the server's announced login delay, e.g. "one login every 300 s"
   */
  String retryHint(String loginDelay) {
    return switch (this) {
      case IN_USE -> " (the mailbox is in use by another session; try again later)";
      case LOGIN_DELAY -> " (the server allows " + loginDelay + "; try again later)";
      case SYS_TEMP -> " (a temporary failure on the server; try again later)";
      case SYS_PERM -> " (a permanent failure on the server; retrying will not help)";
      default -> "";
    };
  }
}
