package dev.popvault.archive;

import java.io.IOException;
import java.io.InputStream;

/** Reads at most {@code limit} bytes of a stream; closing it does not close the stream. */
final class Bounded extends InputStream {
  private final InputStream in;
  private long remaining;

  Bounded(InputStream in, long limit) {
    this.in = in;
    this.remaining = limit;
  }

  @Override
  public int read() throws IOException {
    if (remaining <= 0) {
      return -1;
    }
    int b = in.read();
    if (b >= 0) {
      remaining--;
    }
    return b;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    if (len == 0) {
      return 0;
    }
    if (remaining <= 0) {
      return -1;
    }
    int n = in.read(b, off, (int) Math.min(len, remaining));
    if (n > 0) {
      remaining -= n;
    }
    return n;
  }

  @Override
  public void close() {}
}
