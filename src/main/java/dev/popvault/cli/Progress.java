package dev.popvault.cli;

import dev.popvault.core.ProgressListener;
import java.io.PrintWriter;
import java.util.Locale;

/**
 * Draws a live progress line (messages, bytes, rate, ETA) on stderr — only on a terminal, never on
 * a pipe, in {@code -q} or with {@code --json}. Redraws at most five times a second.
 */
final class Progress {
  private final PrintWriter err;
  private final boolean enabled;

  private Progress(PrintWriter err, boolean enabled) {
    this.err = err;
    this.enabled = enabled;
  }

  /**
   * Returns a progress line that is drawn only when stderr is a terminal and not {@code
   * suppressed}.
   */
  static Progress forTerminal(PrintWriter err, boolean suppressed) {
    return new Progress(err, !suppressed && System.console() != null);
  }

  /** Seconds as a person reads a remaining time: 0:42, 12:05, 1:21:34. */
  static String clock(long seconds) {
    long h = seconds / 3600;
    long m = seconds / 60 % 60;
    long s = seconds % 60;
    return h > 0
        ? String.format(Locale.ROOT, "%d:%02d:%02d", h, m, s)
        : String.format(Locale.ROOT, "%d:%02d", m, s);
  }

  ProgressListener forAccount(String account) {
    if (!enabled) {
      return ProgressListener.NONE;
    }
    return new ProgressListener() {
      private final long start = System.nanoTime();
      private int total;
      private long totalBytes;
      private int done;
      private long doneBytes;
      private long lastDraw;

      @Override
      public void planned(int messages, long bytes) {
        total = messages;
        totalBytes = bytes;
      }

      @Override
      public void archived(long wireBytes) {
        done++;
        doneBytes += wireBytes;
        long now = System.nanoTime();
        if (now - lastDraw > 200_000_000L || done == total) {
          lastDraw = now;
          draw(now);
        }
      }

      private void draw(long now) {
        double seconds = Math.max(1e-3, (now - start) / 1e9);
        double rate = doneBytes / seconds;
        long eta = rate > 0 ? (long) ((totalBytes - doneBytes) / rate) : 0;
        String line =
            String.format(
                Locale.ROOT,
                "%s: %d/%d messages, %.1f/%.1f MB, %.1f MB/s, ETA %s",
                account,
                done,
                total,
                doneBytes / 1e6,
                totalBytes / 1e6,
                rate / 1e6,
                clock(Math.max(0, eta)));
        synchronized (err) {
          err.print("\r\033[K" + line);
          err.flush();
        }
      }

      @Override
      public void finished() {
        if (done > 0) {
          synchronized (err) {
            err.print("\r\033[K");
            err.flush();
          }
        }
      }
    };
  }
}
