package dev.popvault.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.popvault.archive.ArchiveFile;
import dev.popvault.archive.ArchiveVerifyException;
import dev.popvault.archive.Codec;
import dev.popvault.archive.EncodedMessage;
import dev.popvault.archive.Frame;
import dev.popvault.archive.FrameWriter;
import dev.popvault.ledger.MessageRow;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The frame pipeline at unit level (M1, M4): a real archive file on disk, a commit step that
 * records what it was given. The disk is made to disagree with what was written between finishing
 * the frame and its re-read, so a pipeline that commits before (or without) the re-read fails here.
 */
class FrameCommitterTest {
  private static final Instant AT = Instant.parse("2026-12-05T12:00:00Z");

  @TempDir Path dir;

  private final List<String> events = Collections.synchronizedList(new ArrayList<>());

  private FramePipeline.OpenFrame frameOf(ArchiveFile file, String... bodies) throws IOException {
    FrameWriter frame = file.beginFrame();
    for (String body : bodies) {
      frame.append(new ByteArrayInputStream(body.getBytes(StandardCharsets.US_ASCII)), AT);
    }
    frame.finish();
    return new Written(frame);
  }

  /** A finished frame of a real file; the committer's Commit step stands for the ledger. */
  private record Written(FrameWriter frame) implements FramePipeline.OpenFrame {
    @Override
    public EncodedMessage append(InputStream body, Instant receivedAt) {
      throw new IllegalStateException("finished");
    }

    @Override
    public void finish() {}

    @Override
    public Frame verify() throws IOException {
      return frame.verify();
    }

    @Override
    public void commit(Frame verified, List<MessageRow> rows) {
      throw new IllegalStateException("the committer commits through its Commit step");
    }

    @Override
    public void abort() throws IOException {
      frame.abort();
    }
  }

  private static void flipByteAt(Path file, long offset) throws IOException {
    try (FileChannel c =
        FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      ByteBuffer one = ByteBuffer.allocate(1);
      c.read(one, offset);
      one.flip();
      one.put(0, (byte) (one.get(0) ^ 0x20));
      c.write(one, offset);
    }
  }

  @Test
  void m1_aFrameIsCommittedAfterItsReReadMatchesAndWithWhatWasReRead() throws IOException {
    Path path = dir.resolve("a.mbox");
    try (ArchiveFile file = ArchiveFile.openForAppend(path, Codec.NONE, 0);
        FrameCommitter committer = new FrameCommitter()) {
      FramePipeline.OpenFrame frame =
          frameOf(file, "Subject: a\r\n\r\none\r\n", "Subject: b\r\n\r\ntwo\r\n");
      committer.submit(
          frame, f -> events.add("commit " + f.offset() + "+" + f.length()), List.of());
      FrameCommitter.Outcome outcome = committer.await();

      assertThat(outcome.failure()).isNull();
      assertThat(outcome.verified()).isTrue();
      assertThat(events).containsExactly("commit 0+" + file.length());
    }
  }

  @Test
  void m1_aFrameThatDoesNotReadBackIsNeverCommitted() throws IOException {
    Path path = dir.resolve("b.mbox");
    try (ArchiveFile file = ArchiveFile.openForAppend(path, Codec.NONE, 0);
        FrameCommitter committer = new FrameCommitter()) {
      FramePipeline.OpenFrame frame = frameOf(file, "Subject: a\r\n\r\nbody to be damaged\r\n");
      // The disk now holds something else than what was written and hashed.
      flipByteAt(path, file.length() - 4);
      committer.submit(frame, f -> events.add("commit"), List.of());
      FrameCommitter.Outcome outcome = committer.await();

      assertThat(events).as("committed without a matching re-read").isEmpty();
      assertThat(outcome.verified()).isFalse();
      assertThat(outcome.failure()).isInstanceOf(ArchiveVerifyException.class);
    }
  }

  @Test
  void m4_aFailedCommitIsReportedWithTheVerifiedFrameSoTheCallerCanCutIt() throws IOException {
    Path path = dir.resolve("c.mbox");
    try (ArchiveFile file = ArchiveFile.openForAppend(path, Codec.NONE, 0);
        FrameCommitter committer = new FrameCommitter()) {
      FramePipeline.OpenFrame frame = frameOf(file, "Subject: a\r\n\r\none\r\n");
      IOException full = new IOException("disk full");
      committer.submit(
          frame,
          f -> {
            throw full;
          },
          List.of());
      FrameCommitter.Outcome outcome = committer.await();

      assertThat(outcome.verified()).isTrue();
      assertThat(outcome.failure()).isSameAs(full);
      assertThat(outcome.frame()).isSameAs(frame);
    }
  }

  @Test
  void framesCommitInSubmissionOrderOneAtATime() throws IOException {
    Path path = dir.resolve("d.mbox");
    try (ArchiveFile file = ArchiveFile.openForAppend(path, Codec.NONE, 0);
        FrameCommitter committer = new FrameCommitter()) {
      List<Frame> committed = new ArrayList<>();
      for (String body : List.of("one", "two", "three")) {
        FramePipeline.OpenFrame frame =
            frameOf(file, "Subject: " + body + "\r\n\r\n" + body + "\r\n");
        committer.submit(frame, committed::add, List.of());
        assertThat(committer.await().failure()).isNull();
      }
      assertThat(committed).extracting(Frame::offset).isSorted().doesNotHaveDuplicates();
      assertThat(committed.get(2).offset() + committed.get(2).length()).isEqualTo(file.length());
    }
  }
}
