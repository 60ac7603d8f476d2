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
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 9 items 1 and 2 against a real Dovecot: an archive damaged between runs never licenses a
 * deletion (M7); a damaged copy of a message the server still has is fetched again and the file
 * rewritten so that the standard tools read it to its end; {@code verify --repair} does the same
 * without deleting; what is gone from the server is salvaged if it still decodes, otherwise listed
 * and recorded as lost. Every test checks the server's mailbox, the files on disk (with zstdcat)
 * and the ledger.
 */
class DamagedArchiveIT {
  private static final String PASSWORD = "damage-Pa55";
  private static final int MESSAGES = 200;
  private static DovecotServer dovecot;
  @TempDir static Path serverDir;

  @TempDir Path tmp;

  @BeforeAll
  static void startDovecot() throws Exception {
    DovecotServer.requireAvailable();
    ArchiveTools.requireAvailable();
    dovecot = DovecotServer.start(serverDir);
    for (String user :
        List.of(
            "flip", "random", "repair", "lost", "salvage", "only", "missing", "crash", "early")) {
      dovecot.addUser(user, PASSWORD);
    }
  }

  @AfterAll
  static void stopDovecot() {
    if (dovecot != null) {
      dovecot.close();
    }
  }

  @Test
  void aFlippedByteIsRepairedFromTheServerBeforeAnythingIsDeleted() throws Exception {
    List<CorpusMessage> corpus = load("flip", 1, MESSAGES);
    Path archiveDir = tmp.resolve("archive");
    assertOk(run("flip", archiveDir, "archive", "--batch-size", "10"));
    Path file = onlyArchiveFile(archiveDir);
    flipByte(file, Files.size(file) / 2);
    assertThat(verify(archiveDir).exitCode()).as("verify sees the damage").isEqualTo(65);

    CliRun delete = run("flip", archiveDir, "archive", "--delete", "--batch-size", "10");

    assertOk(delete);
    assertThat(delete.err()).contains("damaged archive:").contains("repaired ");
    assertThat(delete.out()).contains(MESSAGES + " deleted");
    assertArchiveHoldsExactly(archiveDir, corpus);
    assertThat(dovecot.remainingMessages("flip")).isEmpty();
    assertThat(asideFiles(archiveDir)).as("damaged original kept aside").hasSize(1);
  }

  @Test
  void aFileOfRandomBytesIsRebuiltFromTheServerAndOnlyThenDeleted() throws Exception {
    List<CorpusMessage> corpus = load("random", 2, MESSAGES);
    Path archiveDir = tmp.resolve("archive");
    assertOk(run("random", archiveDir, "archive", "--batch-size", "10"));
    Path file = onlyArchiveFile(archiveDir);
    byte[] noise = new byte[(int) Files.size(file)];
    new Random(3).nextBytes(noise);
    Files.write(file, noise);

    CliRun delete = run("random", archiveDir, "archive", "--delete", "--batch-size", "10");

    assertOk(delete);
    assertThat(delete.out()).contains(MESSAGES + " deleted");
    assertArchiveHoldsExactly(archiveDir, corpus);
    assertThat(dovecot.remainingMessages("random")).isEmpty();
  }

  @Test
  void verifyRepairFetchesAgainAndDeletesNothing() throws Exception {
    List<CorpusMessage> corpus = load("repair", 4, MESSAGES);
    Path archiveDir = tmp.resolve("archive");
    assertOk(run("repair", archiveDir, "archive", "--batch-size", "10"));
    Path file = onlyArchiveFile(archiveDir);
    flipByte(file, Files.size(file) / 3);

    CliRun repair = run("repair", archiveDir, "verify", "--repair");

    assertOk(repair);
    assertThat(repair.out()).contains("repaired, 0 lost");
    assertThat(dovecot.remainingMessages("repair")).as("nothing deleted").hasSize(MESSAGES);
    assertArchiveHoldsExactly(archiveDir, corpus);
    assertThat(
            LedgerProbe.number(
                archiveDir.resolve("ledger.db"),
                "select count(*) from frame where verified_at is null"))
        .as("every frame of the rewritten file is recorded as verified")
        .isZero();
  }

