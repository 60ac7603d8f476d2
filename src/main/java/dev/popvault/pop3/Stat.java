package dev.popvault.pop3;

/**
 * The maildrop summary from STAT.
 *
 * @param count number of messages, not counting those marked deleted
 * @param size total size in octets
 */
record Stat(int count, long size) {
  /** Validates that both values are non-negative. */
  Stat {
    if (count < 0 || size < 0) {
      throw new IllegalArgumentException("negative STAT values");
    }
  }
}
