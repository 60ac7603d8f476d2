package dev.popvault.pop3;

import java.security.cert.X509Certificate;

/**
 * The server's certificate was refused (a {@link Kind#TLS} failure), and here it is: {@code probe}
 * shows its subject, issuer, validity and fingerprint, which is exactly when a user needs them.
 * Nothing was sent to the server after the refusal.
 */
public final class UntrustedCertificateException extends Pop3Exception {
  private static final long serialVersionUID = 1L;

  private final transient X509Certificate certificate;

  UntrustedCertificateException(String message, X509Certificate certificate, Throwable cause) {
    super(Kind.TLS, message, cause);
    this.certificate = certificate;
  }

  /** The refused leaf certificate (untrusted data: show it, never rely on it). */
  public X509Certificate certificate() {
    return certificate;
  }
}
