package dev.popvault.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.popvault.archive.ArchiveVerifyException;
import dev.popvault.archive.EncodedMessage;
import dev.popvault.archive.Frame;
import dev.popvault.ledger.ArchivedKey;
import dev.popvault.ledger.MessageRow;
import dev.popvault.pop3.BodyHandler;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The frame pipeline with fakes that record every call in order: RETR, append, finish, verify (the
 * re-read), commit (the ledger) and abort (the cut). M1 and M4 are checked on that record, so a
 * pipeline that commits before the re-read, commits a frame that did not read back, or leaves a
 * failed frame on disk fails here.
 */
class FramePipelineTest {
  private static final Clock CLOCK =
      Clock.fixed(Instant.parse("2026-12-05T12:00:00Z"), ZoneOffset.UTC);

  private final List<String> events = Collections.synchronizedList(new ArrayList<>());
  private final List<String> committedUidls = new ArrayList<>();
  private final FakeStore store = new FakeStore();
  private final FakeSource source = new FakeSource();
  private boolean stop;

  private FramePipeline.Listener listener() {
    return rows -> rows.forEach(r -> committedUidls.add(r.uidl()));
  }

  private void run(int messages, int batchMessages, long batchBytes) throws IOException {
    List<FramePipeline.Planned> plan = new ArrayList<>();
    for (int n = 1; n <= messages; n++) {
      plan.add(new FramePipeline.Planned(n, new ArchivedKey("u" + n, 60)));
    }
    try (FramePipeline pipeline =
        new FramePipeline(
            source, store, () -> stop, CLOCK, batchMessages, batchBytes, listener())) {
      pipeline.run(plan);
    }
  }

  /** Index of the first event that starts with {@code event}. */
  private int at(String event) {
    synchronized (events) {
      for (int i = 0; i < events.size(); i++) {
        if (events.get(i).startsWith(event)) {
          return i;
        }
      }
    }
    throw new AssertionError("no event " + event + " in " + events);
  }

  @Test
  void m1_eachFrameIsCommittedOnlyAfterItsOwnReReadMatched() throws IOException {
    run(5, 2, Long.MAX_VALUE);

    assertThat(committedUidls).containsExactly("u1", "u2", "u3", "u4", "u5");
    for (String f : List.of("f1", "f2", "f3")) {
      assertThat(at("finish " + f)).isLessThan(at("verify " + f));
      assertThat(at("verify " + f)).as("re-read before commit").isLessThan(at("commit " + f));
    }
    assertThat(events).contains("commit f1 [u1, u2]", "commit f2 [u3, u4]", "commit f3 [u5]");
    assertThat(events).noneMatch(e -> e.startsWith("abort"));
  }

  @Test
  void m1_aFrameThatDoesNotReadBackIsNeverCommittedAndIsCutBackWithTheFrameAfterIt() {
    store.failVerifyOf = "f2";

    assertThatThrownBy(() -> run(6, 2, Long.MAX_VALUE)).isInstanceOf(ArchiveVerifyException.class);

    assertThat(events).noneMatch(e -> e.startsWith("commit f2") || e.startsWith("commit f3"));
    assertThat(events).contains("abort f2", "abort f3");
    // The frame written after it is cut first: a file is cut from its end.
    assertThat(at("abort f3")).isLessThan(at("abort f2"));
    assertThat(committedUidls).containsExactly("u1", "u2");
  }

  @Test
  void m4_aFailureWhileFetchingCutsTheOpenFrameAndKeepsTheCommittedOnes() {
    source.failBefore = 4;

    assertThatThrownBy(() -> run(6, 2, Long.MAX_VALUE)).hasMessage("connection reset");

    assertThat(events).contains("abort f2").doesNotContain("finish f2");
    assertThat(events).noneMatch(e -> e.startsWith("commit f2"));
    assertThat(committedUidls).containsExactly("u1", "u2");
    assertThat(events).noneMatch(e -> e.equals("abort f1"));
  }

