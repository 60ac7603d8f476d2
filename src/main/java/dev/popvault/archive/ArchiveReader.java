package dev.popvault.archive;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/** Reads archives back: single messages for export, and whole files for {@code verify}. */
public final class ArchiveReader {
  private static final int BUFFER = 64 * 1024;

  private ArchiveReader() {}

  /**
   * Opens one message's original wire bytes (exact: what the server sent after dot-unstuffing).
   * Only the message's frame is decompressed, up to the end of the message. The stream checks the
   * recorded length and SHA-256 as it is read: reaching its end without an exception proves the
   * bytes exact. Closing it closes the file.
   *
   * @throws ArchiveCorruptException if the frame lies past the end of the file; reads throw it if
   *     the frame does not hold the message or the message does not match its length or SHA-256
   */
  public static InputStream openMessage(
      Path file, Codec codec, long frameOffset, long frameLength, EncodedMessage message)
      throws IOException {
    Objects.requireNonNull(file, "file");
    Objects.requireNonNull(codec, "codec");
    Objects.requireNonNull(message, "message");
    if (frameOffset < 0 || frameLength < 0) {
      throw new IllegalArgumentException("negative frame offset or length");
    }
    FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
    InputStream decompressed = null;
    try {
      long size = channel.size();
      if (frameOffset + frameLength > size) {
        throw new ArchiveCorruptException(
            file
                + ": frame at offset "
                + frameOffset
                + " ends at "
                + (frameOffset + frameLength)
                + " but the file is "
                + size
                + " bytes");
      }
      decompressed =
          codec.decompressor(
              Codec.buffered(
                  new ChannelStreams.Source(channel, frameOffset, frameOffset + frameLength)));
      try {
        decompressed.skipNBytes(message.offset());
      } catch (EOFException e) {
        throw new ArchiveCorruptException(
            file
                + ": frame at offset "
                + frameOffset
                + " ends before message offset "
                + message.offset(),
            e);
      }
      String where = file + ": frame at offset " + frameOffset + ", message at " + message.offset();
      return new MessageStream(channel, decompressed, message, where);
    } catch (IOException | RuntimeException e) {
      try {
        if (decompressed != null) {
          decompressed.close();
        }
        channel.close();
      } catch (IOException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw e;
    }
  }

  /**
   * Opens one message's stored (mboxrd) bytes as the archive file holds them, its {@code From_}
   * line included: {@code length} bytes from {@code offset} of the decompressed frame. Unlike
   * {@link #openMessage} nothing is checked as it is read; check the message with that afterwards.
   *
   * @throws ArchiveCorruptException if the frame lies past the end of the file or ends early
   */
  public static InputStream openStored(
      Path file, Codec codec, long frameOffset, long frameLength, EncodedMessage message)
      throws IOException {
    FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
    try {
      if (frameOffset + frameLength > channel.size()) {
        throw new ArchiveCorruptException(
            file + ": frame at offset " + frameOffset + " ends past the end of the file");
      }
      InputStream decompressed =
          codec.decompressor(
              Codec.buffered(
                  new ChannelStreams.Source(channel, frameOffset, frameOffset + frameLength)));
      try {
        decompressed.skipNBytes(message.offset());
      } catch (EOFException e) {
        decompressed.close();
        throw new ArchiveCorruptException(
            file + ": frame at offset " + frameOffset + " ends before the message", e);
      }
      return new StoredStream(decompressed, message.length(), channel);
    } catch (IOException | RuntimeException e) {
      channel.close();
      throw e;
    }
  }

  /** The first {@code remaining} bytes of a stream; closes it and the channel when closed. */
  private static final class StoredStream extends java.io.FilterInputStream {
    private long remaining;
    private final FileChannel channel;

    StoredStream(InputStream in, long remaining, FileChannel channel) {
      super(in);
      this.remaining = remaining;
      this.channel = channel;
    }

    @Override
    public int read() throws IOException {
      if (remaining <= 0) {
        return -1;
      }
      int b = in.read();
      if (b < 0) {
        throw new ArchiveCorruptException("the frame ends inside the message");
      }
      remaining--;
      return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (remaining <= 0) {
        return -1;
      }
      int n = in.read(b, off, (int) Math.min(len, remaining));
      if (n < 0) {
        throw new ArchiveCorruptException("the frame ends inside the message");
      }
      remaining -= n;
      return n;
    }

    @Override
    public void close() throws IOException {
      try {
        in.close();
      } finally {
        channel.close();
      }
    }
  }

  /**
   * Re-reads a file against what the ledger says it holds and reports every problem; one corrupt
   * frame does not stop the check of the others. Checks the file length against {@code
   * committedLength}, that the frames tile the file from 0 to the committed length, and every
   * message of every frame.
   *
   * @param frames the frames in file order, as recorded
   */
  public static VerifyReport verify(
      Path file, Codec codec, long committedLength, List<ExpectedFrame> frames) throws IOException {
    Objects.requireNonNull(file, "file");
    Objects.requireNonNull(codec, "codec");
    Objects.requireNonNull(frames, "frames");
    List<String> problems = new ArrayList<>();
    if (!Files.exists(file)) {
      problems.add(file + ": file is missing; " + committedLength + " bytes are committed");
      return new VerifyReport(file, 0, 0, problems);
    }
    int framesChecked = 0;
    int messagesChecked = 0;
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
      long size = channel.size();
      if (size < committedLength) {
        problems.add(
            file
                + ": file is "
                + (committedLength - size)
                + " bytes shorter than committed length "
                + committedLength);
      } else if (size > committedLength) {
        problems.add(
            file
                + ": torn tail: "
                + (size - committedLength)
                + " bytes past committed length "
                + committedLength);
      }
      checkTiling(file, committedLength, frames, problems);
      for (int i = 0; i < frames.size(); i++) {
        ExpectedFrame f = frames.get(i);
        String where = file + ": frame #" + (i + 1) + " at offset " + f.offset();
        long end = f.offset() + f.length();
        if (end > size) {
          problems.add(
              where + ": truncated frame: it ends at " + end + " but the file ends at " + size);
        }
        FrameChecker.check(channel, codec, f.offset(), f.length(), f.messages(), where, problems);
        framesChecked++;
        messagesChecked += f.messages().size();
      }
    }
    return new VerifyReport(file, framesChecked, messagesChecked, problems);
  }

