package dev.popvault.core;

/**
 * Reports a failure the user can act on: a one-line message and the exit code it maps to. Anything
 * that is not a {@code PopvaultException} is a bug and keeps its stack trace. Messages never
 * contain secrets.
 */
public class PopvaultException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final int exitCode;

  public PopvaultException(int exitCode, String message) {
    super(message);
    this.exitCode = exitCode;
  }

  public PopvaultException(int exitCode, String message, Throwable cause) {
    super(message, cause);
    this.exitCode = exitCode;
  }

  /** Returns the process exit code this failure maps to (see {@link ExitCode}). */
  public int exitCode() {
    return exitCode;
  }
}
