package dev.popvault.core;

/**
 * Carries a request to stop cleanly (SIGTERM, Ctrl-C). The run checks it between messages: it then
 * finishes and verifies the open frame, commits what was verified, sends no DELE, and exits 75
 * (SIGTERM) or 130 (SIGINT).
 */
public final class StopRequest {
  private volatile String signal;

  /**
   * Records that a stop was requested by the named signal ("TERM" or "INT"); the first request
   * wins.
   */
  public void request(String signalName) {
    if (signal == null) {
      signal = signalName;
    }
  }

  /** Tells whether a stop was requested. */
  public boolean requested() {
    return signal != null;
  }

  /** Returns the exit code for the requested stop: 130 for Ctrl-C, 75 otherwise. */
  int exitCode() {
    return "INT".equals(signal) ? ExitCode.INTERRUPTED : ExitCode.TEMPORARY;
  }

  /** Names the signal for messages. */
  String signalName() {
    return signal == null ? "none" : "SIG" + signal;
  }
}
