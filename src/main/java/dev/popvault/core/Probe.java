package dev.popvault.core;

import dev.popvault.pop3.Pop3Client;
import dev.popvault.pop3.Pop3Exception;
import dev.popvault.pop3.Pop3Log;
import dev.popvault.pop3.Pop3Settings;
import dev.popvault.pop3.UntrustedCertificateException;
import java.io.IOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.Certificate;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

/**
 * Shows what a server offers without logging in: greeting, CAPA before and after STLS, TLS version
 * and cipher, the certificate (subject, issuer, expiry, SHA-256 fingerprint to paste into {@code
 * --fingerprint}), the EXPIRE / LOGIN-DELAY policies it announces, and whether UTF-8 mode (RFC
 * 6856) is offered and accepted. Ends the session with QUIT.
 */
final class Probe {
  private Probe() {}

  /**
   * Probes the server and hands the report to {@code lines}, line by line. An untrusted certificate
   * is still shown (subject, issuer, validity, SHA-256: what a user needs to decide about it)
   * before the run fails with 77.
   *
   * @throws PopvaultException as an archive run would (69 unreachable, 77 untrusted certificate, …)
   */
  static void run(Pop3Settings settings, Pop3Log log, Consumer<String> lines) {
    String scheme = settings.implicitTls() ? "pop3s" : "pop3";
    lines.accept("server:       " + scheme + "://" + settings.host() + ":" + settings.port());
    try (Pop3Client client = Pop3Client.connect(settings, log)) {
      lines.accept("greeting:     " + client.greeting());
      if (!settings.implicitTls()) {
        lines.accept("CAPA (clear): " + capa(client.capabilityLinesBeforeTls()));
      }
      SSLSession tls = client.tlsSession().orElse(null);
      if (tls == null) {
        lines.accept(
            "TLS:          none (plaintext: passwords would cross the network in clear text)");
      } else {
        lines.accept("TLS:          " + tls.getProtocol() + ", " + tls.getCipherSuite());
        describeCertificate(tls, lines);
      }
      lines.accept("CAPA:         " + capa(client.capabilityLines()));
      for (String capability : client.capabilityLines()) {
        String upper = capability.toUpperCase(Locale.ROOT);
        if (upper.startsWith("EXPIRE") || upper.startsWith("LOGIN-DELAY")) {
          lines.accept("policy:       " + capability);
        }
      }
      lines.accept("pipelining:   " + (client.pipelining() ? "yes" : "no (lock-step RETR)"));
      lines.accept("UTF8:         " + utf8(client));
      client.quit();
    } catch (UntrustedCertificateException e) {
      describe(e.certificate(), lines);
      lines.accept("trusted:      NO (see the error below)");
      throw Failures.ofIo(e);
    } catch (IOException e) {
      throw Failures.ofIo(e);
    }
  }

  /** The CAPA lines, or what an empty answer means (popa3d and solid-pop3d answer CAPA -ERR). */
  private static String capa(List<String> lines) {
    return lines.isEmpty()
        ? "not offered (the server answered CAPA with -ERR)"
        : String.join(" | ", lines);
  }

  /**
   * Tries UTF-8 mode the way an archive run does before login (RFC 6856 allows it in the
   * AUTHORIZATION state, so no credential is needed) and says how it went.
   */
  private static String utf8(Pop3Client client) throws IOException {
    if (!client.capabilities().contains("UTF8")) {
      return "not offered (messages come as stored; nothing to enable)";
    }
    try {
      client.enableUtf8();
      return "offered and enabled (popvault sends UTF8 before login)";
    } catch (Pop3Exception e) {
      if (e.kind() != Pop3Exception.Kind.PROTOCOL) {
        throw e;
      }
      return "offered but refused: archive would stop with exit 76 (" + e.getMessage() + ")";
    }
  }

  private static void describeCertificate(SSLSession tls, Consumer<String> lines) {
    try {
      Certificate[] chain = tls.getPeerCertificates();
      if (chain.length > 0 && chain[0] instanceof X509Certificate leaf) {
        describe(leaf, lines);
      }
    } catch (SSLPeerUnverifiedException e) {
      lines.accept("certificate:  unavailable (the server's identity was not verified)");
    }
  }

  private static void describe(X509Certificate leaf, Consumer<String> lines) {
    lines.accept("certificate:  subject " + leaf.getSubjectX500Principal().getName());
    lines.accept("              issuer  " + leaf.getIssuerX500Principal().getName());
    lines.accept(
        "              valid   "
            + leaf.getNotBefore().toInstant()
            + " to "
            + leaf.getNotAfter().toInstant());
    try {
      lines.accept("              SHA-256 " + fingerprint(leaf));
    } catch (CertificateEncodingException | NoSuchAlgorithmException e) {
      lines.accept("              SHA-256 unavailable (the certificate cannot be encoded)");
    }
  }

  private static String fingerprint(X509Certificate cert)
      throws CertificateEncodingException, NoSuchAlgorithmException {
    byte[] digest = MessageDigest.getInstance("SHA-256").digest(cert.getEncoded());
    return HexFormat.ofDelimiter(":").withUpperCase().formatHex(digest);
  }
}
