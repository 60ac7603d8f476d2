package dev.popvault.archive;

import java.io.EOFException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Reads several messages of one frame in one pass: the frame is decompressed once, from its start,
 * and each message is read where it lies, in increasing offset order. This is what makes reading
 * many messages (export, a body search, the catalog back-fill) cost one decompression per frame
 * instead of one per message. Each message's stream checks its length and SHA-256 as {@link
 * ArchiveReader#openMessage} does; a stream need not be read to its end before the next is asked
 * for. Not thread-safe.
 */
public final class FrameMessages implements AutoCloseable {
  private final FileChannel channel;
  private final Counting decompressed;
  private final String where;

  private FrameMessages(FileChannel channel, Counting decompressed, String where) {
    this.channel = channel;
    this.decompressed = decompressed;
    this.where = where;
  }

  /**
   * Opens the frame at {@code frameOffset} ({@code frameLength} compressed bytes) of {@code file}.
   *
   * @throws ArchiveCorruptException if the frame lies past the end of the file
   */
  public static FrameMessages open(Path file, Codec codec, long frameOffset, long frameLength)
      throws IOException {
    if (frameOffset < 0 || frameLength < 0) {
      throw new IllegalArgumentException("negative frame offset or length");
    }
    FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
    try {
      if (frameOffset + frameLength > channel.size()) {
        throw new ArchiveCorruptException(
            file
                + ": frame at offset "
                + frameOffset
                + " ends at "
                + (frameOffset + frameLength)
                + " but the file is "
                + channel.size()
                + " bytes");
      }
      InputStream in =
          codec.decompressor(
              Codec.buffered(
                  new ChannelStreams.Source(channel, frameOffset, frameOffset + frameLength)));
      return new FrameMessages(
          channel, new Counting(in), file + ": frame at offset " + frameOffset);
    } catch (IOException | RuntimeException e) {
      channel.close();
      throw e;
    }
  }

  /**
   * Returns the original bytes of {@code message}, which must lie at or after the end of the
   * message asked for before. Reaching the stream's end without an exception proves them exact; the
   * stream is valid until the next call or {@link #close}.
   *
   * @throws IllegalArgumentException if {@code message} lies before what was already read
   * @throws ArchiveCorruptException if the frame ends before the message, or (from reads) the
   *     message does not decode to its recorded length and SHA-256, or cannot be decompressed
   */
  public InputStream message(EncodedMessage message) throws IOException {
    skipTo(message);
    return ArchiveReader.checkedMessage(
        decompressed, message, where + ", message at " + message.offset());
  }

  /**
   * Returns {@code message}'s stored (mboxrd) bytes, its {@code From_} line included, decoding them
   * as they are read: the read that reaches the end throws {@link ArchiveCorruptException} if they
   * do not decode to the recorded length and SHA-256. Same order rule as {@link #message}.
   */
  public InputStream storedMessage(EncodedMessage message) throws IOException {
    skipTo(message);
    return new CheckedStored(
        new Bounded(decompressed, message.length()),
        message,
        where + ", message at " + message.offset());
  }

  private void skipTo(EncodedMessage message) throws IOException {
    long skip = message.offset() - decompressed.position;
    if (skip < 0) {
      throw new IllegalArgumentException(
          "message at " + message.offset() + " lies before " + decompressed.position);
    }
    try {
      decompressed.skipNBytes(skip);
    } catch (EOFException e) {
      throw new ArchiveCorruptException(
          where + " ends before message offset " + message.offset(), e);
    } catch (ArchiveCorruptException e) {
      throw e;
    } catch (IOException e) {
      throw new ArchiveCorruptException(where + ": cannot be decompressed: " + e.getMessage(), e);
    }
  }

  @Override
  public void close() throws IOException {
    try {
      decompressed.in().close();
    } finally {
      channel.close();
    }
  }

  /** Stored bytes that are decoded and checked as they pass. */
  private static final class CheckedStored extends InputStream {
    private final InputStream stored;
    private final EncodedMessage message;
    private final String where;
    private final DigestSink sink = new DigestSink();
    private final MboxrdDecoder decoder;
    private long read;
    private boolean checked;

    CheckedStored(InputStream stored, EncodedMessage message, String where) {
      this.stored = stored;
      this.message = message;
      this.where = where;
      this.decoder = new MboxrdDecoder(message, sink);
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      return read(one, 0, 1) == -1 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      int n;
      try {
        n = stored.read(b, off, len);
      } catch (ArchiveCorruptException e) {
        throw e;
      } catch (IOException e) {
        throw new ArchiveCorruptException(where + ": cannot be decompressed: " + e.getMessage(), e);
      }
      if (n > 0) {
        read += n;
        decoder.feed(b, off, n);
      } else if (n == -1 && !checked) {
        checked = true;
        check();
      }
      return n;
    }

    private void check() throws ArchiveCorruptException {
      if (read != message.length()) {
        throw new ArchiveCorruptException(
            where + ": the frame ends after " + read + " of " + message.length() + " bytes");
      }
      try {
        decoder.finish();
      } catch (ArchiveCorruptException e) {
        throw new ArchiveCorruptException(where + ": " + e.getMessage(), e);
      }
      if (sink.count() != message.wireLength()) {
        throw new ArchiveCorruptException(
            where
                + ": length mismatch: decodes to "
                + sink.count()
                + " bytes, recorded "
                + message.wireLength());
      }
      if (!message.sha256Equals(sink.digest())) {
        throw new ArchiveCorruptException(where + ": SHA-256 mismatch");
      }
    }
  }

  /** Counts the bytes read or skipped; closing it closes nothing (the frame owns the stream). */
  private static final class Counting extends FilterInputStream {
    private long position;

    Counting(InputStream in) {
      super(in);
    }

    InputStream in() {
      return in;
    }

    @Override
    public int read() throws IOException {
      int b = in.read();
      if (b >= 0) {
        position++;
      }
      return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      int n = in.read(b, off, len);
      if (n > 0) {
        position += n;
      }
      return n;
    }

    @Override
    public long skip(long n) throws IOException {
      long skipped = in.skip(n);
      position += skipped;
      return skipped;
    }

    @Override
    public void close() {
      // The frame closes the underlying stream.
    }
  }
}
