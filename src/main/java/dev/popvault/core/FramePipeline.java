package dev.popvault.core;

import dev.popvault.archive.EncodedMessage;
import dev.popvault.archive.Frame;
import dev.popvault.ledger.ArchivedKey;
import dev.popvault.ledger.MessageRow;
import dev.popvault.mime.HeaderCapture;
import dev.popvault.mime.HeaderSummary;
import dev.popvault.pop3.BodyHandler;
import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * The frame pipeline: write → finish → force → re-read → verify → commit, one frame per batch of
 * messages. A finished frame is verified and committed on a background thread ({@link
 * FrameCommitter}) while the next batch is fetched.
 *
 * <ul>
 *   <li>M1: a frame's rows are committed only after that frame read back intact;
 *   <li>M4: on any failure the open frame is cut back ({@link OpenFrame#abort}), and so is a frame
 *       that did not verify; frames committed before stay.
 * </ul>
 *
 * <p>Used by one thread; the ports below are all it knows of POP3, the archive and the ledger.
 */
final class FramePipeline implements AutoCloseable {
  /** Where the messages come from (RETR): bodies in the order of {@code numbers}. */
  interface Source {
    void retrieve(List<Integer> numbers, BodyHandler handler) throws IOException;
  }

  /** Where frames go: the account's archive files, one per period. */
  interface Store {
    /** Whether a frame begun at {@code now} goes to another file than the last one begun. */
    boolean switchesFileAt(Instant now);

    /** Begins a frame at the end of the file for {@code now}. */
    OpenFrame begin(Instant now) throws IOException;
  }

  /** One frame being written. */
  interface OpenFrame {
    EncodedMessage append(InputStream body, Instant receivedAt) throws IOException;

    /** Ends the frame; nothing is forced or checked yet. */
    void finish() throws IOException;

    /** Forces the file and re-reads the finished frame; throws if it differs (M1). */
    Frame verify() throws IOException;

    /** Records a verified frame and its messages (the ledger commit). */
    void commit(Frame verified, List<MessageRow> rows) throws IOException;

    /** Cuts the frame back; safe after a failure and when called twice (M4). */
    void abort() throws IOException;
  }

  /** Hears what the pipeline did. */
  interface Listener {
    /** A message was written to the open frame (not yet committed). */
    default void written(long wireBytes) {}

    /** A frame's rows were committed after its re-read matched. */
    void committed(List<MessageRow> rows);
  }

  /** A message to fetch: its number in this session and its key in the ledger. */
  record Planned(int number, ArchivedKey key) {}

  private final Source source;
  private final Store store;
  private final BooleanSupplier stop;
  private final Clock clock;
  private final int batchMessages;
  private final long batchBytes;
  private final Listener listener;
  private final FrameCommitter committer = new FrameCommitter();

  FramePipeline(
      Source source,
      Store store,
      BooleanSupplier stop,
      Clock clock,
      int batchMessages,
      long batchBytes,
      Listener listener) {
    this.source = source;
    this.store = store;
    this.stop = stop;
    this.clock = clock;
    this.batchMessages = batchMessages;
    this.batchBytes = batchBytes;
    this.listener = listener;
  }

  /**
   * Fetches {@code plan} in batches of at most {@code batchMessages} messages (and about {@code
   * batchBytes}); returns when every frame was committed, or after a stop once the frame in flight
   * is settled. A stop is honoured between messages: a frame holds whole messages only.
   */
  void run(List<Planned> plan) throws IOException {
    try {
      int next = 0;
      while (next < plan.size() && !stop.getAsBoolean()) {
        int end = next;
        long bytes = 0;
        while (end < plan.size()
            && end - next < batchMessages
            && (end == next || bytes < batchBytes)) {
          bytes += plan.get(end).key().listSize();
          end++;
        }
        Instant now = clock.instant();
        if (store.switchesFileAt(now)) {
          // The ledger and the old file are needed here: the frame in flight is settled first.
          settle(null);
        }
        fetchBatch(plan.subList(next, end), store.begin(now), now);
        next = end;
      }
      settle(null);
    } finally {
      if (committer.hasPending()) {
        // Only on a failure path that has not settled: learn the frame's fate before closing.
        try {
          settle(null);
        } catch (IOException | RuntimeException ignored) {
          // The failure already thrown is the one to report; recovery cuts what stays (M3).
        }
      }
    }
  }

  /** Streams one batch into {@code frame}, settles the previous frame, then submits this one. */
  private void fetchBatch(List<Planned> batch, OpenFrame frame, Instant now) throws IOException {
    Map<Integer, ArchivedKey> keys = new HashMap<>();
    List<Integer> numbers = new ArrayList<>(batch.size());
    for (Planned p : batch) {
      keys.put(p.number(), p.key());
      numbers.add(p.number());
    }
    List<MessageRow> rows = new ArrayList<>(batch.size());
    try {
      try {
        source.retrieve(
            numbers,
            (number, body) -> {
              if (stop.getAsBoolean()) {
                throw new StopRequested(); // only between messages: whole messages per frame
              }
              rows.add(write(frame, keys.get(number), body, now));
            });
      } catch (StopRequested e) {
        // The session is abandoned (pipelined replies may be in flight); what arrived is kept.
      }
      if (rows.isEmpty()) {
        frame.abort();
        settle(null);
        return;
      }
      frame.finish();
      settle(frame);
    } catch (IOException | RuntimeException | Error e) {
      // M4: this frame is cut back (it is never recorded), then the previous one is settled.
      try {
        frame.abort();
      } catch (IOException | RuntimeException secondary) {
        e.addSuppressed(secondary);
      }
      if (committer.hasPending()) {
        try {
          settle(null);
        } catch (IOException | RuntimeException | Error secondary) {
          e.addSuppressed(secondary);
        }
      }
      throw e;
    }
    // M1: the rows commit only after this frame is forced and re-read (on the committer's thread).
    // If the commit fails the bytes stay past the committed length, where recovery cuts them (M3).
    committer.submit(frame, verified -> frame.commit(verified, rows), rows);
  }

  private MessageRow write(OpenFrame frame, ArchivedKey key, InputStream body, Instant now)
      throws IOException {
    HeaderCapture capture = new HeaderCapture(body);
    EncodedMessage encoded = frame.append(capture, now);
    HeaderSummary headers = capture.summary();
    listener.written(encoded.wireLength());
    return new MessageRow(
        key.uidl(),
        key.listSize(),
        encoded.wireLength(),
        encoded.sha256(),
        encoded.offset(),
        encoded.length(),
        encoded.rawFromLine(),
        encoded.noFinalNewline(),
        headers.messageId(),
        headers.date(),
        headers.from(),
        headers.subject(),
        headers.to(),
        headers.cc(),
        now,
        null);
  }

  /**
   * Waits for the frame being verified and committed, if any, and reports its rows. If it failed,
   * cuts back {@code later} (the frame written meanwhile, if any) and, if it did not verify, the
   * frame itself, then throws its failure.
   */
  private void settle(OpenFrame later) throws IOException {
    if (!committer.hasPending()) {
      return;
    }
    FrameCommitter.Outcome outcome = committer.await();
    Throwable failure = outcome.failure();
    if (failure == null) {
      listener.committed(outcome.rows());
      return;
    }
    if (later != null) {
      try {
        later.abort();
      } catch (IOException | RuntimeException secondary) {
        failure.addSuppressed(secondary);
      }
    }
    if (!outcome.verified()) {
      try {
        outcome.frame().abort();
      } catch (IOException | RuntimeException secondary) {
        failure.addSuppressed(secondary);
      }
    }
    Failures.rethrow(failure, "frame verification failed");
  }

  /** Stops the verifying thread; {@link #run} has settled every frame by then. */
  @Override
  public void close() {
    committer.close();
  }

  /** Signals, from inside the RETR handler, that a stop was requested between two messages. */
  private static final class StopRequested extends IOException {
    private static final long serialVersionUID = 1L;

    StopRequested() {
      super("stop requested", null);
    }
  }
}
