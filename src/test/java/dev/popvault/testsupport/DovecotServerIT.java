package dev.popvault.testsupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.cert.CertificateExpiredException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Proves the harness against a real Dovecot: login paths, TLS, the corpus wire format, deletion.
 */
class DovecotServerIT {
  private static final long SEED = 20260101L;
  private static DovecotServer server;
  private static List<CorpusMessage> corpus;

  @BeforeAll
  static void startServer(@TempDir Path workDir) {
    DovecotServer.requireAvailable();
    server = DovecotServer.start(workDir);
    server.addUser("corpus", "corpus-secret");
    corpus = Corpus.standard(SEED, true);
    for (CorpusMessage message : corpus) {
      server.deliver("corpus", message.name(), message.content());
    }
  }

  @AfterAll
  static void stopServer() {
    if (server != null) {
      server.close();
    }
  }

  @Test
  void capaListsPipeliningUidlTopStlsUser() {
    try (RawPop3 pop3 = RawPop3.connect(server.pop3Port())) {
      assertThat(pop3.greeting()).startsWith("+OK");
      assertThat(pop3.multiline("CAPA"))
          .as(server.logTail())
          .contains("PIPELINING", "UIDL", "TOP", "STLS", "USER");
    }
  }

  @Test
  void expectedWireBytesHoldsForEveryCorpusMessage() {
    try (RawPop3 pop3 = RawPop3.connect(server.pop3Port())) {
      pop3.login("corpus", "corpus-secret");
      List<String> uidls = pop3.multiline("UIDL");
      assertThat(uidls).hasSize(corpus.size());
      List<String> mismatches = new ArrayList<>();
      for (String line : uidls) {
        String[] parts = line.split(" ");
        int number = Integer.parseInt(parts[0]);
        CorpusMessage message = byName(parts[1]);
        byte[] wire = pop3.retr(number);
        byte[] expected = Corpus.expectedWireBytes(message.content());
        if (!java.util.Arrays.equals(wire, expected)) {
          mismatches.add(
              message.name() + " (wire " + wire.length + ", expected " + expected.length + ")");
        }
      }
      assertThat(mismatches).as("messages whose RETR differs from expectedWireBytes").isEmpty();
      pop3.ok("QUIT");
    }
  }

  @Test
  void uidlIsTheDeliveredFileName() {
    try (RawPop3 pop3 = RawPop3.connect(server.pop3Port())) {
      pop3.login("corpus", "corpus-secret");
      List<String> names = new ArrayList<>();
      for (String line : pop3.multiline("UIDL")) {
        names.add(line.split(" ")[1]);
      }
      assertThat(names)
          .containsExactlyInAnyOrderElementsOf(corpus.stream().map(CorpusMessage::name).toList());
    }
  }

  @Test
  void listSizeIsWireLengthWithoutAppendedFinalCrlf() {
    try (RawPop3 pop3 = RawPop3.connect(server.pop3Port())) {
      pop3.login("corpus", "corpus-secret");
      List<String> uidls = pop3.multiline("UIDL");
      List<String> sizes = pop3.multiline("LIST");
      List<String> mismatches = new ArrayList<>();
      for (int i = 0; i < uidls.size(); i++) {
        CorpusMessage message = byName(uidls.get(i).split(" ")[1]);
        long listed = Long.parseLong(sizes.get(i).split(" ")[1]);
        if (listed != Corpus.expectedListSize(message.content())) {
          mismatches.add(message.name() + " LIST " + listed);
        }
      }
      assertThat(mismatches).isEmpty();
    }
  }

  @Test
  void apopLoginWorksWithTheGreetingTimestamp() throws Exception {
    try (RawPop3 pop3 = RawPop3.connect(server.pop3Port())) {
      Matcher timestamp = Pattern.compile("<[^>]+>").matcher(pop3.greeting());
      assertThat(timestamp.find()).as("APOP timestamp in " + pop3.greeting()).isTrue();
      byte[] digest =
          MessageDigest.getInstance("MD5")
              .digest((timestamp.group() + "corpus-secret").getBytes(StandardCharsets.US_ASCII));
      pop3.ok("APOP corpus " + HexFormat.of().formatHex(digest));
      assertThat(pop3.ok("STAT")).startsWith("+OK " + corpus.size() + " ");
    }
  }

  @Test
  void stlsUpgradesWithVerifiedCertificateAndThenAllowsLogin() {
    try (RawPop3 pop3 = RawPop3.connect(server.pop3Port())) {
      pop3.stls(server.caFile(), "localhost");
      assertThat(pop3.tlsSession().getProtocol()).startsWith("TLSv1.");
      assertThat(pop3.multiline("CAPA")).doesNotContain("STLS");
      pop3.login("corpus", "corpus-secret");
      assertThat(pop3.ok("STAT")).startsWith("+OK " + corpus.size() + " ");
    }
  }

