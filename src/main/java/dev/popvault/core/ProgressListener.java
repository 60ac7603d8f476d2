package dev.popvault.core;

/**
 * Receives progress of an archive run, e.g. for a progress line on a terminal. Called on the run's
 * thread.
 */
public interface ProgressListener {
  /** Ignores everything. */
  ProgressListener NONE = new ProgressListener() {};

  /** Reports the plan: how many messages and bytes (by LIST size) will be fetched. */
  default void planned(int messages, long bytes) {}

  /** Reports one message archived into the open frame (not yet committed). */
  default void archived(long wireBytes) {}

  /** Reports that the run ended, successfully or not. */
  default void finished() {}
}
