package dev.popvault.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.popvault.archive.Codec;
import dev.popvault.config.ConfigException;
import dev.popvault.config.PasswordSource;
import dev.popvault.pop3.AuthMethod;
import dev.popvault.pop3.Pop3Settings;
import dev.popvault.pop3.TlsTrust;
import dev.popvault.testsupport.DeleAudit;
import dev.popvault.testsupport.FakeMailbox;
import dev.popvault.testsupport.LedgerProbe;
import dev.popvault.testsupport.ScriptedPop3Server;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The composed archive run (session, plan, pipeline, re-read, gate) against an in-process POP3
 * mailbox on loopback: what reaches the server, the archive files and the ledger. Fast enough for
 * the unit suite; the CLI-level ITs cover the same paths through the launcher.
 */
class ArchiveRunTest {
  private static final Clock CLOCK =
      Clock.fixed(Instant.parse("2026-12-05T12:00:00Z"), ZoneOffset.UTC);

  @TempDir Path dir;

  private final List<String> notices = new ArrayList<>();
  private final StopRequest stop = new StopRequest();

  private static String message(String id, String text) {
    return "Message-ID: <" + id + "@test>\r\nSubject: " + text + "\r\n\r\n" + text + "\r\n";
  }

  private Path ledger() {
    return dir.resolve("ledger.db");
  }

  // Commands in flight; 1 where the client drops the session mid-fetch (a stop), so the server is
  // not cut off while it writes the next pipelined body.
  private int window = 8;

  // The run's clock and --keep-days (ZERO: --delete keeps nothing once archived).
  private Clock clock = CLOCK;
  private Duration keep = Duration.ZERO;
  // --max-size, --max-messages, --max-bytes, --checkpoint.
  private RunLimits limits = RunLimits.NONE;

  private RunReport run(ScriptedPop3Server server, boolean delete, boolean repairOnly)
      throws ConfigException {
    Pop3Settings pop3 =
        new Pop3Settings(
            "127.0.0.1",
            server.port(),
            false,
            true,
            TlsTrust.system(),
            Duration.ofSeconds(5),
            Duration.ofSeconds(5),
            window);
    ArchiveSettings settings =
        new ArchiveSettings(
            "acct",
            true,
            pop3,
            "alice",
            PasswordSource.choose(
                "secret", null, null, Duration.ofSeconds(1), Map.of(), null, "Password: "),
            AuthMethod.USER,
            OAuthMechanism.NONE,
            dir.resolve("archive"),
            ledger(),
            Codec.NONE,
            true,
            delete,
            keep,
            limits,
            false,
            2,
            1 << 20);
    ArchiveRun run = new ArchiveRun(settings, clock, (d, l) -> {}, stop, notices::add);
    return (repairOnly ? run.repairOnly() : run).execute();
  }

  private List<Path> archiveFiles() throws IOException {
    try (Stream<Path> files = Files.walk(dir.resolve("archive"))) {
      return files.filter(p -> p.toString().endsWith(".mbox")).toList();
    }
  }

  private static void flipByte(Path file, long offset) throws IOException {
    try (FileChannel c =
        FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      ByteBuffer one = ByteBuffer.allocate(1);
      c.read(one, offset);
      one.put(0, (byte) (one.get(0) ^ 0x20));
      one.rewind();
      c.write(one, offset);
    }
  }

  private FakeMailbox mailbox(int messages) {
    FakeMailbox box = new FakeMailbox();
    for (int i = 1; i <= messages; i++) {
      box.add("u" + i, message("m" + i, "message number " + i));
    }
    return box;
  }

