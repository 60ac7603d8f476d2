package dev.popvault.archive;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Writes one frame: messages are appended as mboxrd into one compressor; {@link #finish} ends the
 * frame and {@link #verify} forces it to disk and proves it reads back as written ({@link
 * #finishAndVerify} does both). Obtained from {@link ArchiveFile#beginFrame}; not thread-safe,
 * except that {@link #verify} may run on another thread while the file's next frame is written (it
 * only forces the channel and re-reads this frame's own byte range through a fresh channel).
 *
 * <p>After any failure (an exception from {@link #append}, {@link #finish} or {@link #verify}) the
 * frame can only be aborted: its bytes are in an unknown state and must not be recorded.
 */
public final class FrameWriter {
  private static final int BUFFER = 64 * 1024;

  private enum State {
    OPEN,
    FAILED,
    FINISHED,
    ABORTED
  }

  private final ArchiveFile file;
  private final FileChannel channel;
  private final long frameOffset;
  private final ChannelStreams.Sink sink;
  // Room in the heap for this frame's encoder, held from the constructor until the compressor ends.
  private final EncoderBudget.Permit permit;
  private final OutputStream compressor;
  private final BulkOutput out;
  private final MboxrdEncoder encoder;
  private final List<EncodedMessage> messages = new ArrayList<>();
  private volatile State state = State.OPEN;
  private long length;

  FrameWriter(ArchiveFile file, FileChannel channel, long frameOffset) throws IOException {
    this.file = file;
    this.channel = channel;
    this.frameOffset = frameOffset;
    this.sink = new ChannelStreams.Sink(channel, frameOffset);
    this.permit = EncoderBudget.acquire(file.codec());
    try {
      // Compressed output is batched before the channel; the channel stays open when the
      // compressor closes.
      this.compressor = file.codec().compressor(new BufferedOutputStream(sink, BUFFER));
    } catch (IOException | RuntimeException | Error e) {
      permit.release();
      throw e;
    }
    this.out = new BulkOutput(compressor, BUFFER);
    this.encoder = new MboxrdEncoder(out, BUFFER);
  }

  /** Returns the file offset where this frame starts. */
  public long frameOffset() {
    return frameOffset;
  }

  /**
   * Streams one message from {@code body} (read to EOF, not closed) into the frame as mboxrd,
   * computing the SHA-256 and length of the input bytes on the way. Memory does not depend on
   * message size.
   *
   * @param body the message as the server sent it, after dot-unstuffing (untrusted: any bytes)
   * @param receivedAt when the message was archived; goes into the mbox separator line
   */
  public EncodedMessage append(InputStream body, Instant receivedAt) throws IOException {
    Objects.requireNonNull(body, "body");
    Objects.requireNonNull(receivedAt, "receivedAt");
    requireOpen();
    state = State.FAILED;
    long offset = out.written();
    MboxrdEncoder.Result r = encoder.encode(body, receivedAt);
    EncodedMessage m =
        new EncodedMessage(
            offset,
            r.encodedLength(),
            r.wireLength(),
            r.sha256(),
            r.rawFromLine(),
            r.noFinalNewline());
    messages.add(m);
    state = State.OPEN;
    return m;
  }

  /** Returns how many messages were appended. */
  public int messageCount() {
    return messages.size();
  }

  /** Returns the size of the frame's decompressed content so far. */
  public long uncompressedBytes() {
    return out.written();
  }

  /**
   * Finishes the frame (compressor end), flushes, forces the file ({@code force(true)}), then
   * re-reads the frame from disk through a fresh channel, decompresses and decodes every message
   * again and checks the length and SHA-256 of each against what {@link #append} returned, and that
   * the decompressed frame holds exactly those bytes.
   *
   * @return the frame, to be recorded in the ledger
   * @throws ArchiveVerifyException if the re-read differs; the caller must {@link #abort} and stop
   */
  public Frame finishAndVerify() throws IOException {
    finish();
    return verify();
  }

  /**
   * Ends the frame: closes the compressor and hands every byte to the file, which may then begin
   * its next frame after this one. Nothing is forced or checked yet: the frame must pass {@link
   * #verify} before it may be recorded.
   */
  public void finish() throws IOException {
    requireOpen();
    state = State.FAILED;
    out.flush();
    compressor.close();
    permit.release();
    length = sink.position() - frameOffset;
    state = State.FINISHED;
    file.frameFinished(this, frameOffset + length);
  }

  /**
   * Forces the file and proves the finished frame reads back from disk as written (see {@link
   * #finishAndVerify}). May run on another thread than the writer's.
   *
   * @return the frame, to be recorded in the ledger
   * @throws ArchiveVerifyException if the re-read differs; the caller must {@link #abort} and stop
   */
  public Frame verify() throws IOException {
    if (state != State.FINISHED) {
      throw new IllegalStateException("frame at offset " + frameOffset + " is " + state);
    }
    channel.force(true);
    List<ExpectedMessage> expected = new ArrayList<>(messages.size());
    for (int i = 0; i < messages.size(); i++) {
      expected.add(new ExpectedMessage("#" + (i + 1), messages.get(i)));
    }
    List<String> problems = new ArrayList<>();
    String where = file.path() + ": frame at offset " + frameOffset;
    // Read from disk, not from any buffer of ours: this proves what a later reader will see.
    try (FileChannel reread = FileChannel.open(file.path(), StandardOpenOption.READ)) {
      FrameChecker.check(reread, file.codec(), frameOffset, length, expected, where, problems);
    }
    if (!problems.isEmpty()) {
      throw new ArchiveVerifyException(
          "verify after write failed: "
              + problems.get(0)
              + (problems.size() > 1 ? " (and " + (problems.size() - 1) + " more)" : ""),
          problems);
    }
    return new Frame(frameOffset, length, List.copyOf(messages));
  }

  /**
   * Abandons the frame: truncates the file back to {@link #frameOffset} and forces it. Safe to call
   * after a failure, and after {@link #finish} or {@link #verify} as long as no later frame is
   * alive (a later frame must be aborted first); calling it again does nothing.
   *
   * @throws IllegalStateException if a later frame of the same file was begun and not aborted
   */
  public void abort() throws IOException {
    if (state == State.ABORTED) {
      return;
    }
    if (!file.isLast(this)) {
      throw new IllegalStateException(
          "a later frame was begun; cannot abort frame at " + frameOffset);
    }
    if (state == State.OPEN || state == State.FAILED) {
      // Let the compressor release its native resources without writing anything more to the file.
      sink.discard();
      try {
        compressor.close();
      } catch (IOException | RuntimeException | OutOfMemoryError ignored) {
        // The frame is being thrown away; its compressor's state does not matter. Not even an
        // OutOfMemoryError (a heap exhausted by the failure being handled) may skip the cut below.
      }
      permit.release();
    }
    state = State.ABORTED;
    channel.truncate(frameOffset);
    channel.force(true);
    file.frameAborted(this);
  }

  private void requireOpen() {
    if (state != State.OPEN) {
      throw new IllegalStateException("frame at offset " + frameOffset + " is " + state);
    }
    if (file.isClosed()) {
      throw new IllegalStateException("archive file is closed");
    }
  }
}
