package dev.popvault.pop3;

import static dev.popvault.pop3.Fixtures.PASSWORD;
import static dev.popvault.pop3.Fixtures.USER;
import static dev.popvault.pop3.Fixtures.kind;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.popvault.pop3.Pop3Exception.Kind;
import dev.popvault.testsupport.ScriptedPop3Server;
import dev.popvault.testsupport.ScriptedPop3Server.Conversation;
import dev.popvault.testsupport.TestCertificates;
import java.io.IOException;
import java.time.Duration;
import java.util.Locale;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.Test;

class Pop3ClientTlsTest {

  private static Pop3Settings tls(String host, int port, boolean implicit, TlsTrust trust) {
    return new Pop3Settings(
        host, port, implicit, false, trust, Duration.ofSeconds(2), Duration.ofSeconds(5), 4);
  }

  /** Greets over TLS; tolerates the client aborting the handshake. */
  private static void greetIfTrusted(Conversation c) throws IOException {
    try {
      c.greet("secure POP3 ready");
      c.answerCapa("USER", "UIDL");
    } catch (IOException clientRejectedUs) {
      // Expected in the refusal tests: the client aborts the handshake.
    }
  }

  @Test
  void implicitTlsIsRefusedByDefaultWithFingerprintAndAdvice() throws Exception {
    SSLContext ctx = TestCertificates.serverContext("localhost");
    try (ScriptedPop3Server server =
        ScriptedPop3Server.startImplicitTls(ctx, Pop3ClientTlsTest::greetIfTrusted)) {
      assertThatThrownBy(
              () ->
                  Pop3Client.connect(
                      tls("localhost", server.port(), true, TlsTrust.system()), Pop3Log.NONE))
          .isInstanceOfSatisfying(Pop3Exception.class, kind(Kind.TLS))
          .hasMessageStartingWith("certificate of localhost is not trusted: ")
          .hasMessageContaining("--ca-file")
          .hasMessageContaining("--fingerprint")
          .hasMessageContaining(TestCertificates.fingerprint("localhost"));
    }
  }

  @Test
  void implicitTlsIsAcceptedWithCaFileAndLogsIn() throws Exception {
    SSLContext ctx = TestCertificates.serverContext("localhost");
    try (ScriptedPop3Server server =
        ScriptedPop3Server.startImplicitTls(
            ctx,
            c -> {
              Fixtures.greetAndLogin(c, "UIDL");
              c.expect("QUIT");
              c.send("+OK");
            })) {
      TlsTrust trust = new TlsTrust(TestCertificates.certificateFile("localhost"), null);
      Pop3Client client =
          Pop3Client.connect(tls("localhost", server.port(), true, trust), Pop3Log.NONE);
      assertThat(client.tlsSession()).isPresent();
      assertThat(client.tlsSession().get().getProtocol()).isIn("TLSv1.3", "TLSv1.2");
      client.login(USER, PASSWORD.toCharArray(), AuthMethod.USER);
      client.quit();
    }
  }

  @Test
  void ipAddressIsVerifiedAgainstIpSubjectAltName() throws Exception {
    SSLContext ctx = TestCertificates.serverContext("localhost");
    try (ScriptedPop3Server server =
        ScriptedPop3Server.startImplicitTls(ctx, Pop3ClientTlsTest::greetIfTrusted)) {
      TlsTrust trust = new TlsTrust(TestCertificates.certificateFile("localhost"), null);
      try (Pop3Client client =
          Pop3Client.connect(tls("127.0.0.1", server.port(), true, trust), Pop3Log.NONE)) {
        assertThat(client.greeting()).isEqualTo("secure POP3 ready");
      }
    }
  }

  @Test
  void plaintextServerOnAPop3sUrlIsUnavailableNotATrustFailure() throws Exception {
    try (ScriptedPop3Server server =
        ScriptedPop3Server.start(
            c -> {
              try {
                c.greet("plain POP3 ready");
                c.readLine();
              } catch (IOException clientGaveUp) {
                // The client hangs up after reading our greeting as a TLS record.
              }
            })) {
      assertThatThrownBy(
              () ->
                  Pop3Client.connect(
                      tls("127.0.0.1", server.port(), true, TlsTrust.system()), Pop3Log.NONE))
          .isInstanceOfSatisfying(Pop3Exception.class, kind(Kind.UNAVAILABLE))
          .hasMessageStartingWith("TLS handshake with 127.0.0.1:" + server.port() + " failed: ")
          .hasMessageContaining("is " + server.port() + " a POP3S port?");
    }
  }

  @Test
  void hostnameMismatchIsRefusedEvenWithTheCaFile() throws Exception {
    SSLContext ctx = TestCertificates.serverContext("other");
    try (ScriptedPop3Server server =
        ScriptedPop3Server.startImplicitTls(ctx, Pop3ClientTlsTest::greetIfTrusted)) {
      TlsTrust trust = new TlsTrust(TestCertificates.certificateFile("other"), null);
      assertThatThrownBy(
              () -> Pop3Client.connect(tls("localhost", server.port(), true, trust), Pop3Log.NONE))
          .isInstanceOfSatisfying(Pop3Exception.class, kind(Kind.TLS))
          .hasMessageStartingWith("certificate of localhost is not trusted: ")
          .hasMessageContaining(TestCertificates.fingerprint("other"));
    }
  }

