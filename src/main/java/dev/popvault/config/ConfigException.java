package dev.popvault.config;

/**
 * Reports a configuration mistake (bad URL, unreadable password source) in one line, without
 * secrets.
 */
public final class ConfigException extends Exception {
  private static final long serialVersionUID = 1L;

  public ConfigException(String message) {
    super(message);
  }

  public ConfigException(String message, Throwable cause) {
    super(message, cause);
  }
}
