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
import dev.popvault.testsupport.DeleAudit;
import dev.popvault.testsupport.FakeMailbox;
import dev.popvault.testsupport.LedgerProbe;
import dev.popvault.testsupport.LyingDisk;
import dev.popvault.testsupport.PasswordFiles;
import dev.popvault.testsupport.ScriptedPop3Server;
import java.io.IOException;
import java.io.InputStream;
import java.net.SocketException;
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
 * One test per ordering invariant of docs/design.md (M1–M6), through the CLI over TCP: against
 * GreenMail, or against a scripted server ({@link FakeMailbox}) where a test must act at an exact
 * command. Each test is built so that breaking its invariant makes it fail: M1 and M4 make the disk
 * lie ({@link LyingDisk}) so that a frame's re-read fails and its messages must not be committed;
 * M2 checks every DELE against the ledger at the instant the server receives it ({@link
 * DeleAudit}).
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
    PasswordFiles.write(passwordFile, PASSWORD + "\n");
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

  /** A scripted mailbox of {@code count} small messages with UIDLs uid-1, uid-2, ... */
  private static FakeMailbox scriptedMailbox(int count) {
    FakeMailbox box = new FakeMailbox();
    for (int i = 1; i <= count; i++) {
      box.add(
          "uid-" + i,
          "From: bob@example.test\r\nSubject: invariant "
              + i
              + "\r\nMessage-ID: <"
              + i
              + "@inv.test>\r\n\r\nFrom here on, message "
              + i
              + "\r\n"
              + "0123456789abcdef".repeat(64 * i)
              + "\r\n");
    }
    return box;
  }

  /**
   * Runs the CLI once against {@code box} on a scripted server (plain POP3, pipelining); the client
   * hanging up mid-reply after a failure is not a server failure, anything else is.
   */
  private CliRun runAgainst(FakeMailbox box, String... extra) throws IOException {
    ScriptedPop3Server.Script tolerant =
        c -> {
          try {
            box.run(c);
          } catch (SocketException hungUp) {
            // The client gave up on the session, as it should after a failed frame.
          }
        };
    try (ScriptedPop3Server server = ScriptedPop3Server.start(tolerant)) {
      return archive(server.port(), extra);
    }
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
  void m1_aFrameIsCommittedOnlyAfterItReadsBackFromDisk() throws Exception {
    // The disk lies from the first RETR on: the path shows the committed bytes only (none), so
    // the re-read of the first frame cannot match. Committing first, or not re-reading, would
    // record messages that a reader of the file never finds.
    LyingDisk lie = LyingDisk.at("RETR 1", archiveDir, 0);
    CliRun lied = runAgainst(scriptedMailbox(7).observe(lie), "--batch-size", "3");
    assertThat(lie.fired()).as("the disk lied").isTrue();
    assertThat(LedgerProbe.column(ledger(), "select uidl from message"))
        .as("M1: messages whose frame did not read back from disk were committed")
        .isEmpty();
    assertThat(lied.exitCode()).as(lied.describe()).isEqualTo(65);
    assertThat(lied.err()).as(lied.describe()).contains("verify after write failed");
    assertThat(LedgerProbe.number(ledger(), "select count(*) from frame")).isZero();

    // With an honest disk the same mailbox is archived, and every committed row reads back.
    CliRun run = runAgainst(scriptedMailbox(7), "--batch-size", "3");
    assertThat(run.exitCode()).as(run.describe()).isZero();
    assertThat(run.out()).contains(": 7 new, 0 skipped");
    assertEveryCommittedMessageReadsBack(7);
    assertThat(LedgerProbe.number(ledger(), "select count(*) from frame")).isEqualTo(3);
  }

  /** Reads every committed message from the file the ledger names and checks length and hash. */
  private void assertEveryCommittedMessageReadsBack(int expected) throws Exception {
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
    assertThat(checked).isEqualTo(expected);
  }

  @Test
  void m2_deleIsSentOnlyForMessagesTheLedgerAlreadyHolds() throws Exception {
    // Every DELE is checked against the ledger at the instant the server receives it.
    DeleAudit audit = new DeleAudit(ledger());
    // Run 1: the first frame commits, the second does not read back: the run fails, and no DELE
    // may be sent, neither for the committed messages (the run failed) nor for the others.
    LyingDisk lie = LyingDisk.at("RETR 3", archiveDir, 2);
    FakeMailbox box = scriptedMailbox(6).observe(audit).observe(lie);
    CliRun failed = runAgainst(box, "--batch-size", "2", "--delete");
    assertThat(lie.fired()).as("the disk lied").isTrue();
    assertThat(audit.unrecorded())
        .as("M2: DELE sent for messages the ledger did not hold yet")
        .isEmpty();
    assertThat(audit.deleted())
        .as("DELE sent although frame 2 did not read back from disk (the run must fail first)")
        .isEmpty();
    assertThat(failed.exitCode()).as(failed.describe()).isEqualTo(65);
    assertThat(LedgerProbe.column(ledger(), "select uidl from message"))
        .as("only the frame that read back is committed")
        .containsExactlyInAnyOrder("uid-1", "uid-2");

    // Run 2 (honest disk): the rest is archived, then everything is deleted, each DELE after its
    // commit.
    CliRun ok = runAgainst(box, "--batch-size", "2", "--delete");
    assertThat(audit.unrecorded())
        .as("M2: DELE sent for messages the ledger did not hold yet")
        .isEmpty();
    assertThat(ok.exitCode()).as(ok.describe()).isZero();
    assertThat(ok.out()).contains(": 4 new, 2 skipped, 6 deleted");
    assertThat(audit.deleted())
        .as("exactly the ledger's messages were DELEd")
        .containsExactlyInAnyOrderElementsOf(
            LedgerProbe.column(ledger(), "select uidl from message"))
        .hasSize(6);
    assertThat(box.committedDeletions()).hasSize(6);
    assertThat(
            LedgerProbe.number(
                ledger(), "select count(*) from message where deleted_at is not null"))
        .isEqualTo(6);
    assertVerifies();
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
  void m4_aFrameThatDoesNotReadBackIsCutAndOnlyVerifiedFramesStayCommitted() throws Exception {
    // Frame 1 (messages 1-3) verifies and commits; then the disk lies, so frame 2 (4-6) fails its
    // re-read while frame 3 (7) is written behind it and never verified.
    LyingDisk lie = LyingDisk.at("RETR 4", archiveDir, 3);
    CliRun lied = runAgainst(scriptedMailbox(7).observe(lie), "--batch-size", "3");
    assertThat(lie.fired()).as("the disk lied").isTrue();
    assertThat(LedgerProbe.column(ledger(), "select uidl from message"))
        .as("M4: exactly the verified frame's messages are committed, no unverified one")
        .containsExactlyInAnyOrder("uid-1", "uid-2", "uid-3");
    assertThat(lied.exitCode()).as(lied.describe()).isEqualTo(65);
    assertThat(LedgerProbe.number(ledger(), "select count(*) from frame")).isEqualTo(1);
    assertEveryCommittedMessageReadsBack(3);
    assertVerifies();

    CliRun rest = runAgainst(scriptedMailbox(7), "--batch-size", "3");
    assertThat(rest.exitCode()).as(rest.describe()).isZero();
    assertThat(rest.out()).contains(": 4 new, 3 skipped");
    assertThat(LedgerProbe.number(ledger(), "select count(distinct uidl) from message"))
        .isEqualTo(7);
    assertEveryCommittedMessageReadsBack(7);
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

    PasswordFiles.write(passwordFile, "Wrong-" + PASSWORD + "\n");
    CliRun wrong = archive("-vv");
    assertThat(wrong.exitCode()).isEqualTo(77);
    assertThat(wrong.err()).doesNotContain(PASSWORD);
    assertThat(HexFormat.of().formatHex(wrong.err().getBytes(StandardCharsets.UTF_8)))
        .doesNotContain(HexFormat.of().formatHex(PASSWORD.getBytes(StandardCharsets.UTF_8)));
  }
}
