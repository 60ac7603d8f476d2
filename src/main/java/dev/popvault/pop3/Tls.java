package dev.popvault.pop3;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.Certificate;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Layers TLS over a connected socket with the trust policy of {@link TlsTrust}: host name and chain
 * verification unless a leaf fingerprint is pinned. Handshakes eagerly so failures surface at
 * connect.
 *
 * <p>Who failed decides the kind: popvault refusing the server's certificate is {@link
 * Pop3Exception.Kind#TLS} (a trust decision, exit 77, with the leaf fingerprint when one was seen);
 * a handshake that fails for any other reason — the server sends an alert, closes the connection,
 * or does not speak TLS at all (a plain POP3 port used with pop3s://) — is {@link
 * Pop3Exception.Kind#UNAVAILABLE}: no credential was involved, and calling it an authentication
 * failure sent users looking for a wrong password.
 */
final class Tls {
  private static final String[] PROTOCOLS = {"TLSv1.3", "TLSv1.2"};

  private Tls() {}

  /**
   * A TLS context set up for one trust policy, ready for handshakes: building it (provider, trust
   * anchors, context) costs tens of milliseconds, which {@link Pop3Connection} spends while the TCP
   * connection and the greeting are under way.
   */
  record Prepared(SSLContext context, CapturingTrustManager trustManager, boolean pinned) {}

  /** Builds the context for {@code trust} with the provider {@link TlsProvider} chooses. */
  static Prepared prepare(TlsTrust trust) throws Pop3Exception {
    CapturingTrustManager tm = new CapturingTrustManager(delegateFor(trust), trust);
    SSLContext ctx = TlsProvider.newContext();
    try {
      ctx.init(null, new TrustManager[] {tm}, null);
    } catch (GeneralSecurityException e) {
      throw new Pop3Exception(Pop3Exception.Kind.TLS, "cannot set up TLS: " + e, e);
    }
    return new Prepared(ctx, tm, trust.normalizedFingerprint() != null);
  }

  /**
   * Wraps {@code raw} (already connected to {@code host}) in TLS and completes the handshake.
   *
   * @param implicit true for pop3s (TLS from the first byte), false after STLS; only the hint in a
   *     failure's message differs
   */
  static SSLSocket handshake(
      Socket raw, String host, int port, boolean implicit, Prepared prepared, Duration readTimeout)
      throws Pop3Exception {
    CapturingTrustManager tm = prepared.trustManager();
    SSLSocket s;
    try {
      s = (SSLSocket) prepared.context().getSocketFactory().createSocket(raw, host, port, true);
    } catch (IOException e) {
      throw new Pop3Exception(
          Pop3Exception.Kind.CONNECTION_LOST, "connection lost before the TLS handshake", e);
    }
    SSLParameters params = s.getSSLParameters();
    params.setProtocols(supported(s.getSupportedProtocols()));
    if (!prepared.pinned()) {
      params.setEndpointIdentificationAlgorithm("HTTPS");
    }
    if (!isAddressLiteral(host)) {
      try {
        params.setServerNames(List.of(new SNIHostName(host)));
      } catch (IllegalArgumentException e) {
        // Not a valid DNS name for SNI; the handshake goes on without it.
      }
    }
    s.setSSLParameters(params);
    try {
      s.startHandshake();
    } catch (SSLException e) {
      closeQuietly(s);
      throw tm.failure(host, port, implicit, e);
    } catch (SocketTimeoutException e) {
      closeQuietly(s);
      throw new Pop3Exception(
          Pop3Exception.Kind.TIMEOUT,
          "server did not answer the TLS handshake within " + Text.seconds(readTimeout),
          e);
    } catch (IOException e) {
      // A reset or EOF in the middle of the handshake: the server hung up on our ClientHello.
      closeQuietly(s);
      throw serverSideFailure(host, port, implicit, e);
    }
    return s;
  }

  /**
   * Returns a socket factory that trusts what {@code trust} names (for another protocol's client:
   * the IMAP upload). Host names are checked by that client.
   */
  static javax.net.ssl.SSLSocketFactory socketFactory(TlsTrust trust) throws Pop3Exception {
    return prepare(trust).context().getSocketFactory();
  }

  /**
   * Returns the failure of a handshake that the server broke off (alert, close, reset, or bytes
   * that are not TLS): UNAVAILABLE, with a hint at the usual cause.
   */
  static Pop3Exception serverSideFailure(String host, int port, boolean implicit, IOException e) {
    String hint =
        implicit
            ? " (is "
                + port
                + " a POP3S port? a plain POP3 port takes pop3://, which upgrades with STLS)"
            : " (after STLS)";
    return new Pop3Exception(
        Pop3Exception.Kind.UNAVAILABLE,
        "TLS handshake with "
            + host
            + ":"
            + port
            + " failed: "
            + Text.sanitize(e.getMessage())
            + hint,
        e);
  }

  /** Returns the colon-separated upper-case SHA-256 of a certificate's DER encoding. */
  static String fingerprint(X509Certificate cert) throws CertificateEncodingException {
    byte[] digest;
    try {
      digest = MessageDigest.getInstance("SHA-256").digest(cert.getEncoded());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required by the Java platform", e);
    }
    return HexFormat.ofDelimiter(":").withUpperCase().formatHex(digest);
  }

  private static String[] supported(String[] available) {
    List<String> out = new ArrayList<>();
    for (String p : PROTOCOLS) {
      for (String a : available) {
        if (a.equals(p)) {
          out.add(p);
        }
      }
    }
    return out.toArray(new String[0]);
  }

  private static boolean isAddressLiteral(String host) {
    return host.indexOf(':') >= 0 || host.chars().allMatch(c -> c == '.' || (c >= '0' && c <= '9'));
  }

  private static void closeQuietly(Socket s) {
    try {
      s.close();
    } catch (IOException e) {
      // Already failing; the original error is what matters.
    }
  }

  /** Returns the PKIX trust manager for the anchors, or null when a fingerprint is pinned. */
  private static X509ExtendedTrustManager delegateFor(TlsTrust trust) throws Pop3Exception {
    if (trust.normalizedFingerprint() != null) {
      return null;
    }
    try {
      KeyStore anchors = null;
      if (trust.caFile() != null) {
        anchors = loadAnchors(trust);
      }
      TrustManagerFactory tmf =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(anchors);
      for (TrustManager m : tmf.getTrustManagers()) {
        if (m instanceof X509ExtendedTrustManager x) {
          return x;
        }
      }
      throw new Pop3Exception(Pop3Exception.Kind.TLS, "no X.509 trust manager available");
    } catch (GeneralSecurityException e) {
      throw new Pop3Exception(
          Pop3Exception.Kind.TLS, "cannot set up TLS trust: " + Text.sanitize(e.getMessage()), e);
    }
  }

  private static KeyStore loadAnchors(TlsTrust trust) throws Pop3Exception {
    Collection<? extends Certificate> certs;
    try (InputStream in = Files.newInputStream(trust.caFile())) {
      certs = CertificateFactory.getInstance("X.509").generateCertificates(in);
    } catch (IOException | CertificateException e) {
      throw new Pop3Exception(
          Pop3Exception.Kind.TLS,
          "cannot read CA file " + trust.caFile() + ": " + Text.sanitize(e.getMessage()),
          e);
    }
    if (certs.isEmpty()) {
      throw new Pop3Exception(
          Pop3Exception.Kind.TLS, "CA file " + trust.caFile() + " contains no certificate");
    }
    try {
      KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
      ks.load(null, null);
      int i = 0;
      for (Certificate c : certs) {
        ks.setCertificateEntry("ca-" + i++, c);
      }
      return ks;
    } catch (IOException | GeneralSecurityException e) {
      throw new Pop3Exception(Pop3Exception.Kind.TLS, "cannot load CA certificates: " + e, e);
    }
  }

  /**
   * Records the leaf certificate's fingerprint and why it was rejected before rejecting it, so the
   * user sees what to pin. With a pin it checks only the leaf's SHA-256; otherwise it delegates to
   * PKIX, which checks the host name through the socket's endpoint identification.
   */
  private static final class CapturingTrustManager extends X509ExtendedTrustManager {
    private final X509ExtendedTrustManager delegate;
    private final String pin;
    private volatile String leafFingerprint;
    private volatile X509Certificate leaf;
    private volatile String rejection;

    CapturingTrustManager(X509ExtendedTrustManager delegate, TlsTrust trust) {
      this.delegate = delegate;
      this.pin = trust.normalizedFingerprint();
    }

    Pop3Exception failure(String host, int port, boolean implicit, SSLException e) {
      String fp = leafFingerprint;
      if (rejection != null) {
        String message =
            "certificate of "
                + host
                + " is not trusted: "
                + rejection
                + "; use --ca-file PEM or --fingerprint SHA256"
                + (fp == null ? "" : " (server certificate SHA-256: " + fp + ")");
        return leaf == null
            ? new Pop3Exception(Pop3Exception.Kind.TLS, message, e)
            : new UntrustedCertificateException(message, leaf, e);
      }
      return serverSideFailure(host, port, implicit, e);
    }

    private void check(X509Certificate[] chain, Checker pkix) throws CertificateException {
      if (chain == null || chain.length == 0) {
        rejection = "no certificate presented";
        throw new CertificateException("no certificate presented");
      }
      leafFingerprint = fingerprint(chain[0]);
      leaf = chain[0];
      if (pin != null) {
        String actual = leafFingerprint.replace(":", "").toLowerCase(Locale.ROOT);
        if (!MessageDigest.isEqual(actual.getBytes(), pin.getBytes())) {
          rejection = "its SHA-256 fingerprint does not match the pinned one";
          throw new CertificateException(rejection);
        }
        return;
      }
      try {
        pkix.check();
      } catch (CertificateException e) {
        rejection = reason(e);
        throw e;
      }
    }

    /** Words the JDK's rejection for users; the raw text stays in the exception's cause. */
    private static String reason(CertificateException e) {
      String m = e.getMessage() == null ? "rejected" : e.getMessage();
      if (m.startsWith("PKIX path building failed")) {
        return "no chain to a trusted CA (self-signed or unknown issuer)";
      }
      if (m.endsWith(".")) {
        m = m.substring(0, m.length() - 1);
      }
      return Text.sanitize(m);
    }

    /**
     * Conscrypt names a TLS 1.3 key exchange "GENERIC", which the JDK's PKIX trust manager rejects
     * as unknown; the JDK itself says "UNKNOWN" there (no key-usage check tied to the exchange).
     */
    private static String jdkAuthType(String authType) {
      return "GENERIC".equals(authType) ? "UNKNOWN" : authType;
    }

    @FunctionalInterface
    private interface Checker {
      void check() throws CertificateException;
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
        throws CertificateException {
      check(chain, () -> delegate.checkServerTrusted(chain, jdkAuthType(authType), socket));
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
        throws CertificateException {
      check(chain, () -> delegate.checkServerTrusted(chain, jdkAuthType(authType), engine));
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType)
        throws CertificateException {
      check(chain, () -> delegate.checkServerTrusted(chain, jdkAuthType(authType)));
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
        throws CertificateException {
      throw new CertificateException("client certificates are not accepted");
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
        throws CertificateException {
      throw new CertificateException("client certificates are not accepted");
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType)
        throws CertificateException {
      throw new CertificateException("client certificates are not accepted");
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      return delegate == null ? new X509Certificate[0] : delegate.getAcceptedIssuers();
    }
  }
}