  @Test
  void pop3sPresentsTheCertificateWithTheAdvertisedFingerprint() throws Exception {
    try (RawPop3 pop3 = RawPop3.connectTls(server.pop3sPort(), server.caFile(), "127.0.0.1")) {
      assertThat(pop3.greeting()).startsWith("+OK");
      X509Certificate leaf = (X509Certificate) pop3.tlsSession().getPeerCertificates()[0];
      String fingerprint =
          HexFormat.ofDelimiter(":")
              .withUpperCase()
              .formatHex(MessageDigest.getInstance("SHA-256").digest(leaf.getEncoded()));
      assertThat(fingerprint).isEqualTo(server.certSha256());
      pop3.login("corpus", "corpus-secret");
      assertThat(pop3.ok("STAT")).startsWith("+OK " + corpus.size() + " ");
    }
  }

  @Test
  void imapPortGreets() {
    try (RawPop3 imap = RawPop3.connect(server.imapPort())) {
      assertThat(imap.greeting()).startsWith("* OK");
    }
  }

  @Test
  void deleAndQuitRemoveFilesAndAddUserTakesEffectWithoutRestart() {
    server.addUser("deleter", "first-password");
    server.addUser("deleter", "second-password");
    List<CorpusMessage> messages = Corpus.bulk(SEED, 3, 2048);
    for (CorpusMessage message : messages) {
      server.deliver("deleter", message.name(), message.content());
    }
    try (RawPop3 pop3 = RawPop3.connect(server.pop3Port())) {
      assertThatThrownBy(() -> pop3.login("deleter", "first-password"))
          .as("the old password is rejected, and not repeated in the failure")
          .hasMessageContaining("-ERR")
          .hasMessageNotContaining("first-password");
    }
    assertThatThrownBy(() -> server.addUser("deleter", "with:colon"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageNotContaining("with:colon");
    assertThat(server.logTail()).doesNotContain("first-password", "second-password");
    try (RawPop3 pop3 = RawPop3.connect(server.pop3Port())) {
      pop3.login("deleter", "second-password");
      pop3.ok("DELE 2");
      // Without QUIT nothing is deleted (RFC 1939 §6).
    }
    assertThat(server.remainingMessages("deleter"))
        .containsExactly("bulk-000001", "bulk-000002", "bulk-000003");
    try (RawPop3 pop3 = RawPop3.connect(server.pop3Port())) {
      pop3.login("deleter", "second-password");
      pop3.ok("DELE 2");
      pop3.ok("QUIT");
    }
    assertThat(server.remainingMessages("deleter")).containsExactly("bulk-000001", "bulk-000003");
  }

  @Test
  void expiredCertificateFailsVerification(@TempDir Path dir) {
    try (DovecotServer expired = DovecotServer.start(dir, DovecotServer.TlsVariant.EXPIRED)) {
      assertThatThrownBy(
              () -> RawPop3.connectTls(expired.pop3sPort(), expired.caFile(), "localhost"))
          .isInstanceOf(UncheckedIOException.class)
          .hasCauseInstanceOf(SSLHandshakeException.class)
          .hasRootCauseInstanceOf(CertificateExpiredException.class);
    }
  }

  @Test
  void wrongHostCertificateFailsHostnameVerificationButNotChain(@TempDir Path dir) {
    try (DovecotServer wrong = DovecotServer.start(dir, DovecotServer.TlsVariant.WRONG_HOST)) {
      try (RawPop3 pop3 = RawPop3.connect(wrong.pop3Port())) {
        assertThatThrownBy(() -> pop3.stls(wrong.caFile(), "localhost"))
            .isInstanceOf(UncheckedIOException.class)
            .hasCauseInstanceOf(SSLHandshakeException.class)
            .cause()
            .hasMessageContaining("localhost");
      }
      try (RawPop3 pop3 = RawPop3.connectTls(wrong.pop3sPort(), wrong.caFile(), "wrong.example")) {
        assertThat(pop3.greeting()).startsWith("+OK");
      }
    }
  }

  @Test
  void closeLeavesNoDovecotProcessBehind(@TempDir Path dir) {
    DovecotServer own = DovecotServer.start(dir);
    own.addUser("u", "p");
    List<ProcessHandle> processes;
    // An open session makes Dovecot fork login and mail processes that close() must also stop.
    try (RawPop3 pop3 = RawPop3.connect(own.pop3Port())) {
      pop3.login("u", "p");
      processes = own.processes();
      assertThat(processes.size()).as("master and children").isGreaterThan(3);
      own.close();
    }
    assertThat(processes).noneMatch(ProcessHandle::isAlive);
    assertThat(own.processes()).isEmpty();
    String instance = own.instanceName();
    assertThat(
            ProcessHandle.allProcesses()
                .filter(p -> p.info().commandLine().orElse("").contains(instance))
                .toList())
        .as("processes whose title names instance " + instance)
        .isEmpty();
    own.close(); // idempotent
  }

  private static CorpusMessage byName(String name) {
    return corpus.stream()
        .filter(m -> m.name().equals(name))
        .findFirst()
        .orElseThrow(() -> new AssertionError("server lists unknown UIDL " + name));
  }
}