  @Test
  void m4_aFailedCommitCutsTheFrameWrittenMeanwhileAndRecordsNothingMore() {
    store.failCommitOf = "f1";

    assertThatThrownBy(() -> run(4, 2, Long.MAX_VALUE)).hasMessage("disk full");

    assertThat(events).contains("abort f2");
    assertThat(events).noneMatch(e -> e.startsWith("commit f2"));
    assertThat(committedUidls).isEmpty();
  }

  @Test
  void aStopBetweenMessagesCommitsTheWholeMessagesReceivedAndFetchesNoMore() throws IOException {
    source.onMessage = n -> stop = n == 3;

    run(6, 5, Long.MAX_VALUE);

    assertThat(committedUidls).containsExactly("u1", "u2", "u3");
    assertThat(events).doesNotContain("retr [6]");
    assertThat(at("verify f1")).isLessThan(at("commit f1 [u1, u2, u3]"));
  }

  @Test
  void batchesCloseAtTheByteLimitAfterTheMessageThatCrossesIt() throws IOException {
    run(5, 100, 100);

    assertThat(events).contains("retr [1, 2]", "retr [3, 4]", "retr [5]");
  }

  @Test
  void theFrameInFlightIsSettledBeforeANewFileIsBegun() throws IOException {
    store.switchAtBegin = 3;

    run(6, 2, Long.MAX_VALUE);

    assertThat(at("commit f2 [u3, u4]")).isLessThan(at("begin f3 in file 2"));
    assertThat(committedUidls).hasSize(6);
  }

  /** RETR: each message is "Subject: uN". */
  private final class FakeSource implements FramePipeline.Source {
    int failBefore = Integer.MAX_VALUE;
    java.util.function.IntConsumer onMessage = n -> {};

    @Override
    public void retrieve(List<Integer> numbers, BodyHandler handler) throws IOException {
      events.add("retr " + numbers);
      for (int n : numbers) {
        if (n >= failBefore) {
          throw new IOException("connection reset");
        }
        String text = "Subject: u" + n + "\r\n\r\nbody " + n + "\r\n";
        handler.body(n, new ByteArrayInputStream(text.getBytes(StandardCharsets.US_ASCII)));
        onMessage.accept(n);
      }
    }
  }

  private final class FakeStore implements FramePipeline.Store {
    final AtomicInteger begun = new AtomicInteger();
    int file;
    int switchAtBegin = -1;
    String failVerifyOf;
    String failCommitOf;

    @Override
    public boolean switchesFileAt(Instant now) {
      return file == 0 || begun.get() + 1 == switchAtBegin;
    }

    @Override
    public FramePipeline.OpenFrame begin(Instant now) {
      if (switchesFileAt(now)) {
        file++;
      }
      String name = "f" + begun.incrementAndGet();
      events.add("begin " + name + " in file " + file);
      return new FakeFrame(name);
    }

    private final class FakeFrame implements FramePipeline.OpenFrame {
      private final String name;
      private long offset;

      FakeFrame(String name) {
        this.name = name;
      }

      @Override
      public EncodedMessage append(InputStream body, Instant receivedAt) throws IOException {
        long length = body.readAllBytes().length;
        events.add("append " + name);
        EncodedMessage m = new EncodedMessage(offset, length, length, new byte[32], -1, false);
        offset += length;
        return m;
      }

      @Override
      public void finish() {
        events.add("finish " + name);
      }

      @Override
      public Frame verify() throws IOException {
        events.add("verify " + name);
        if (name.equals(failVerifyOf)) {
          throw new ArchiveVerifyException("verify after write failed", List.of("differs"));
        }
        return new Frame(0, offset, List.of());
      }

      @Override
      public void commit(Frame verified, List<MessageRow> rows) throws IOException {
        if (name.equals(failCommitOf)) {
          throw new IOException("disk full");
        }
        events.add("commit " + name + " " + rows.stream().map(MessageRow::uidl).toList());
      }

      @Override
      public void abort() {
        events.add("abort " + name);
      }
    }
  }
}
