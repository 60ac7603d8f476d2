package dev.popvault.archive;

import java.io.OutputStream;
import java.security.MessageDigest;

/** Counts and hashes (SHA-256) what is written to it; keeps nothing else. */
final class DigestSink extends OutputStream {
  private final MessageDigest sha = MboxrdEncoder.sha256();
  private long count;

  @Override
  public void write(int b) {
    sha.update((byte) b);
    count++;
  }

  @Override
  public void write(byte[] b, int off, int len) {
    sha.update(b, off, len);
    count += len;
  }

  long count() {
    return count;
  }

  byte[] digest() {
    return sha.digest();
  }
}
