package dev.popvault.ledger;

import java.util.HexFormat;
import java.util.Objects;

/** Validates and copies the SHA-256 digests that message records carry. */
final class Sha256 {
  static final int LENGTH = 32;

  private Sha256() {}

  /** Returns a copy of {@code digest} after checking it is exactly 32 bytes. */
  static byte[] copyOf(byte[] digest) {
    Objects.requireNonNull(digest, "sha256");
    if (digest.length != LENGTH) {
      throw new IllegalArgumentException("SHA-256 must be 32 bytes, got " + digest.length);
    }
    return digest.clone();
  }

  /** Returns the digest as lower-case hex, for {@code toString}. */
  static String hex(byte[] digest) {
    return HexFormat.of().formatHex(digest);
  }
}
