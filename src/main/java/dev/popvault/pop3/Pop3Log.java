package dev.popvault.pop3;

/**
 * Receives the POP3 dialogue for verbose logs, one line at a time. Secrets (passwords, tokens, APOP
 * digests, SASL responses) are already redacted when lines reach it; message bodies are summarised
 * as {@code <N octets>}. Server lines are sanitised (control characters replaced).
 */
@FunctionalInterface
public interface Pop3Log {
  /** Discards every line. */
  Pop3Log NONE = (direction, text) -> {};

  /**
   * Records one line.
   *
   * @param direction {@code "C"} for what the client sent, {@code "S"} for what the server sent
   * @param text the line without its CRLF
   */
  void line(String direction, String text);
}
