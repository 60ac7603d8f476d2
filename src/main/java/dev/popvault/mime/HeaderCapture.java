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

  // Starts small and doubles up to LIMIT: most header sections are a few KiB, and a fresh 64 KiB
  // array per
  // message would be most of the garbage of a run over many small messages.
  private byte[] head = new byte[4096];
  private int kept;
  // Set once the blank line that ends the header section has been kept: the body is not copied.
  private boolean complete;

  public HeaderCapture(InputStream in) {
    super(in);
  }

  @Override
  public int read() throws IOException {
    int b = super.read();
    if (b >= 0 && !complete && kept < LIMIT) {
      ensure(1);
      head[kept++] = (byte) b;
      checkComplete(1);
    }
    return b;
  }

  @Override
  public int read(byte[] buffer, int offset, int length) throws IOException {
    int n = super.read(buffer, offset, length);
    if (n > 0 && !complete && kept < LIMIT) {
      int copy = Math.min(n, LIMIT - kept);
      ensure(copy);
      System.arraycopy(buffer, offset, head, kept, copy);
      kept += copy;
      checkComplete(copy);
    }
    return n;
  }

  /** Looks for LF LF or LF CR LF among the last {@code added} bytes and the two before them. */
  private void checkComplete(int added) {
    for (int i = Math.max(0, kept - added - 2); i < kept - 1; i++) {
      if (head[i] == '\n'
          && (head[i + 1] == '\n'
              || (head[i + 1] == '\r' && i + 2 < kept && head[i + 2] == '\n'))) {
        complete = true;
        return;
      }
    }
  }

  private void ensure(int more) {
    if (kept + more > head.length) {
      head = java.util.Arrays.copyOf(head, Math.min(LIMIT, Math.max(head.length * 2, kept + more)));
    }
  }

  /** Returns how many bytes are kept for {@link #summary}. */
  int keptBytes() {
    return kept;
  }

  /** Summarises the headers seen so far. */
  public HeaderSummary summary() {
    return HeaderSummary.parse(head, kept);
  }
}