  @Test
  void whatIsGoneFromTheServerIsSalvagedIfItDecodesAndListedAsLostOtherwise() throws Exception {
    List<CorpusMessage> corpus = load("lost", 5, MESSAGES);
    Path archiveDir = tmp.resolve("archive");
    assertOk(run("lost", archiveDir, "archive", "--delete", "--batch-size", "10"));
    assertThat(dovecot.remainingMessages("lost")).isEmpty();
    Path file = onlyArchiveFile(archiveDir);
    Path ledger = archiveDir.resolve("ledger.db");
    // Damage the middle of the 10th frame: its first messages still decode, the rest do not.
    long frameOffset =
        LedgerProbe.number(
            ledger, "select file_offset from frame order by file_offset limit 1 offset 9");
    long frameLength =
        LedgerProbe.number(
            ledger, "select byte_length from frame order by file_offset limit 1 offset 9");
    overwrite(file, frameOffset + frameLength / 2, 64);

    CliRun repair = run("lost", archiveDir, "verify", "--repair");

    assertThat(repair.exitCode()).as(repair.describe()).isEqualTo(65);
    long lost = LedgerProbe.number(ledger, "select count(*) from lost_message");
    long kept = LedgerProbe.number(ledger, "select count(*) from message");
    assertThat(lost)
        .as("messages of the damaged frame that could not be salvaged")
        .isBetween(1L, 10L);
    assertThat(kept + lost).as("nothing silently dropped from the ledger").isEqualTo(MESSAGES);
    for (String uidl : LedgerProbe.column(ledger, "select uidl from lost_message")) {
      assertThat(repair.err())
          .contains("lost (damaged here and gone from the server): UIDL " + uidl);
    }
    assertThat(repair.err()).contains("Message-ID").contains("Subject");
    List<CorpusMessage> intact = new ArrayList<>();
    List<String> lostUidls = LedgerProbe.column(ledger, "select uidl from lost_message");
    for (CorpusMessage m : corpus) {
      if (!lostUidls.contains(m.name())) {
        intact.add(m);
      }
    }
    assertArchiveHoldsExactly(archiveDir, intact);
    CliRun again = verify(archiveDir);
    assertThat(again.err()).contains("recorded as lost");
  }

  @Test
  void aMessageGoneFromTheServerIsRecoveredFromTheDamagedCopyWhenItAloneStillDecodes()
      throws Exception {
    List<CorpusMessage> corpus = load("salvage", 11, 50);
    Path archiveDir = tmp.resolve("archive");
    // Uncompressed frames: damage inside one message leaves its neighbours decodable.
    assertOk(
        run("salvage", archiveDir, "archive", "--delete", "--batch-size", "10", "--codec", "none"));
    Path ledger = archiveDir.resolve("ledger.db");
    Path file;
    try (Stream<Path> files = Files.walk(archiveDir)) {
      file = files.filter(p -> p.toString().endsWith(".mbox")).findFirst().orElseThrow();
    }
    String victim = "bulk-000013";
    long at =
        LedgerProbe.number(
            ledger,
            "select f.file_offset + m.frame_offset + m.encoded_length / 2 from message m"
                + " join frame f on f.id = m.frame_id where m.uidl = '"
                + victim
                + "'");
    flipByte(file, at);

    CliRun repair = run("salvage", archiveDir, "verify", "--repair");

    assertThat(repair.exitCode()).as(repair.describe()).isEqualTo(65);
    assertThat(repair.out()).contains("9 message(s) repaired, 1 lost");
    assertThat(LedgerProbe.column(ledger, "select uidl from lost_message")).containsExactly(victim);
    assertThat(repair.err())
        .contains("lost (damaged here and gone from the server): UIDL " + victim + ", Message-ID");
    List<CorpusMessage> rest = corpus.stream().filter(m -> !m.name().equals(victim)).toList();
    assertArchiveHoldsExactly(archiveDir, rest);
  }

