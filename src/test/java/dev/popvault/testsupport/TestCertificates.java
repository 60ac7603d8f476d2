package dev.popvault.testsupport;

import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.HexFormat;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * Loads the self-signed test certificates under {@code src/test/resources/pop3/} (generated once
 * with openssl, valid for 100 years): {@code localhost} (SAN DNS:localhost, IP:127.0.0.1) and
 * {@code other} (SAN DNS:other.example).
 */
public final class TestCertificates {
  private TestCertificates() {}

  /** Returns a server-side TLS context presenting the named certificate ("localhost", "other"). */
  public static SSLContext serverContext(String name) throws IOException, GeneralSecurityException {
    Certificate cert = certificate(name);
    String pem = read("/pop3/" + name + ".key.pem");
    String b64 =
        pem.replace("-----BEGIN PRIVATE KEY-----", "")
            .replace("-----END PRIVATE KEY-----", "")
            .replaceAll("\\s", "");
    PrivateKey key =
        KeyFactory.getInstance("RSA")
            .generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(b64)));
    KeyStore ks = KeyStore.getInstance("PKCS12");
    ks.load(null, null);
    char[] pw = "test".toCharArray();
    ks.setKeyEntry("server", key, pw, new Certificate[] {cert});
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(ks, pw);
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(kmf.getKeyManagers(), null, null);
    return ctx;
  }

  /** Returns the path of the named certificate's PEM file. */
  public static Path certificateFile(String name) {
    try {
      return Path.of(TestCertificates.class.getResource("/pop3/" + name + ".cert.pem").toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Returns the SHA-256 of the named certificate as colon-separated upper-case hex. */
  public static String fingerprint(String name) throws IOException, GeneralSecurityException {
    byte[] d = MessageDigest.getInstance("SHA-256").digest(certificate(name).getEncoded());
    return HexFormat.ofDelimiter(":").withUpperCase().formatHex(d);
  }

  private static Certificate certificate(String name) throws IOException, GeneralSecurityException {
    try (InputStream in =
        TestCertificates.class.getResourceAsStream("/pop3/" + name + ".cert.pem")) {
      return CertificateFactory.getInstance("X.509").generateCertificate(in);
    }
  }

  private static String read(String resource) throws IOException {
    try (InputStream in = TestCertificates.class.getResourceAsStream(resource)) {
      return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
    }
  }
}
