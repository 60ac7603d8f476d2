package dev.popvault.core;

import dev.popvault.core.FramePipeline.Planned;
import java.util.ArrayList;
import java.util.List;

/**
 * The per-run limits of {@code archive}: which planned messages this run fetches. A pure function
 * of the plan, so the rules are unit-tested apart from any session.
 *
 * @param maxSize messages larger than this (LIST size) are not fetched; 0: no limit
 * @param maxMessages at most this many messages are fetched; 0: no limit
 * @param maxBytes at most this many bytes (LIST sizes) are fetched, but the first message always
 *     goes, so one big message cannot stall the mailbox; 0: no limit
 * @param checkpoint QUIT and log in again after this many messages; 0: one session
 * @param untilDone log in again while each session brings new messages (servers such as Gmail list
 *     only a few hundred at a time), at most {@link #MAX_SESSIONS} sessions
 */
record RunLimits(long maxSize, int maxMessages, long maxBytes, int checkpoint, boolean untilDone) {
  /** No limit. */
  static final RunLimits NONE = new RunLimits(0, 0, 0, 0, false);

  /** The most sessions one run opens. */
  static final int MAX_SESSIONS = 100;

  RunLimits {
    if (maxSize < 0 || maxMessages < 0 || maxBytes < 0 || checkpoint < 0) {
      throw new IllegalArgumentException("negative run limit");
    }
  }

  /**
   * What a plan becomes under the limits.
   *
   * @param fetch the messages to fetch now, in plan order
   * @param tooBig the messages larger than {@code maxSize}, never fetched while that holds
   * @param deferred how many messages wait for a later run ({@code maxMessages}, {@code maxBytes})
   */
  record Applied(List<Planned> fetch, List<Planned> tooBig, int deferred) {}

  /** True when the run may log in more than once. */
  boolean loginsAgain() {
    return checkpoint > 0 || untilDone;
  }

  /** True when {@code size} is above {@code maxSize}. */
  boolean tooBig(long size) {
    return maxSize > 0 && size > maxSize;
  }

  /**
   * Applies the limits to a session's plan, counting what earlier sessions of the run fetched.
   *
   * @param fetchedBefore messages fetched by earlier sessions of this run
   * @param bytesBefore their LIST sizes
   */
  Applied apply(List<Planned> plan, int fetchedBefore, long bytesBefore) {
    List<Planned> fetch = new ArrayList<>();
    List<Planned> tooBig = new ArrayList<>();
    int deferred = 0;
    long bytes = bytesBefore;
    for (Planned p : plan) {
      long size = p.key().listSize();
      if (tooBig(size)) {
        tooBig.add(p);
      } else if (maxMessages > 0 && fetchedBefore + fetch.size() >= maxMessages
          || maxBytes > 0 && fetchedBefore + fetch.size() > 0 && bytes + size > maxBytes) {
        deferred++;
      } else {
        fetch.add(p);
        bytes += size;
      }
    }
    return new Applied(fetch, tooBig, deferred);
  }
}
