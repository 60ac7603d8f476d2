package dev.popvault.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.popvault.testsupport.ArchiveTools;
import dev.popvault.testsupport.CliRun;
import dev.popvault.testsupport.Corpus;
import dev.popvault.testsupport.CorpusMessage;
import dev.popvault.testsupport.DovecotServer;
import dev.popvault.testsupport.LedgerProbe;
import dev.popvault.testsupport.PasswordFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Conformance against a real Dovecot over STLS with a self-signed certificate, loaded with a
 * hostile corpus: the archive read back by the standard CLI tools and Python's mailbox module, the
 * exact round trip by SHA-256, the ledger, and what is left on the server after {@code --delete}.
 */
class DovecotArchiveIT {
  private static final String PASSWORD = "dovecot-Pa55";
  private static DovecotServer dovecot;
  @TempDir static Path serverDir;

  @TempDir Path tmp;

  @BeforeAll
  static void startDovecot() throws Exception {
    dovecot = DovecotServer.start(serverDir);
    // All users up front: Dovecot rereads its passwd-file lazily, so a user added mid-test may not
    // exist yet.
    for (String user : List.of("corpus", "codec-gzip", "codec-xz", "codec-none", "tls")) {
      dovecot.addUser(user, PASSWORD);
    }
  }

  @AfterAll
  static void stopDovecot() throws Exception {
    if (dovecot != null) {
      dovecot.close();
    }
  }

  private CliRun archive(String user, Path archiveDir, String... extra) throws Exception {
    Path passwordFile = tmp.resolve("pass-" + user);
    PasswordFiles.write(passwordFile, PASSWORD + "\n");
    List<String> args =
        new ArrayList<>(
            List.of(
                "archive",
                "pop3://" + user + "@127.0.0.1:" + dovecot.pop3Port(),
                "--ca-file",
                dovecot.caFile().toString(),
                "--password-file",
                passwordFile.toString(),
                "--archive-dir",
                archiveDir.toString()));
    args.addAll(List.of(extra));
    return CliRun.of(args.toArray(String[]::new));
  }

