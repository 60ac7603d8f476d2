package dev.popvault.archive;

import java.io.InputStream;
import java.lang.management.ManagementFactory;
import org.junit.jupiter.api.Assumptions;

/** Produces a long message from a repeating pattern without holding it in memory. */
final class Generated extends InputStream {
  private final byte[] pattern;
  private long remaining;
  private int phase;

  Generated(String pattern, long length) {
    this.pattern = Mboxrd.b(pattern);
    this.remaining = length;
  }

  @Override
  public int read() {
    byte[] one = new byte[1];
    return read(one, 0, 1) == -1 ? -1 : one[0] & 0xff;
  }

  @Override
  public int read(byte[] b, int off, int len) {
    if (remaining == 0) {
      return -1;
    }
    int n = (int) Math.min(len, remaining);
    for (int done = 0; done < n; ) {
      int run = Math.min(n - done, pattern.length - phase);
      System.arraycopy(pattern, phase, b, off + done, run);
      done += run;
      phase = (phase + run) % pattern.length;
    }
    remaining -= n;
    return n;
  }

  /**
   * Returns the bytes this thread has allocated so far, or aborts the test if the JVM cannot tell.
   */
  static long allocatedByThisThread() {
    if (ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean t
        && t.isThreadAllocatedMemorySupported()
        && t.isThreadAllocatedMemoryEnabled()) {
      return t.getThreadAllocatedBytes(Thread.currentThread().getId());
    }
    Assumptions.abort("this JVM cannot measure per-thread allocation");
    return 0;
  }
}
