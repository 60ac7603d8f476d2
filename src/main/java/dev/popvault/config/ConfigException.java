package dev.popvault.config;

/**
 * Reports a configuration mistake (bad URL, unreadable password source, a bad value) in one line,
 * without secrets. A mistake in what was typed on the command line is a usage error ({@link
 * #usage()}); one in the accounts file or the environment is a configuration error.
 */
public final class ConfigException extends Exception {
  private static final long serialVersionUID = 1L;
  private final boolean usage;

  public ConfigException(String message) {
    this(message, false);
  }

  public ConfigException(String message, Throwable cause) {
    super(message, cause);
    this.usage = false;
  }

  /**
   * Reports a mistake.
   *
   * @param usage true when the bad value was given on the command line
   */
  public ConfigException(String message, boolean usage) {
    super(message);
    this.usage = usage;
  }

  /** Tells whether the mistake is in the command line (exit 64) rather than the file (78). */
  public boolean usage() {
    return usage;
  }
}