  @Test
  void m5_archivesEachNewMessageOnceAndTheNextRunFetchesNothing() throws Exception {
    FakeMailbox box = mailbox(5);
    List<String> retrieved = new ArrayList<>();
    box.observe(
        (line, uidl, size) -> {
          if (line.startsWith("RETR")) {
            retrieved.add(uidl);
          }
        });
    try (ScriptedPop3Server server = ScriptedPop3Server.start(box)) {
      RunReport first = run(server, false, false);
      RunReport second = run(server, false, false);

      assertThat(first.newCount()).isEqualTo(5);
      assertThat(second.newCount()).isZero();
      assertThat(second.skippedCount()).isEqualTo(5);
    }
    assertThat(retrieved).containsExactly("u1", "u2", "u3", "u4", "u5");
    assertThat(LedgerProbe.number(ledger(), "SELECT count(*) FROM message")).isEqualTo(5);
    assertThat(LedgerProbe.number(ledger(), "SELECT count(*) FROM frame")).isEqualTo(3);
    assertThat(box.committedDeletions()).isEmpty();
    Path file = archiveFiles().get(0);
    assertThat(Files.size(file))
        .isEqualTo(LedgerProbe.number(ledger(), "SELECT committed_length FROM archive_file"));
    assertThat(Files.readString(file)).contains("message number 5");
  }

  @Test
  void m2_m7_deleteRemovesExactlyTheMessagesCommittedAndReadBack() throws Exception {
    FakeMailbox box = mailbox(4);
    DeleAudit audit = new DeleAudit(ledger());
    box.observe(audit);
    try (ScriptedPop3Server server = ScriptedPop3Server.start(box)) {
      RunReport report = run(server, true, false);

      assertThat(report.deletedCount()).isEqualTo(4);
    }
    assertThat(audit.unrecorded()).as("DELE of a message the ledger did not hold").isEmpty();
    assertThat(box.committedDeletions()).containsExactlyInAnyOrder("u1", "u2", "u3", "u4");
    assertThat(
            LedgerProbe.number(ledger(), "SELECT count(*) FROM message WHERE deleted_at IS NULL"))
        .isZero();
  }

  @Test
  void keepDaysDeletesEachMessageOnlyOnceItWasArchivedThatLongAgo() throws Exception {
    FakeMailbox box = mailbox(3);
    try (ScriptedPop3Server server = ScriptedPop3Server.start(box)) {
      run(server, false, false);
      box.add("u4", message("m4", "archived ten days later"));
      clock = Clock.offset(CLOCK, Duration.ofDays(10));
      run(server, false, false);

      keep = Duration.ofDays(30);
      clock = Clock.offset(CLOCK, Duration.ofDays(30).minusSeconds(1));
      assertThat(run(server, true, false).deletedCount()).as("a second too early").isZero();
      assertThat(box.committedDeletions()).isEmpty();

      clock = Clock.offset(CLOCK, Duration.ofDays(31));
      assertThat(run(server, true, false).deletedCount()).isEqualTo(3);
      assertThat(box.committedDeletions()).containsExactlyInAnyOrder("u1", "u2", "u3");

      clock = Clock.offset(CLOCK, Duration.ofDays(41));
      assertThat(run(server, true, false).deletedCount()).isEqualTo(1);
      assertThat(box.committedDeletions()).containsExactlyInAnyOrder("u1", "u2", "u3", "u4");
    }
    assertThat(LedgerProbe.number(ledger(), "SELECT count(*) FROM message")).isEqualTo(4);
    assertThat(
            LedgerProbe.number(ledger(), "SELECT count(*) FROM message WHERE deleted_at IS NULL"))
        .isZero();
  }

  @Test
  void checkpointQuitsEveryNMessagesSoEachSessionsDeletionsCommitAsTheRunGoes() throws Exception {
    FakeMailbox box = mailbox(5);
    List<String> quitAfter = new ArrayList<>();
    box.observe(
        (line, uidl, size) -> {
          if (line.equals("QUIT")) {
            quitAfter.add(String.valueOf(box.committedDeletions().size()));
          }
        });
    limits = new RunLimits(0, 0, 0, 2, false);
    try (ScriptedPop3Server server = ScriptedPop3Server.start(box)) {
      RunReport report = run(server, true, false);

      assertThat(report.newCount()).isEqualTo(5);
      assertThat(report.deletedCount()).isEqualTo(5);
    }
    assertThat(box.sessions()).isEqualTo(3);
    // Before each QUIT, the earlier sessions' deletions were already committed: 0, 2, 4.
    assertThat(quitAfter).containsExactly("0", "2", "4");
    assertThat(box.committedDeletions()).containsExactlyInAnyOrder("u1", "u2", "u3", "u4", "u5");
  }

