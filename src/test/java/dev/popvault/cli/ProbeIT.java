package dev.popvault.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.popvault.testsupport.CliRun;
import dev.popvault.testsupport.DovecotServer;
import dev.popvault.testsupport.FakeMailbox;
import dev.popvault.testsupport.ScriptedPop3Server;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code popvault probe} against a real Dovecot: CAPA before/after STLS, TLS details, the
 * fingerprint.
 */
class ProbeIT {
  private static DovecotServer dovecot;
  @TempDir static Path serverDir;

  @BeforeAll
  static void start() throws Exception {
    dovecot = DovecotServer.start(serverDir);
  }

  @AfterAll
  static void stop() throws Exception {
    if (dovecot != null) {
      dovecot.close();
    }
  }

  @Test
  void showsCapabilitiesTlsAndTheFingerprintToPin() {
    CliRun run =
        CliRun.of(
            "probe",
            "pop3://anyone@127.0.0.1:" + dovecot.pop3Port(),
            "--ca-file",
            dovecot.caFile().toString());
    assertThat(run.exitCode()).as(run.describe()).isZero();
    assertThat(run.out())
        .containsPattern("CAPA \\(clear\\): .*STLS")
        .containsPattern("TLS: +TLSv1\\.[23]")
        .contains("SHA-256 " + dovecot.certSha256())
        .contains("pipelining:   yes");

    CliRun pinned =
        CliRun.of(
            "probe",
            "pop3s://anyone@127.0.0.1:" + dovecot.pop3sPort(),
            "--fingerprint",
            dovecot.certSha256());
    assertThat(pinned.exitCode()).as(pinned.describe()).isZero();
    assertThat(pinned.out()).doesNotContain("CAPA (clear)");
  }

  @Test
  void anUntrustedCertificateIsShownInFullAndRefused() {
    // No user: probe never logs in, so a URL without USER@ is enough.
    CliRun run = CliRun.of("probe", "pop3s://127.0.0.1:" + dovecot.pop3sPort());
    assertThat(run.exitCode()).as(run.describe()).isEqualTo(77);
    assertThat(run.err()).contains(dovecot.certSha256());
    assertThat(run.out())
        .contains("certificate:  subject ")
        .contains("issuer ")
        .contains("valid ")
        .contains("SHA-256 " + dovecot.certSha256())
        .contains("trusted:      NO");
  }

  @Test
  void aServerThatAnswersCapaWithErrIsSaidNotToOfferIt() throws Exception {
    FakeMailbox box =
        new FakeMailbox()
            .fault(
                "CAPA",
                (line, c) -> {
                  c.send("-ERR unknown command");
                  return true;
                });
    try (ScriptedPop3Server server = ScriptedPop3Server.start(box)) {
      CliRun run =
          CliRun.of(
              "probe", "pop3://127.0.0.1:" + server.port(), "--allow-plaintext", "--timeout", "5");
      assertThat(run.exitCode()).as(run.describe()).isZero();
      assertThat(run.out())
          .contains("CAPA:         not offered")
          .doesNotContainPattern("CAPA: *\\n");
    }
  }
}
