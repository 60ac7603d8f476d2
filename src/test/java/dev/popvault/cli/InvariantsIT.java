package dev.popvault.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.user.GreenMailUser;
import com.icegreen.greenmail.util.GreenMailUtil;
import com.icegreen.greenmail.util.ServerSetup;
import com.icegreen.greenmail.util.ServerSetupTest;
import dev.popvault.archive.ArchiveReader;
import dev.popvault.archive.Codec;
import dev.popvault.archive.EncodedMessage;
import dev.popvault.testsupport.CliRun;
import dev.popvault.testsupport.CuttingProxy;
import dev.popvault.testsupport.LedgerProbe;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * One test per ordering invariant of docs/design.md (M1–M6), through the CLI against GreenMail over
 * TCP.
 */
class InvariantsIT {
  private static final String PASSWORD = "inv-S3cret-word";

  @RegisterExtension
  static final GreenMailExtension greenMail =
      new GreenMailExtension(ServerSetup.dynamicPort(ServerSetupTest.SMTP_POP3));

  @TempDir Path tmp;
  private Path archiveDir;
  private Path passwordFile;
  private GreenMailUser user;

  @BeforeEach
  void setUp() throws IOException {
    archiveDir = tmp.resolve("archive");
    passwordFile = tmp.resolve("pass");
    Files.writeString(passwordFile, PASSWORD + "\n");
    user = greenMail.setUser("inv@example.test", "inv", PASSWORD);
  }

  private void deliver(int count, int bodyKb) {
    String filler = "0123456789abcdef".repeat(64 * bodyKb) + "\r\n";
    for (int i = 0; i < count; i++) {
      user.deliver(
          GreenMailUtil.createTextEmail(
              "inv@example.test",
              "bob@example.test",
              "invariant " + i + " " + System.nanoTime(),
              "From here on, message " + i + "\r\n" + filler,
              greenMail.getSmtp().getServerSetup()));
    }
  }

