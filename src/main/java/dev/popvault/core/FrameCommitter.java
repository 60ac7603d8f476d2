package dev.popvault.core;

import dev.popvault.archive.Frame;
import dev.popvault.ledger.MessageRow;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Verifies and records finished frames on one background thread, so that the next batch is fetched
 * while the previous frame is forced, re-read and committed. Holds at most one frame: {@link
 * #submit} requires that the previous one was {@link #await}ed, which keeps the ledger in frame
 * order and memory bounded. M1 holds per frame: the commit step runs only after that frame's own
 * {@link FramePipeline.OpenFrame#verify} succeeded.
 *
 * <p>Used by one thread (the fetching one); the ledger and archive file are touched by the
 * background thread only between {@link #submit} and {@link #await}, and {@link #await} gives the
 * happens-before edge back.
 */
final class FrameCommitter implements AutoCloseable {
  /** Records a verified frame (in the ledger). */
  interface Commit {
    void commit(Frame verified) throws IOException;
  }

  /**
   * What became of a submitted frame: {@code failure} is null on success; {@code verified} tells
   * whether the frame passed verification (a frame that did not must be aborted).
   */
  record Outcome(
      FramePipeline.OpenFrame frame, List<MessageRow> rows, boolean verified, Throwable failure) {}

  private final ExecutorService executor =
      Executors.newSingleThreadExecutor(
          task -> {
            Thread thread = new Thread(task, "popvault-verify");
            thread.setDaemon(true);
            return thread;
          });
  private Future<Outcome> pending;

  /** Returns whether a frame was submitted and not yet awaited. */
  boolean hasPending() {
    return pending != null;
  }

  /** Starts verifying {@code frame} (already finished) and then, if it verified, commits it. */
  void submit(FramePipeline.OpenFrame frame, Commit commit, List<MessageRow> rows) {
    if (pending != null) {
      throw new IllegalStateException("a frame is already being verified");
    }
    pending =
        executor.submit(
            () -> {
              Frame verified;
              try {
                verified = frame.verify();
              } catch (Throwable e) {
                return new Outcome(frame, rows, false, e);
              }
              try {
                commit.commit(verified);
                return new Outcome(frame, rows, true, null);
              } catch (Throwable e) {
                return new Outcome(frame, rows, true, e);
              }
            });
  }

  /** Waits for the submitted frame; never throws for the frame's own failure (see Outcome). */
  Outcome await() {
    if (pending == null) {
      throw new IllegalStateException("no frame is being verified");
    }
    Future<Outcome> waiting = pending;
    pending = null;
    boolean interrupted = false;
    try {
      while (true) {
        try {
          return waiting.get();
        } catch (InterruptedException e) {
          // The frame's fate must be known before anything else touches the file or ledger.
          interrupted = true;
        } catch (ExecutionException e) {
          // The task catches everything itself: only a broken executor gets here.
          throw new IllegalStateException("frame verification task failed", e.getCause());
        }
      }
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** Stops the background thread; the caller awaits a pending frame first (its fate matters). */
  @Override
  public void close() {
    executor.shutdown();
  }
}
