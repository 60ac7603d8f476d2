package dev.popvault.archive;

import java.io.OutputStream;
import java.security.MessageDigest;

/**
 * Counts and hashes (SHA-256) what is written to it; keeps nothing else. Small writes (the decoder
 * writes a line and its line end separately) are gathered in a buffer first: MessageDigest's
 * per-call cost exceeds hashing a short line.
 */
final class DigestSink extends OutputStream {
  private final MessageDigest sha = MboxrdEncoder.sha256();
  private final byte[] buffer = new byte[16 * 1024];
  private int buffered;
  private long count;

  @Override
  public void write(int b) {
    if (buffered == buffer.length) {
      drain();
    }
    buffer[buffered++] = (byte) b;
    count++;
  }

  @Override
  public void write(byte[] b, int off, int len) {
    if (len > buffer.length - buffered) {
      drain();
      if (len >= buffer.length) {
        sha.update(b, off, len);
        count += len;
        return;
      }
    }
    System.arraycopy(b, off, buffer, buffered, len);
    buffered += len;
    count += len;
  }

  private void drain() {
    sha.update(buffer, 0, buffered);
    buffered = 0;
  }

  long count() {
    return count;
  }

  byte[] digest() {
    drain();
    return sha.digest();
  }
}
