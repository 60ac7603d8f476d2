package dev.popvault.archive;

import java.io.IOException;
import java.io.OutputStream;

/**
 * Collects small writes in a fixed buffer and hands them to the target in bulk; counts every byte.
 * Large runs bypass the buffer. Does not own the target: {@link #flush} empties the buffer but
 * neither flushes nor closes the target.
 */
final class BulkOutput {
  private final byte[] buf;
  private final OutputStream target;
  private int count;
  private long written;

  BulkOutput(OutputStream target, int size) {
    this.target = target;
    this.buf = new byte[size];
  }

  void put(int b) throws IOException {
    if (count == buf.length) {
      flush();
    }
    buf[count++] = (byte) b;
    written++;
  }

  void put(byte[] b, int off, int len) throws IOException {
    if (len >= buf.length) {
      flush();
      target.write(b, off, len);
    } else {
      if (len > buf.length - count) {
        flush();
      }
      System.arraycopy(b, off, buf, count, len);
      count += len;
    }
    written += len;
  }

  /** Hands buffered bytes to the target. */
  void flush() throws IOException {
    if (count > 0) {
      target.write(buf, 0, count);
      count = 0;
    }
  }

  /** Returns how many bytes were put since creation. */
  long written() {
    return written;
  }
}
