package dev.popvault.core;

/**
 * Publishes popvault's exit codes (sysexits, as mpop uses them). These numbers are API: scripts and
 * cron wrappers depend on them, so they never change meaning.
 */
public final class ExitCode {
  public static final int OK = 0;
  public static final int USAGE = 64;
  public static final int DATA_ERROR = 65;
  public static final int UNAVAILABLE = 69;
  public static final int SOFTWARE = 70;
  public static final int IO_ERROR = 74;
  public static final int TEMPORARY = 75;
  public static final int PROTOCOL = 76;
  public static final int NO_PERMISSION = 77;
  public static final int CONFIG = 78;
  public static final int INTERRUPTED = 130;

  private ExitCode() {}
}