  private CliRun archive(int port, String... extra) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "archive",
                "pop3://inv@127.0.0.1:" + port,
                "--account",
                "inv",
                "--allow-plaintext",
                "--password-file",
                passwordFile.toString(),
                "--archive-dir",
                archiveDir.toString()));
    args.addAll(List.of(extra));
    return CliRun.of(args.toArray(String[]::new));
  }

  private CliRun archive(String... extra) {
    return archive(greenMail.getPop3().getPort(), extra);
  }

  private Path ledger() {
    return archiveDir.resolve("ledger.db");
  }

  private List<Path> archiveFiles() throws IOException {
    try (Stream<Path> files = Files.walk(archiveDir)) {
      return files.filter(p -> p.getFileName().toString().contains(".mbox")).sorted().toList();
    }
  }

  private void assertVerifies() {
    CliRun verify = CliRun.of("verify", "--archive-dir", archiveDir.toString());
    assertThat(verify.exitCode()).as(verify.describe()).isZero();
  }

  @Test
  void m1_everyCommittedMessageIsOnDiskAndReadsBackToItsHash() throws Exception {
    deliver(7, 4);
    CliRun run = archive("--batch-size", "3");
    assertThat(run.exitCode()).as(run.describe()).isZero();
    String sql =
        "select f.path, f.codec, fr.file_offset, fr.byte_length, m.frame_offset, m.encoded_length,"
            + " m.wire_length, m.sha256, m.raw_from_line, m.no_final_newline, f.committed_length"
            + " from message m join frame fr on m.frame_id = fr.id join archive_file f on fr.file_id = f.id";
    int checked = 0;
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + ledger());
        Statement s = c.createStatement();
        ResultSet r = s.executeQuery(sql)) {
      while (r.next()) {
        Path file = archiveDir.resolve(r.getString(1));
        assertThat(Files.size(file))
            .as("file length equals committed length")
            .isEqualTo(r.getLong(11));
        EncodedMessage m =
            new EncodedMessage(
                r.getLong(5),
                r.getLong(6),
                r.getLong(7),
                r.getBytes(8),
                r.getLong(9),
                r.getInt(10) == 1);
        byte[] back;
        try (InputStream in =
            ArchiveReader.openMessage(
                file, Codec.parse(r.getString(2)), r.getLong(3), r.getLong(4), m)) {
          back = in.readAllBytes();
        }
        assertThat(back).hasSize((int) m.wireLength());
        assertThat(MessageDigest.getInstance("SHA-256").digest(back)).isEqualTo(m.sha256());
        checked++;
      }
    }
    assertThat(checked).isEqualTo(7);
    assertThat(LedgerProbe.number(ledger(), "select count(*) from frame")).isEqualTo(3);
  }

  @Test
  void m2_deleteIsSentOnlyForMessagesTheLedgerHolds() throws Exception {
    deliver(3, 1);
    assertThat(archive().exitCode()).isZero();
    deliver(2, 1);
    // The new messages cannot be archived (the gzip file's path is taken by a directory): the run
    // must fail
    // before any DELE, so even the three archived messages stay on the server.
    Path monthDir = archiveFiles().get(0).getParent();
    String gzName = archiveFiles().get(0).getFileName().toString().replace(".mbox.zst", ".mbox.gz");
    Files.createDirectories(monthDir.resolve(gzName));
    CliRun failed = archive("--codec", "gzip", "--delete");
    assertThat(failed.exitCode()).as(failed.describe()).isEqualTo(74);
    assertThat(greenMail.getReceivedMessages()).hasSize(5);
    assertThat(
            LedgerProbe.number(
                ledger(), "select count(*) from message where deleted_at is not null"))
        .isZero();

    CliRun ok = archive("--delete");
    assertThat(ok.exitCode()).as(ok.describe()).isZero();
    assertThat(greenMail.getReceivedMessages()).isEmpty();
    assertThat(
            LedgerProbe.number(
                ledger(), "select count(*) from message where deleted_at is not null"))
        .isEqualTo(5);
  }

  @Test
  void m3_bytesPastTheCommittedLengthAreCutBeforeAppending() throws Exception {
    deliver(2, 1);
    assertThat(archive().exitCode()).isZero();
    Path file = archiveFiles().get(0);
    long committed = Files.size(file);
    Files.write(
        file,
        "torn tail of a killed run".getBytes(StandardCharsets.US_ASCII),
        StandardOpenOption.APPEND);

    deliver(1, 1);
    CliRun run = archive();
    assertThat(run.exitCode()).as(run.describe()).isZero();
    assertThat(run.err()).contains("cut 25 bytes");
    assertThat(Files.size(file)).isGreaterThan(committed);
    assertThat(LedgerProbe.number(ledger(), "select committed_length from archive_file"))
        .isEqualTo(Files.size(file));
    assertVerifies();
  }

  @Test
  void m4_aDroppedConnectionKeepsVerifiedBatchesAndTheNextRunCompletesExactlyOnce()
      throws Exception {
    deliver(12, 8);
    // Cut the connection roughly two thirds into the transfer: several batches of 2 are committed
    // by then.
    try (CuttingProxy proxy =
        CuttingProxy.cutAfter(greenMail.getPop3().getPort(), 12 * 8 * 1024 * 2 / 3)) {
      CliRun cut = archive(proxy.port(), "--batch-size", "2", "--delete");
      assertThat(cut.exitCode()).as(cut.describe()).isEqualTo(75);
      assertThat(cut.err()).as(cut.describe()).contains("connection lost");
    }
    long committed = LedgerProbe.number(ledger(), "select count(*) from message");
    assertThat(committed).isBetween(2L, 10L);
    assertThat(greenMail.getReceivedMessages()).as("nothing deleted by the cut run").hasSize(12);
    assertVerifies();

    CliRun rest = archive("--delete");
    assertThat(rest.exitCode()).as(rest.describe()).isZero();
    assertThat(rest.out())
        .contains(": " + (12 - committed) + " new, " + committed + " skipped, 12 deleted");
    assertThat(LedgerProbe.number(ledger(), "select count(distinct uidl) from message"))
        .isEqualTo(12);
    assertThat(LedgerProbe.number(ledger(), "select count(*) from message")).isEqualTo(12);
    assertVerifies();
  }

  @Test
  void m5_theLedgerAloneDecidesWhatIsArchived() throws Exception {
    deliver(3, 1);
    assertThat(archive().exitCode()).isZero();
    // Move the archives away: a run must not scan them to decide what to download.
    Path elsewhere = tmp.resolve("moved");
    Files.move(archiveDir.resolve("inv"), elsewhere);
    CliRun run = archive();
    assertThat(run.exitCode()).as(run.describe()).isZero();
    assertThat(run.out()).contains(": 0 new, 3 skipped");
  }

  @Test
  void m6_secretsNeverReachLogsErrorsLedgerOrArchive() throws Exception {
    deliver(2, 1);
    CliRun verbose = archive("-vv");
    assertThat(verbose.exitCode()).as(verbose.describe()).isZero();
    String plainPayload =
        Base64.getEncoder().encodeToString(("\0inv\0" + PASSWORD).getBytes(StandardCharsets.UTF_8));
    assertThat(verbose.err())
        .contains("AUTH")
        .doesNotContain(PASSWORD)
        .doesNotContain(plainPayload);
    assertThat(verbose.out()).doesNotContain(PASSWORD);

    for (Path f : List.of(ledger(), archiveFiles().get(0))) {
      String bytes = new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1);
      assertThat(bytes).as(f.toString()).doesNotContain(PASSWORD).doesNotContain(plainPayload);
    }
    try (Stream<Path> all = Files.walk(archiveDir)) {
      for (Path f : all.filter(Files::isRegularFile).toList()) {
        assertThat(new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1))
            .as(f.toString())
            .doesNotContain(PASSWORD);
      }
    }

    Files.writeString(passwordFile, "Wrong-" + PASSWORD + "\n");
    CliRun wrong = archive("-vv");
    assertThat(wrong.exitCode()).isEqualTo(77);
    assertThat(wrong.err()).doesNotContain(PASSWORD);
    assertThat(HexFormat.of().formatHex(wrong.err().getBytes(StandardCharsets.UTF_8)))
        .doesNotContain(HexFormat.of().formatHex(PASSWORD.getBytes(StandardCharsets.UTF_8)));
  }
}