  /**
   * Re-reads chosen frames of a file and returns, for each frame in the order given, the problems
   * found (empty: the frame decodes to exactly its recorded messages, each matching its length and
   * SHA-256). A missing file or a frame past the end of the file is a problem of that frame.
   */
  public static List<List<String>> checkFrames(Path file, Codec codec, List<ExpectedFrame> frames)
      throws IOException {
    Objects.requireNonNull(codec, "codec");
    List<List<String>> results = new ArrayList<>(frames.size());
    if (!Files.exists(file)) {
      for (ExpectedFrame f : frames) {
        results.add(List.of(file + ": frame at offset " + f.offset() + ": file is missing"));
      }
      return results;
    }
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
      long size = channel.size();
      for (ExpectedFrame f : frames) {
        List<String> problems = new ArrayList<>();
        String where = file + ": frame at offset " + f.offset();
        if (f.offset() + f.length() > size) {
          problems.add(
              where
                  + ": truncated frame: it ends at "
                  + (f.offset() + f.length())
                  + " but the file ends at "
                  + size);
        } else {
          FrameChecker.check(channel, codec, f.offset(), f.length(), f.messages(), where, problems);
        }
        results.add(List.copyOf(problems));
      }
    }
    return results;
  }

  private static void checkTiling(
      Path file, long committedLength, List<ExpectedFrame> frames, List<String> problems) {
    long expected = 0;
    for (int i = 0; i < frames.size(); i++) {
      ExpectedFrame f = frames.get(i);
      if (f.offset() > expected) {
        problems.add(
            file
                + ": frames do not tile the file: gap at offset "
                + expected
                + " ("
                + (f.offset() - expected)
                + " bytes before frame #"
                + (i + 1)
                + ")");
      } else if (f.offset() < expected) {
        problems.add(
            file
                + ": frames do not tile the file: frame #"
                + (i + 1)
                + " at offset "
                + f.offset()
                + " overlaps what precedes it (up to offset "
                + expected
                + ")");
      }
      expected = Math.max(expected, f.offset() + f.length());
    }
    if (expected < committedLength) {
      problems.add(
          file
              + ": frames do not tile the file: gap at offset "
              + expected
              + " ("
              + (committedLength - expected)
              + " bytes before the committed length "
              + committedLength
              + ")");
    } else if (expected > committedLength) {
      problems.add(
          file + ": frames end at " + expected + ", past the committed length " + committedLength);
    }
  }

  /**
   * Returns a stream of {@code message}'s original bytes read from {@code decompressed}, which is
   * positioned at its start; closing the stream closes nothing.
   */
  static InputStream checkedMessage(
      InputStream decompressed, EncodedMessage message, String where) {
    return new MessageStream(null, decompressed, message, where);
  }

  /**
   * Decodes one message and checks its length and SHA-256 when its end is reached. Closing it
   * closes the decompressed stream and the channel when it has a channel (it owns them).
   */
  private static final class MessageStream extends InputStream {
    private final FileChannel channel;
    private final InputStream decompressed;
    private final InputStream stored;
    private final EncodedMessage message;
    private final String where;
    private final byte[] in = new byte[BUFFER];
    private final Buffer decoded = new Buffer();
    private final MboxrdDecoder decoder;
    private int readPos;
    private boolean eof;

    MessageStream(
        FileChannel channel, InputStream decompressed, EncodedMessage message, String where) {
      this.channel = channel;
      this.decompressed = decompressed;
      this.stored = new Bounded(decompressed, message.length());
      this.message = message;
      this.where = where;
      this.decoder = new MboxrdDecoder(message, decoded);
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      return read(one, 0, 1) == -1 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      Objects.checkFromIndexSize(off, len, b.length);
      if (len == 0) {
        return 0;
      }
      while (readPos == decoded.count && !eof) {
        refill();
      }
      if (readPos == decoded.count) {
        return -1;
      }
      int n = Math.min(len, decoded.count - readPos);
      System.arraycopy(decoded.bytes, readPos, b, off, n);
      readPos += n;
      return n;
    }

    private void refill() throws IOException {
      decoded.count = 0;
      readPos = 0;
      int n;
      try {
        n = stored.read(in, 0, in.length);
      } catch (ArchiveCorruptException e) {
        throw e;
      } catch (IOException e) {
        // The codec refused the frame's bytes: the copy is damaged (verify --repair), whatever
        // exception type the codec library chose to say so.
        eof = true;
        throw new ArchiveCorruptException(where + ": cannot be decompressed: " + e.getMessage(), e);
      }
      try {
        if (n == -1) {
          eof = true;
          decoder.finish();
          if (decoded.total != message.wireLength()) {
            throw new ArchiveCorruptException(
                where
                    + ": length mismatch: decodes to "
                    + decoded.total
                    + " bytes, recorded "
                    + message.wireLength());
          }
          if (!message.sha256Equals(decoded.sha.digest())) {
            throw new ArchiveCorruptException(where + ": SHA-256 mismatch");
          }
        } else {
          decoder.feed(in, 0, n);
        }
      } catch (ArchiveCorruptException e) {
        eof = true;
        decoded.count = 0;
        throw e.getMessage().startsWith(where)
            ? e
            : new ArchiveCorruptException(where + ": " + e.getMessage(), e);
      }
    }

    @Override
    public void close() throws IOException {
      if (channel == null) {
        return;
      }
      try {
        decompressed.close();
      } finally {
        channel.close();
      }
    }
  }

  /** Holds the decoded bytes of one input chunk (at most twice its size) and hashes all of them. */
  private static final class Buffer extends OutputStream {
    private final MessageDigest sha = MboxrdEncoder.sha256();
    private byte[] bytes = new byte[2 * BUFFER + 16];
    private int count;
    private long total;

    @Override
    public void write(int b) {
      write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) {
      if (count + len > bytes.length) {
        bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, count + len));
      }
      System.arraycopy(b, off, bytes, count, len);
      count += len;
      total += len;
      sha.update(b, off, len);
    }
  }
}