  @Test
  void untilDoneLogsInAgainWhileAGmailLikeServerListsMoreAfterEachCleanQuit() throws Exception {
    FakeMailbox box = mailbox(7).gmailLike(3);
    try (ScriptedPop3Server server = ScriptedPop3Server.start(box)) {
      assertThat(run(server, false, false).newCount()).as("one session").isEqualTo(3);

      limits = new RunLimits(0, 0, 0, 0, true);
      RunReport rest = run(server, false, false);

      assertThat(rest.newCount()).isEqualTo(4);
    }
    // 1 plain session, then 3 + 1 new and a last one that brings nothing.
    assertThat(box.sessions()).isEqualTo(4);
    assertThat(LedgerProbe.number(ledger(), "SELECT count(DISTINCT uidl) FROM message"))
        .isEqualTo(7);
  }

  @Test
  void maxSizeLeavesBiggerMessagesOnTheServerAndReportsThem() throws Exception {
    FakeMailbox box = mailbox(2).add("huge", message("big", "x".repeat(5000)));
    limits = new RunLimits(1000, 0, 0, 0, false);
    try (ScriptedPop3Server server = ScriptedPop3Server.start(box)) {
      RunReport report = run(server, true, false);

      assertThat(report.newCount()).isEqualTo(2);
      assertThat(report.notes())
          .anyMatch(n -> n.contains("larger than max-size") && n.contains("huge"));
    }
    assertThat(box.committedDeletions()).containsExactlyInAnyOrder("u1", "u2");
    assertThat(LedgerProbe.column(ledger(), "SELECT uidl FROM message ORDER BY uidl"))
        .containsExactly("u1", "u2");
  }

  @Test
  void maxMessagesStopsTheRunAndTheNextRunGoesOn() throws Exception {
    FakeMailbox box = mailbox(5);
    limits = new RunLimits(0, 2, 0, 0, true);
    try (ScriptedPop3Server server = ScriptedPop3Server.start(box)) {
      RunReport first = run(server, false, false);
      assertThat(first.newCount()).isEqualTo(2);
      assertThat(first.notes()).anyMatch(n -> n.contains("3 messages wait for the next run"));
      assertThat(run(server, false, false).newCount()).isEqualTo(2);
      assertThat(run(server, false, false).newCount()).isEqualTo(1);
    }
    // A run that stops at the limit logs in no more; the last one, which fetched the rest, looks
    // once more (until-done) and finds nothing.
    assertThat(box.sessions()).isEqualTo(4);
  }

  @Test
  void m7_aDamagedCopyIsFetchedAgainAndRepairedBeforeAnythingIsDeleted() throws Exception {
    FakeMailbox box = mailbox(3);
    try (ScriptedPop3Server server = ScriptedPop3Server.start(box)) {
      run(server, false, false);
      Path file = archiveFiles().get(0);
      int at = Files.readString(file).indexOf("message number 2");
      flipByte(file, at);

      RunReport report = run(server, true, false);

      // The damaged frame held messages 1 and 2: the repair writes both into a fresh frame.
      assertThat(report.repairedCount()).isEqualTo(2);
      assertThat(report.deletedCount()).isEqualTo(3);
      assertThat(box.committedDeletions()).containsExactlyInAnyOrder("u1", "u2", "u3");
      // The repaired file reads back: a repair-only pass finds nothing left to fix.
      assertThat(Files.readString(archiveFiles().get(0))).contains("message number 2");
      assertThat(run(server, false, true).repairedCount()).isZero();
    }
  }

