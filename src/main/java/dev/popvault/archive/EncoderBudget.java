package dev.popvault.archive;

import java.util.concurrent.Semaphore;

/**
 * Bounds how many xz encoders live at once, so that they fit in the heap together: accounts
 * archived in parallel ({@code --parallel}) take turns at writing xz frames when the heap holds
 * only one encoder (the launcher's 128 MiB). Other codecs need no permit: zstd and gzip keep their
 * state outside the heap, in a few MiB, and none has no state.
 *
 * <p>A permit is taken when a frame is begun and given back when its compressor has ended ({@link
 * FrameWriter#finish}) or the frame is aborted, so a thread holds at most one and never waits for
 * another while holding it: no deadlock. The queue is fair, so a run that finishes a frame and
 * begins the next one lets a waiting run go first.
 */
final class EncoderBudget {
  /**
   * Heap one xz frame costs: the encoder ({@link Codec#XZ_DICTIONARY} 4 MiB: 47 MiB, as tukaani's
   * {@code LZMA2Options.getEncoderMemoryUsage} reports) plus the decoder that verifies the previous
   * frame meanwhile (4.1 MiB).
   */
  static final long XZ_FRAME_BYTES = 52L << 20;

  /** Heap kept for everything else in a run: ledger keys, listings, buffers, the CLI. */
  static final long RESERVE_BYTES = 48L << 20;

  private static final Semaphore XZ_PERMITS =
      new Semaphore(xzPermits(Runtime.getRuntime().maxMemory()), true);

  private EncoderBudget() {}

  /** Returns how many xz encoders fit in a heap of {@code maxHeap} bytes; at least one. */
  static int xzPermits(long maxHeap) {
    return (int)
        Math.max(1, Math.min(Integer.MAX_VALUE, (maxHeap - RESERVE_BYTES) / XZ_FRAME_BYTES));
  }

  /**
   * Waits for room for one encoder of {@code codec} and returns the permit; for codecs whose state
   * lives outside the heap, returns at once.
   */
  static Permit acquire(Codec codec) {
    if (codec != Codec.XZ) {
      return new Permit(null);
    }
    XZ_PERMITS.acquireUninterruptibly();
    return new Permit(XZ_PERMITS);
  }

  /** Takes and at once gives back an xz permit; returns whether one was free (for tests). */
  static boolean tryAcquireXz() {
    if (!XZ_PERMITS.tryAcquire()) {
      return false;
    }
    XZ_PERMITS.release();
    return true;
  }

  /** Room for one encoder; {@link #release} gives it back, once (later calls do nothing). */
  static final class Permit {
    private Semaphore from;

    private Permit(Semaphore from) {
      this.from = from;
    }

    synchronized void release() {
      if (from != null) {
        from.release();
        from = null;
      }
    }
  }
}
