package dev.popvault.archive;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/** Adapts positional FileChannel reads and writes to streams that never close the channel. */
final class ChannelStreams {
  private ChannelStreams() {}

  /**
   * Writes at an explicit, advancing position. Closing it does not close the channel (the archive
   * file owns the channel); after {@link #discard} writes are dropped, so an abandoned compressor
   * can release its resources without touching the file.
   */
  static final class Sink extends OutputStream {
    private final FileChannel channel;
    private long position;
    private boolean discard;

    Sink(FileChannel channel, long position) {
      this.channel = channel;
      this.position = position;
    }

    long position() {
      return position;
    }

    void discard() {
      discard = true;
    }

    @Override
    public void write(int b) throws IOException {
      write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      if (discard) {
        return;
      }
      ByteBuffer buf = ByteBuffer.wrap(b, off, len);
      while (buf.hasRemaining()) {
        position += channel.write(buf, position);
      }
    }

    @Override
    public void close() {}
  }

  /**
   * Reads {@code [start, end)} of a channel. Ends early (returns -1) if the file is shorter.
   * Closing it does not close the channel.
   */
  static final class Source extends InputStream {
    private final FileChannel channel;
    private final long end;
    private long position;

    Source(FileChannel channel, long start, long end) {
      this.channel = channel;
      this.position = start;
      this.end = end;
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      return read(one, 0, 1) == -1 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (len == 0) {
        return 0;
      }
      if (position >= end) {
        return -1;
      }
      int want = (int) Math.min(len, end - position);
      int n = channel.read(ByteBuffer.wrap(b, off, want), position);
      if (n <= 0) {
        return -1;
      }
      position += n;
      return n;
    }

    @Override
    public int available() {
      return (int) Math.min(Integer.MAX_VALUE, end - position);
    }

    @Override
    public void close() {}
  }
}