  @Test
  void onlyTheFramesOfMessagesSelectedForDeletionAreReRead() throws Exception {
    load("only", 6, 100);
    Path archiveDir = tmp.resolve("archive");
    assertOk(run("only", archiveDir, "archive", "--delete", "--batch-size", "10"));
    Path ledger = archiveDir.resolve("ledger.db");
    long firstFrames = LedgerProbe.number(ledger, "select count(*) from frame");
    List<CorpusMessage> second = new ArrayList<>();
    for (CorpusMessage m : Corpus.bulk(7, 100, 1000)) {
      CorpusMessage renamed = new CorpusMessage("b-" + m.name(), m.content());
      dovecot.deliver("only", renamed.name(), renamed.content());
      second.add(renamed);
    }
    assertOk(run("only", archiveDir, "archive", "--batch-size", "10"));
    Path file = onlyArchiveFile(archiveDir);
    // Damage a frame of the first run, whose messages are no longer on the server.
    long offset =
        LedgerProbe.number(
            ledger, "select file_offset from frame order by file_offset limit 1 offset 3");
    flipByte(file, offset + 20);
    LedgerProbe.number(ledger, "select count(*) from frame"); // ledger still readable
    Thread.sleep(5); // verified_at is in milliseconds

    CliRun delete = run("only", archiveDir, "archive", "--delete", "--batch-size", "10");

    assertOk(delete);
    assertThat(delete.out()).contains("100 deleted");
    assertThat(dovecot.remainingMessages("only")).isEmpty();
    assertThat(asideFiles(archiveDir)).as("the unselected damaged frame was not touched").isEmpty();
    assertThat(verify(archiveDir).exitCode())
        .as("its damage is still there for verify")
        .isEqualTo(65);
    long reread =
        LedgerProbe.number(
            ledger,
            "select count(*) from frame where verified_at >= (select max(started) from run)");
    assertThat(reread)
        .as("frames re-read by the last run: exactly the second run's")
        .isEqualTo(LedgerProbe.number(ledger, "select count(*) from frame") - firstFrames);
  }

  @Test
  void aMissingArchiveFileIsRebuiltByVerifyRepair() throws Exception {
    List<CorpusMessage> corpus = load("missing", 8, 50);
    Path archiveDir = tmp.resolve("archive");
    assertOk(run("missing", archiveDir, "archive", "--batch-size", "10"));
    Files.delete(onlyArchiveFile(archiveDir));
    CliRun refused = run("missing", archiveDir, "archive", "--delete");
    assertThat(refused.exitCode()).as(refused.describe()).isEqualTo(65);
    assertThat(refused.err()).contains("verify --repair");
    assertThat(dovecot.remainingMessages("missing")).hasSize(50);

    assertOk(run("missing", archiveDir, "verify", "--repair"));

    assertArchiveHoldsExactly(archiveDir, corpus);
  }

  @Test
  void aRepairInterruptedBetweenItsLedgerCommitAndItsRenamesIsFinishedByTheNextRun()
      throws Exception {
    List<CorpusMessage> corpus = load("crash", 9, 50);
    Path archiveDir = tmp.resolve("archive");
    assertOk(run("crash", archiveDir, "archive", "--batch-size", "10"));
    Path file = onlyArchiveFile(archiveDir);
    flipByte(file, Files.size(file) / 2);
    assertOk(run("crash", archiveDir, "verify", "--repair"));
    // Stage what a kill after the ledger commit and before the renames leaves: the ledger
    // describes the rewrite, the damaged original is still in place, the rewrite waits beside it.
    Path aside = asideFiles(archiveDir).get(0);
    Path rewrite = file.resolveSibling(file.getFileName() + ".repair");
    Files.move(file, rewrite);
    Files.move(aside, file);
    Path ledger = archiveDir.resolve("ledger.db");
    String relative = archiveDir.relativize(file).toString();
    LedgerProbe.execute(
        ledger,
        "update archive_file set replacement = '"
            + relative
            + ".repair' where path = '"
            + relative
            + "'");
    // Also a torn tail on the rewrite: recovery must run after the rename, on the right file.
    Files.write(rewrite, new byte[] {1, 2, 3}, java.nio.file.StandardOpenOption.APPEND);

    CliRun next = run("crash", archiveDir, "archive");

    assertOk(next);
    assertThat(next.err()).contains("finished the repair of");
    assertThat(next.out()).contains("0 new, 50 skipped");
    assertThat(asideFiles(archiveDir)).containsExactly(aside);
    assertThat(
            LedgerProbe.number(
                ledger, "select count(*) from archive_file where replacement is not null"))
        .isZero();
    assertArchiveHoldsExactly(archiveDir, corpus);
  }