  @Test
  void pinnedFingerprintIsAcceptedInAnyNotation() throws Exception {
    SSLContext ctx = TestCertificates.serverContext("other");
    String colons = TestCertificates.fingerprint("other");
    for (String pin : new String[] {colons, colons.replace(":", "").toLowerCase(Locale.ROOT)}) {
      try (ScriptedPop3Server server =
          ScriptedPop3Server.startImplicitTls(ctx, Pop3ClientTlsTest::greetIfTrusted)) {
        // A pin skips chain and host name checks: the "other.example" cert is fine for localhost.
        try (Pop3Client client =
            Pop3Client.connect(
                tls("localhost", server.port(), true, new TlsTrust(null, pin)), Pop3Log.NONE)) {
          assertThat(client.tlsSession()).isPresent();
        }
      }
    }
  }

  @Test
  void wrongPinIsRefused() throws Exception {
    SSLContext ctx = TestCertificates.serverContext("localhost");
    try (ScriptedPop3Server server =
        ScriptedPop3Server.startImplicitTls(ctx, Pop3ClientTlsTest::greetIfTrusted)) {
      TlsTrust wrong = new TlsTrust(null, TestCertificates.fingerprint("other"));
      assertThatThrownBy(
              () -> Pop3Client.connect(tls("localhost", server.port(), true, wrong), Pop3Log.NONE))
          .isInstanceOfSatisfying(Pop3Exception.class, kind(Kind.TLS))
          .hasMessageContaining("does not match the pinned one")
          .hasMessageContaining(TestCertificates.fingerprint("localhost"));
    }
  }

  @Test
  void stlsUpgradesAndReissuesCapaEvenWhenPlaintextIsAllowed() throws Exception {
    SSLContext ctx = TestCertificates.serverContext("localhost");
    try (ScriptedPop3Server server =
        ScriptedPop3Server.start(
            c -> {
              c.greet("ready");
              c.answerCapa("STLS", "USER");
              c.expect("STLS");
              c.startTls(ctx);
              c.answerCapa("USER", "UIDL", "PIPELINING");
              c.expect("USER " + USER);
              c.send("+OK");
              c.expect("PASS " + PASSWORD);
              c.send("+OK");
              c.answerCapa("UIDL", "PIPELINING", "TOP");
            })) {
      Pop3Settings settings =
          new Pop3Settings(
              "localhost",
              server.port(),
              false,
              true,
              new TlsTrust(TestCertificates.certificateFile("localhost"), null),
              Duration.ofSeconds(2),
              Duration.ofSeconds(5),
              4);
      try (Pop3Client client = Pop3Client.connect(settings, Pop3Log.NONE)) {
        assertThat(client.tlsSession()).isPresent();
        assertThat(client.capabilities()).contains("PIPELINING").doesNotContain("STLS");
        client.login(USER, PASSWORD.toCharArray(), AuthMethod.USER);
        assertThat(client.capabilities()).contains("TOP");
      }
    }
  }

  @Test
  void stlsWithUntrustedCertificateIsRefusedBeforeTheUserIsSent() throws Exception {
    SSLContext ctx = TestCertificates.serverContext("localhost");
    try (ScriptedPop3Server server =
        ScriptedPop3Server.start(
            c -> {
              c.greet("ready");
              c.answerCapa("STLS", "USER");
              c.expect("STLS");
              try {
                c.startTls(ctx);
              } catch (IOException expected) {
                // The client refuses our certificate.
              }
            })) {
      assertThatThrownBy(
              () ->
                  Pop3Client.connect(
                      tls("localhost", server.port(), false, TlsTrust.system()), Pop3Log.NONE))
          .isInstanceOfSatisfying(Pop3Exception.class, kind(Kind.TLS))
          .hasMessageContaining("--ca-file");
      server.finish();
      assertThat(server.received()).containsExactly("CAPA", "STLS");
    }
  }

  @Test
  void dataInjectedAfterStlsReplyIsRejected() throws Exception {
    try (ScriptedPop3Server server =
        ScriptedPop3Server.start(
            c -> {
              c.greet("ready");
              c.answerCapa("STLS");
              c.expect("STLS");
              c.sendRaw("+OK go ahead\r\n+OK injected\r\n");
              c.clientClosesWithin(Duration.ofSeconds(2));
            })) {
      assertThatThrownBy(
              () ->
                  Pop3Client.connect(
                      tls("localhost", server.port(), false, TlsTrust.system()), Pop3Log.NONE))
          .isInstanceOfSatisfying(Pop3Exception.class, kind(Kind.PROTOCOL))
          .hasMessageContaining("after the STLS reply");
    }
  }

  @Test
  void trustRejectsAmbiguousOrMalformedInput() {
    assertThatThrownBy(() -> new TlsTrust(null, "ab:cd"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(
            () -> new TlsTrust(TestCertificates.certificateFile("localhost"), "00".repeat(32)))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
