package dev.popvault.pop3;

import java.nio.file.Path;
import java.util.Locale;

/**
 * Names the trust anchors for the server certificate: the JDK default trust store unless a CA file
 * (PEM, one or more certificates) or a SHA-256 pin of the leaf certificate is given.
 *
 * <p>With a CA file, exactly those certificates are anchors and the host name is still checked.
 * With a pin, only the leaf certificate's SHA-256 must match; chain and host name are not checked.
 *
 * @param caFile PEM file with the anchors, or null
 * @param sha256Fingerprint hex SHA-256 of the leaf certificate (case-insensitive, colons optional),
 *     or null
 */
public record TlsTrust(Path caFile, String sha256Fingerprint) {
  /** Validates the pin's form and rejects giving both a CA file and a pin (ambiguous intent). */
  public TlsTrust {
    if (caFile != null && sha256Fingerprint != null) {
      throw new IllegalArgumentException("give either a CA file or a fingerprint, not both");
    }
    if (sha256Fingerprint != null && normalize(sha256Fingerprint) == null) {
      throw new IllegalArgumentException(
          "a SHA-256 fingerprint is 64 hex digits, optionally separated by colons");
    }
  }

  /** Returns trust in the JDK default trust store. */
  public static TlsTrust system() {
    return new TlsTrust(null, null);
  }

  /**
   * Returns a socket factory for another protocol's TLS client with these anchors or this pin; the
   * client checks the host name itself unless a pin is set ({@link #pinned}).
   */
  public javax.net.ssl.SSLSocketFactory socketFactory() throws Pop3Exception {
    return Tls.socketFactory(this);
  }

  /** Whether a leaf fingerprint is pinned (then chain and host name are not checked). */
  public boolean pinned() {
    return sha256Fingerprint != null;
  }

  /** Returns the pin as 64 lower-case hex digits, or null when no pin is set. */
  String normalizedFingerprint() {
    return sha256Fingerprint == null ? null : normalize(sha256Fingerprint);
  }

  private static String normalize(String fingerprint) {
    String hex = fingerprint.replace(":", "").strip().toLowerCase(Locale.ROOT);
    if (hex.length() != 64) {
      return null;
    }
    for (int i = 0; i < hex.length(); i++) {
      char c = hex.charAt(i);
      if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
        return null;
      }
    }
    return hex;
  }
}