  @Test
  void aRepairInterruptedBeforeItsLedgerCommitLeavesTheOldStateAndIsDoneAgain() throws Exception {
    List<CorpusMessage> corpus = load("early", 10, 50);
    Path archiveDir = tmp.resolve("archive");
    assertOk(run("early", archiveDir, "archive", "--batch-size", "10"));
    Path file = onlyArchiveFile(archiveDir);
    flipByte(file, Files.size(file) / 2);
    // A half-written rewrite of an earlier, killed attempt: not recorded, so never trusted.
    Files.write(file.resolveSibling(file.getFileName() + ".repair"), new byte[] {42, 42, 42});

    CliRun delete = run("early", archiveDir, "archive", "--delete", "--batch-size", "10");

    assertOk(delete);
    assertThat(delete.out()).contains("50 deleted");
    assertArchiveHoldsExactly(archiveDir, corpus);
  }

  // ---------------------------------------------------------------------------------------------

  private List<CorpusMessage> load(String user, long seed, int count) {
    List<CorpusMessage> corpus = Corpus.bulk(seed, count, 1000);
    for (CorpusMessage m : corpus) {
      dovecot.deliver(user, m.name(), m.content());
    }
    return corpus;
  }

  private CliRun run(String user, Path archiveDir, String command, String... extra)
      throws Exception {
    Path passwordFile = tmp.resolve("pass-" + user);
    PasswordFiles.write(passwordFile, PASSWORD + "\n");
    List<String> args = new ArrayList<>(List.of(command));
    if (command.equals("verify")) {
      assertThat(extra).contains("--repair");
    }
    args.addAll(
        List.of(
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

  private static CliRun verify(Path archiveDir) {
    return CliRun.of("verify", "--archive-dir", archiveDir.toString());
  }

  private static void assertOk(CliRun run) {
    assertThat(run.exitCode()).as(run.describe()).isZero();
  }

  private static Path onlyArchiveFile(Path archiveDir) throws Exception {
    try (Stream<Path> files = Files.walk(archiveDir)) {
      List<Path> found =
          files
              .filter(p -> p.toString().endsWith(".mbox.zst") || p.toString().endsWith(".mbox"))
              .filter(p -> !p.getFileName().toString().equals("check.mbox"))
              .toList();
      assertThat(found).hasSize(1);
      return found.get(0);
    }
  }

  private static List<Path> asideFiles(Path archiveDir) throws Exception {
    try (Stream<Path> files = Files.walk(archiveDir)) {
      return files.filter(p -> p.getFileName().toString().contains(".damaged-")).toList();
    }
  }

  private static void flipByte(Path file, long position) throws Exception {
    byte[] bytes = Files.readAllBytes(file);
    bytes[(int) position] ^= 0x5a;
    Files.write(file, bytes);
  }

  private static void overwrite(Path file, long position, int count) throws Exception {
    byte[] bytes = Files.readAllBytes(file);
    for (int i = 0; i < count; i++) {
      bytes[(int) position + i] ^= (byte) (0x35 + i);
    }
    Files.write(file, bytes);
  }

  /**
   * Asserts that the account's archive, read by zstdcat from start to end and by Python's mailbox
   * module, holds exactly {@code expected} (by SHA-256 of the mboxrd view), that verify passes, and
   * that the ledger's hashes are the wire hashes of {@code expected}.
   */
  private static void assertArchiveHoldsExactly(Path archiveDir, List<CorpusMessage> expected)
      throws Exception {
    Path file = onlyArchiveFile(archiveDir);
    byte[] all = ArchiveTools.decompressWithCli(file); // fails on a bad frame anywhere
    Path mbox = file.resolveSibling("check.mbox");
    Files.write(mbox, all);
    List<String> views = new ArrayList<>();
    for (byte[] m : ArchiveTools.readWithPythonMailbox(mbox)) {
      views.add(sha256(m));
    }
    Files.delete(mbox);
    List<String> expectedViews = new ArrayList<>();
    List<String> expectedWire = new ArrayList<>();
    for (CorpusMessage m : expected) {
      byte[] wire = Corpus.expectedWireBytes(m.content());
      expectedViews.add(sha256(ArchiveTools.mboxrdExpected(wire)));
      expectedWire.add(sha256(wire));
    }
    assertThat(views).containsExactlyInAnyOrderElementsOf(expectedViews);
    assertThat(
            LedgerProbe.column(
                archiveDir.resolve("ledger.db"), "select lower(hex(sha256)) from message"))
        .containsExactlyInAnyOrderElementsOf(expectedWire);
    CliRun verify = verify(archiveDir);
    assertThat(verify.exitCode()).as(verify.describe()).isZero();
  }

  private static String sha256(byte[] bytes) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
  }
}