  private static String sha256(byte[] bytes) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
  }

  private static List<Path> archiveFiles(Path archiveDir, String suffix) throws Exception {
    try (Stream<Path> files = Files.walk(archiveDir)) {
      return files.filter(p -> p.toString().endsWith(suffix)).sorted().toList();
    }
  }

  @Test
  void archivesTheHostileCorpusExactlyOverStlsAndDeletesOnlyWhatIsArchived() throws Exception {
    String user = "corpus";
    List<CorpusMessage> corpus = Corpus.standard(42, true);
    List<String> expectedHashes = new ArrayList<>();
    List<String> expectedMboxViews = new ArrayList<>();
    for (CorpusMessage m : corpus) {
      dovecot.deliver(user, m.name(), m.content());
      byte[] wire = Corpus.expectedWireBytes(m.content());
      expectedHashes.add(sha256(wire));
      expectedMboxViews.add(sha256(ArchiveTools.mboxrdExpected(wire)));
    }
    Path archiveDir = tmp.resolve("archive");

    CliRun first = archive(user, archiveDir);
    assertThat(first.exitCode()).as(first.describe()).isZero();
    assertThat(first.out()).contains(": " + corpus.size() + " new, 0 skipped, 0 deleted");

    Path ledger = archiveDir.resolve("ledger.db");
    assertThat(LedgerProbe.column(ledger, "select lower(hex(sha256)) from message"))
        .as("SHA-256 of what the server sent, per ledger")
        .containsExactlyInAnyOrderElementsOf(expectedHashes);
    assertThat(LedgerProbe.column(ledger, "select uidl from message"))
        .containsExactlyInAnyOrderElementsOf(corpus.stream().map(CorpusMessage::name).toList());

    List<Path> files = archiveFiles(archiveDir, ".mbox.zst");
    assertThat(files).hasSize(1);
    Path mbox = tmp.resolve("decompressed.mbox");
    Files.write(mbox, ArchiveTools.decompressWithCli(files.get(0)));
    List<String> pythonViews = new ArrayList<>();
    for (byte[] message : ArchiveTools.readWithPythonMailbox(mbox)) {
      pythonViews.add(sha256(message));
    }
    assertThat(pythonViews)
        .as("messages as Python's mailbox module reads them from the zstdcat output")
        .containsExactlyInAnyOrderElementsOf(expectedMboxViews);

    CliRun verify = CliRun.of("verify", "--archive-dir", archiveDir.toString());
    assertThat(verify.exitCode()).as(verify.describe()).isZero();

    CliRun again = archive(user, archiveDir);
    assertThat(again.out()).as(again.describe()).contains(": 0 new, " + corpus.size() + " skipped");

    // One message arrives after archiving: --delete must remove exactly the archived ones... and
    // the new one,
    // which this run archives first.
    dovecot.deliver(user, "late-arrival", "Subject: late\r\n\r\nlate body\r\n".getBytes());
    CliRun delete = archive(user, archiveDir, "--delete");
    assertThat(delete.exitCode()).as(delete.describe()).isZero();
    assertThat(delete.out())
        .contains(": 1 new, " + corpus.size() + " skipped, " + (corpus.size() + 1) + " deleted");
    assertThat(dovecot.remainingMessages(user)).isEmpty();
    assertThat(LedgerProbe.number(ledger, "select count(*) from message where deleted_at is null"))
        .isZero();
  }

  @ParameterizedTest
  @CsvSource({"gzip,.mbox.gz", "xz,.mbox.xz", "none,.mbox"})
  void otherCodecsAreReadableByTheirStandardTools(String codec, String suffix) throws Exception {
    String user = "codec-" + codec;
    List<CorpusMessage> corpus = Corpus.standard(7, false);
    List<String> expectedMboxViews = new ArrayList<>();
    for (CorpusMessage m : corpus) {
      dovecot.deliver(user, m.name(), m.content());
      expectedMboxViews.add(
          sha256(ArchiveTools.mboxrdExpected(Corpus.expectedWireBytes(m.content()))));
    }
    Path archiveDir = tmp.resolve("archive-" + codec);
    CliRun run = archive(user, archiveDir, "--codec", codec, "--batch-size", "5");
    assertThat(run.exitCode()).as(run.describe()).isZero();

    List<Path> files = archiveFiles(archiveDir, suffix);
    assertThat(files).hasSize(1);
    Path mbox = tmp.resolve("decompressed-" + codec + ".mbox");
    Files.write(mbox, ArchiveTools.decompressWithCli(files.get(0)));
    List<String> pythonViews = new ArrayList<>();
    for (byte[] message : ArchiveTools.readWithPythonMailbox(mbox)) {
      pythonViews.add(sha256(message));
    }
    assertThat(pythonViews).containsExactlyInAnyOrderElementsOf(expectedMboxViews);
    assertThat(LedgerProbe.number(archiveDir.resolve("ledger.db"), "select count(*) from frame"))
        .as("one frame per batch of 5")
        .isEqualTo((corpus.size() + 4) / 5);
    CliRun verify = CliRun.of("verify", "--archive-dir", archiveDir.toString());
    assertThat(verify.exitCode()).as(verify.describe()).isZero();
  }

  @Test
  void untrustedCertificateIsRefusedWith77AndAFingerprintHintThatWorks() throws Exception {
    String user = "tls";
    dovecot.deliver(user, "one", "Subject: one\r\n\r\nbody\r\n".getBytes());
    Path passwordFile = tmp.resolve("pass-tls");
    PasswordFiles.write(passwordFile, PASSWORD + "\n");
    Path archiveDir = tmp.resolve("archive-tls");
    String url = "pop3s://" + user + "@127.0.0.1:" + dovecot.pop3sPort();

    CliRun refused =
        CliRun.of(
            "archive",
            url,
            "--password-file",
            passwordFile.toString(),
            "--archive-dir",
            archiveDir.toString(),
            "--delete");
    assertThat(refused.exitCode()).as(refused.describe()).isEqualTo(77);
    assertThat(refused.err()).contains("--ca-file").contains("--fingerprint");
    assertThat(dovecot.remainingMessages(user)).containsExactly("one");

    CliRun pinned =
        CliRun.of(
            "archive",
            url,
            "--password-file",
            passwordFile.toString(),
            "--archive-dir",
            archiveDir.toString(),
            "--fingerprint",
            dovecot.certSha256());
    assertThat(pinned.exitCode()).as(pinned.describe()).isZero();
    assertThat(pinned.out()).contains(": 1 new");
  }
}