  @Test
  void m7_aCopyThatCannotBeRepairedIsNeverDeleted() throws Exception {
    FakeMailbox box = mailbox(2);
    try (ScriptedPop3Server server = ScriptedPop3Server.start(box)) {
      run(server, false, false);
      Path file = archiveFiles().get(0);
      flipByte(file, Files.readString(file).indexOf("message number 1"));
      // The server now refuses to send it again.
      box.fault(
          "RETR 1",
          (line, c) -> {
            c.send("-ERR message locked");
            return true;
          });

      assertThatThrownBy(() -> run(server, true, false)).isInstanceOf(RuntimeException.class);
    }
    assertThat(box.committedDeletions()).doesNotContain("u1");
  }

  @Test
  void m4_aConnectionLostMidRunKeepsTheCommittedFramesAndTheNextRunFetchesTheRest()
      throws Exception {
    FakeMailbox box = mailbox(5);
    box.fault(
        "RETR 4",
        (line, c) -> {
          c.cut();
          return false;
        });
    try (ScriptedPop3Server server = ScriptedPop3Server.start(box)) {
      assertThatThrownBy(() -> run(server, true, false)).isInstanceOf(PopvaultException.class);
    }
    assertThat(box.committedDeletions()).isEmpty();
    assertThat(LedgerProbe.column(ledger(), "SELECT uidl FROM message ORDER BY uidl"))
        .containsExactly("u1", "u2");
    Path file = archiveFiles().get(0);
    long committed = LedgerProbe.number(ledger(), "SELECT committed_length FROM archive_file");
    assertThat(Files.size(file)).as("the open frame was cut back").isEqualTo(committed);

    FakeMailbox again = mailbox(5);
    try (ScriptedPop3Server server = ScriptedPop3Server.start(again)) {
      assertThat(run(server, false, false).newCount()).isEqualTo(3);
    }
  }

  @Test
  void aStopDuringTheFetchKeepsWholeMessagesAndDeletesNothing() throws Exception {
    window = 1;
    FakeMailbox box = mailbox(6);
    box.observe(
        (line, uidl, size) -> {
          if (line.equals("RETR 3")) {
            stop.request("TERM");
          }
        });
    try (ScriptedPop3Server server = ScriptedPop3Server.start(box)) {
      assertThatThrownBy(() -> run(server, true, false))
          .isInstanceOf(PopvaultException.class)
          .hasMessageContaining("nothing was deleted");
    }
    assertThat(box.committedDeletions()).isEmpty();
    assertThat(LedgerProbe.number(ledger(), "SELECT count(*) FROM message")).isBetween(2L, 4L);
    assertThat(Files.size(archiveFiles().get(0)))
        .isEqualTo(LedgerProbe.number(ledger(), "SELECT committed_length FROM archive_file"));
  }

  @Test
  void aUidlReusedForAnotherMessageOfTheSameSizeIsArchivedBeforeTheDelete() throws Exception {
    try (ScriptedPop3Server server = ScriptedPop3Server.start(mailbox(2))) {
      run(server, false, false);
    }
    // Same UIDL, same size, another message: only its Message-ID tells (TOP n 0).
    FakeMailbox reused =
        new FakeMailbox()
            .add("u1", message("m1", "message number 1"))
            .add("u2", message("zz", "message number 2"));
    try (ScriptedPop3Server server = ScriptedPop3Server.start(reused)) {
      RunReport report = run(server, true, false);

      assertThat(report.newCount()).isEqualTo(1);
      assertThat(report.deletedCount()).isEqualTo(2);
    }
    assertThat(notices).anyMatch(n -> n.contains("UIDL u2") && n.contains("different message"));
    assertThat(LedgerProbe.number(ledger(), "SELECT count(*) FROM message WHERE uidl = 'u2'"))
        .isEqualTo(2);
  }
}
