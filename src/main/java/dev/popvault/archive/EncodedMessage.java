package dev.popvault.archive;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;

/**
 * Records what was appended for one message; everything needed to find, decode and check it again.
 *
 * @param offset start of the message's mboxrd bytes (its {@code From } separator line) inside the
 *     frame's decompressed content
 * @param length size of the message's mboxrd bytes, through its trailing blank line
 * @param wireLength size of the input bytes (what the server sent after dot-unstuffing)
 * @param sha256 SHA-256 of the input bytes (32 bytes)
 * @param rawFromLine index of the first input line that ended with a bare LF; lines before it ended
 *     with CRLF and are stored without the CR, lines from it on are stored verbatim; -1 if every
 *     line ended with CRLF
 * @param noFinalNewline true if the input did not end with LF and the encoder added one
 */
public record EncodedMessage(
    long offset,
    long length,
    long wireLength,
    byte[] sha256,
    long rawFromLine,
    boolean noFinalNewline) {

  /** Validates the ranges and copies the digest, so the record stays immutable. */
  public EncodedMessage {
    if (offset < 0 || length < 0 || wireLength < 0) {
      throw new IllegalArgumentException(
          "negative offset, length or wire length: " + offset + ", " + length + ", " + wireLength);
    }
    Objects.requireNonNull(sha256, "sha256");
    if (sha256.length != 32) {
      throw new IllegalArgumentException("SHA-256 must be 32 bytes, got " + sha256.length);
    }
    if (rawFromLine < -1) {
      throw new IllegalArgumentException("rawFromLine must be -1 or a line index: " + rawFromLine);
    }
    sha256 = sha256.clone();
  }

  /** Returns a copy of the SHA-256 of the input bytes. */
  @Override
  public byte[] sha256() {
    return sha256.clone();
  }

  /** Returns the SHA-256 of the input bytes as lower-case hex. */
  public String sha256Hex() {
    return HexFormat.of().formatHex(sha256);
  }

  boolean sha256Equals(byte[] other) {
    return Arrays.equals(sha256, other);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof EncodedMessage m
        && offset == m.offset
        && length == m.length
        && wireLength == m.wireLength
        && Arrays.equals(sha256, m.sha256)
        && rawFromLine == m.rawFromLine
        && noFinalNewline == m.noFinalNewline;
  }

  @Override
  public int hashCode() {
    return Objects.hash(
        offset, length, wireLength, Arrays.hashCode(sha256), rawFromLine, noFinalNewline);
  }

  @Override
  public String toString() {
    return "EncodedMessage[offset="
        + offset
        + ", length="
        + length
        + ", wireLength="
        + wireLength
        + ", sha256="
        + sha256Hex()
        + ", rawFromLine="
        + rawFromLine
        + ", noFinalNewline="
        + noFinalNewline
        + "]";
  }
}
