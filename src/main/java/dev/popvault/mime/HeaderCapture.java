package dev.popvault.mime;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * Passes a message stream through unchanged while keeping a copy of its first bytes (at most {@link
 * #LIMIT}), so the header section can be summarised after the body has been streamed elsewhere.
 * Memory is bounded by the limit, whatever the message size.
 */
public final class HeaderCapture extends FilterInputStream {
  /** Caps how much of a message is kept for header parsing. */
  public static final int LIMIT = 64 * 1024;

  private final byte[] head = new byte[LIMIT];
  private int kept;

  public HeaderCapture(InputStream in) {
    super(in);
  }

  @Override
  public int read() throws IOException {
    int b = super.read();
    if (b >= 0 && kept < LIMIT) {
      head[kept++] = (byte) b;
    }
    return b;
  }

  @Override
  public int read(byte[] buffer, int offset, int length) throws IOException {
    int n = super.read(buffer, offset, length);
    if (n > 0 && kept < LIMIT) {
      int copy = Math.min(n, LIMIT - kept);
      System.arraycopy(buffer, offset, head, kept, copy);
      kept += copy;
    }
    return n;
  }

  /** Summarises the headers seen so far. */
  public HeaderSummary summary() {
    return HeaderSummary.parse(head, kept);
  }
}
