package dev.popvault.ledger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.popvault.ledger.LedgerException.Kind;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LedgerTest {
  private static final Instant T0 = Instant.parse("2024-03-01T10:15:30.123Z");

  @TempDir Path dir;

  // ---------------------------------------------------------------------------------------------
  // Opening, schema, files

  @Test
  void migratesAnEmptyFileToTheLatestSchema() throws Exception {
    Path file = dir.resolve("ledger.db");
    try (Ledger ledger = Ledger.open(file)) {
      assertThat(ledger.file()).isEqualTo(file);
      assertThat(ledger.accountNames()).isEmpty();
    }
    try (Connection c = jdbc(file);
        Statement s = c.createStatement()) {
      assertThat(queryInt(s, "PRAGMA user_version")).isEqualTo(Schema.latestVersion());
      assertThat(queryInt(s, "PRAGMA application_id")).isEqualTo(Schema.APPLICATION_ID);
      assertThat(queryString(s, "PRAGMA journal_mode")).isEqualTo("wal");
      List<String> tables = new ArrayList<>();
      try (ResultSet r =
          s.executeQuery("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name")) {
        while (r.next()) {
          tables.add(r.getString(1));
        }
      }
      assertThat(tables)
          .containsExactly(
              "account",
              "account_rename",
              "adopted",
              "archive_file",
              "catalog",
              "catalog_config",
              "catalog_data",
              "catalog_docsize",
              "catalog_idx",
              "frame",
              "lost_message",
              "message",
              "run",
              "unarchived_deletion",
              "upload");
    }
  }

  @Test
  void reopeningKeepsDataAndDoesNotMigrateAgain() throws Exception {
    Path file = dir.resolve("ledger.db");
    long account;
    long fileId;
    try (Ledger ledger = Ledger.open(file)) {
      account = ledger.account("home", "pop.example.org", 995, "alice");
      fileId = ledger.archiveFile(account, "home/2024/2024-03.mbox.zst", "zstd").id();
      long run = ledger.beginRun(account, T0);
      ledger.commitFrame(fileId, run, 0, 100, List.of(message("u1", 10, 0, 50)));
    }
    try (Ledger ledger = Ledger.open(file)) {
      assertThat(ledger.findAccount("home")).hasValue(account);
      assertThat(ledger.archivedKeys(account)).containsExactly(new ArchivedKey("u1", 10));
      assertThat(ledger.archiveFiles(account))
          .containsExactly(
              new ArchiveFileRow(fileId, account, "home/2024/2024-03.mbox.zst", "zstd", 100));
    }
  }

  @Test
  void migratesALedgerOfSchemaOneKeepingItsDataAndRecordingNoVerificationYet() throws Exception {
    Path file = dir.resolve("ledger.db");
    try (Connection c = jdbc(file);
        Statement s = c.createStatement()) {
      for (String sql : Schema.MIGRATIONS.get(0).statements()) {
        s.execute(sql);
      }
      s.execute("PRAGMA user_version = 1");
      s.execute("INSERT INTO account VALUES (1, 'home', 'pop.example.org', 995, 'alice')");
      s.execute("INSERT INTO run(id, account_id, started) VALUES (1, 1, 0)");
      s.execute(
          "INSERT INTO archive_file VALUES (1, 1, 'home/2024/2024-03.mbox.zst', 'zstd', 100)");
      s.execute("INSERT INTO frame VALUES (1, 1, 0, 100, 1)");
      s.execute(
          "INSERT INTO message(account_id, uidl, size, wire_length, sha256, frame_id, frame_offset,"
              + " encoded_length, raw_from_line, no_final_newline, date, archived_at)"
              + " VALUES (1, 'u1', 10, 10, zeroblob(32), 1, 0, 50, -1, 0,"
              + " 'Mon, 1 Jan 2024 00:00:00 GMT', 0)");
    }
    try (Ledger ledger = Ledger.open(file)) {
      assertThat(ledger.archivedKeys(1)).containsExactly(new ArchivedKey("u1", 10));
      assertThat(ledger.frameVerifiedAt(1)).as("never verified under the old schema").isEmpty();
      assertThat(ledger.pendingReplacements(1)).isEmpty();
      assertThat(ledger.lostMessages(1)).isEmpty();
    }
    try (Connection c = jdbc(file);
        Statement s = c.createStatement()) {
      assertThat(queryInt(s, "PRAGMA user_version")).isEqualTo(Schema.latestVersion());
      assertThat(queryLong(s, "SELECT date_ms FROM message")).isEqualTo(1704067200000L);
    }
  }

  @Test
  void replaceFileMovesKeptFramesRepointsRepairedMessagesAndListsTheLostOnes() throws Exception {
    try (Ledger ledger = Ledger.open(dir.resolve("ledger.db"))) {
      long account = ledger.account("home", "pop.example.org", 995, "alice");
      long fileId = ledger.archiveFile(account, "home/2024/2024-03.mbox.zst", "zstd").id();
      long run = ledger.beginRun(account, T0);
      ledger.commitFrame(fileId, run, 0, 100, List.of(message("a", 10, 0, 50)));
      ledger.commitFrame(
          fileId, run, 100, 80, List.of(message("b", 10, 0, 50), message("c", 10, 50, 50)));
      ledger.commitFrame(fileId, run, 180, 60, List.of(message("d", 10, 0, 50)));
      List<FrameRow> frames = ledger.frames(fileId);
      long damaged = frames.get(1).id();
      MessageRow fresh = messageAt("b", 10, 0, 40, T0.plusSeconds(99));
      Instant now = T0.plusSeconds(3600);

      ledger.replaceFile(
          new FileReplacement(
              fileId,
              run,
              "home/2024/2024-03.mbox.zst.repair",
              "home/2024/2024-03.mbox.zst.damaged-x",
              230,
              now,
              List.of(
                  new FileReplacement.KeptFrame(frames.get(0).id(), 0),
                  new FileReplacement.KeptFrame(frames.get(2).id(), 100)),
              List.of(
                  new FileReplacement.AddedFrame(
                      160, 70, List.of(new FileReplacement.RepairedMessage(sha("b"), fresh)))),
              List.of(new FileReplacement.MessageKey("c", 10, sha("c")))),
          now);

      List<FrameRow> after = ledger.frames(fileId);
      assertThat(after).extracting(FrameRow::offset).containsExactly(0L, 100L, 160L);
      assertThat(after.get(2).messages()).extracting(MessageRow::uidl).containsExactly("b");
      assertThat(after.get(2).messages().get(0).archivedAt())
          .as("first archived stays")
          .isEqualTo(T0);
      assertThat(after).noneMatch(f -> f.id() == damaged);
      assertThat(ledger.frameVerifiedAt(fileId).values()).hasSize(3).allMatch(now::equals);
      assertThat(ledger.archiveFiles(account).get(0).committedLength()).isEqualTo(230);
      assertThat(ledger.archivedKeys(account))
          .containsExactlyInAnyOrder(
              new ArchivedKey("a", 10), new ArchivedKey("b", 10), new ArchivedKey("d", 10));
      assertThat(ledger.lostMessages(account))
          .singleElement()
          .satisfies(
              l -> {
                assertThat(l.uidl()).isEqualTo("c");
                assertThat(l.messageId()).isEqualTo("<c@example.org>");
                assertThat(l.damagedCopy()).isEqualTo("home/2024/2024-03.mbox.zst.damaged-x");
              });
      assertThat(ledger.pendingReplacements(account))
          .containsExactly(
              new PendingReplacement(
                  fileId,
                  "home/2024/2024-03.mbox.zst",
                  "home/2024/2024-03.mbox.zst.repair",
                  "home/2024/2024-03.mbox.zst.damaged-x"));
      ledger.replacementDone(fileId);
      assertThat(ledger.pendingReplacements(account)).isEmpty();
    }
  }

  @Test
  void replaceFileRefusesToDropAFrameThatStillHoldsAnUnaccountedMessage() throws Exception {
    try (Ledger ledger = Ledger.open(dir.resolve("ledger.db"))) {
      long account = ledger.account("home", "pop.example.org", 995, "alice");
      long fileId = ledger.archiveFile(account, "home/2024/2024-03.mbox.zst", "zstd").id();
      long run = ledger.beginRun(account, T0);
      ledger.commitFrame(
          fileId, run, 0, 80, List.of(message("b", 10, 0, 50), message("c", 10, 50, 50)));
      FileReplacement dropsC =
          new FileReplacement(
              fileId,
              run,
              "home/2024/2024-03.mbox.zst.repair",
              null,
              0,
              T0,
              List.of(),
              List.of(),
              List.of(new FileReplacement.MessageKey("b", 10, sha("b"))));

      assertThatThrownBy(() -> ledger.replaceFile(dropsC, T0))
          .isInstanceOf(LedgerException.class)
          .hasMessageContaining("neither repaired nor recorded lost");
      assertThat(ledger.archivedKeys(account))
          .as("nothing committed")
          .containsExactlyInAnyOrder(new ArchivedKey("b", 10), new ArchivedKey("c", 10));
      assertThat(ledger.lostMessages(account)).isEmpty();
      assertThat(ledger.archiveFiles(account).get(0).committedLength()).isEqualTo(80);
    }
  }

  @Test
  void refusesALedgerWithANewerSchema() throws Exception {
    Path file = dir.resolve("ledger.db");
    Ledger.open(file).close();
    try (Connection c = jdbc(file);
        Statement s = c.createStatement()) {
      s.execute("PRAGMA user_version = 99");
    }
    assertThatThrownBy(() -> Ledger.open(file))
        .isInstanceOfSatisfying(
            LedgerException.class, e -> assertThat(e.kind()).isEqualTo(Kind.NEWER_SCHEMA))
        .hasMessage(
            "ledger "
                + file
                + " has schema version 99; this popvault understands up to "
                + Schema.latestVersion()
                + " — upgrade popvault");
  }

  @Test
  void reportsAGarbageFileAsCorrupt() throws Exception {
    Path file = dir.resolve("ledger.db");
    Files.writeString(file, "not a database, just text\n".repeat(200));
    assertThatThrownBy(() -> Ledger.open(file))
        .isInstanceOfSatisfying(
            LedgerException.class, e -> assertThat(e.kind()).isEqualTo(Kind.CORRUPT))
        .hasMessage("ledger " + file + " is not a SQLite database");
  }

  @Test
  void reportsAnotherApplicationsDatabaseAsCorruptAndLeavesItAlone() throws Exception {
    Path file = dir.resolve("other.db");
    try (Connection c = jdbc(file);
        Statement s = c.createStatement()) {
      s.execute("CREATE TABLE account (x)");
    }
    assertThatThrownBy(() -> Ledger.open(file))
        .isInstanceOfSatisfying(
            LedgerException.class, e -> assertThat(e.kind()).isEqualTo(Kind.CORRUPT))
        .hasMessageContaining("not a popvault ledger");
    try (Connection c = jdbc(file);
        Statement s = c.createStatement()) {
      assertThat(queryInt(s, "PRAGMA user_version")).isZero();
    }
  }

  @Test
  void createsTheLedgerAndItsDirectoriesPrivately() throws Exception {
    Path parent = dir.resolve("a/b");
    Path file = parent.resolve("ledger.db");
    try (Ledger ledger = Ledger.open(file)) {
      ledger.account("home", "pop.example.org", 995, "alice");
      // While the connection is open, SQLite keeps the WAL and shared-memory files beside the
      // ledger.
      assertThat(mode(Path.of(file + "-wal"))).isEqualTo("rw-------");
      assertThat(mode(Path.of(file + "-shm"))).isEqualTo("rw-------");
      assertThat(mode(file)).isEqualTo("rw-------");
    }
    assertThat(mode(dir.resolve("a"))).isEqualTo("rwx------");
    assertThat(mode(parent)).isEqualTo("rwx------");
  }

  @Test
  void leavesTheModeOfAnExistingDirectoryAlone() throws Exception {
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-x---"));
    Ledger.open(dir.resolve("ledger.db")).close();
    assertThat(mode(dir)).isEqualTo("rwxr-x---");
  }

  @Test
  void reportsAnUncreatableLedgerAsIo() throws Exception {
    // Tests run as root, which ignores directory modes; a regular file as parent stops anyone.
    Path notADir = dir.resolve("plain-file");
    Files.writeString(notADir, "x");
    Path file = notADir.resolve("ledger.db");
    assertThatThrownBy(() -> Ledger.open(file))
        .isInstanceOfSatisfying(LedgerException.class, e -> assertThat(e.kind()).isEqualTo(Kind.IO))
        .hasMessageStartingWith("cannot create ledger " + file);
    Path deeper = notADir.resolve("sub/ledger.db");
    assertThatThrownBy(() -> Ledger.open(deeper))
        .isInstanceOfSatisfying(LedgerException.class, e -> assertThat(e.kind()).isEqualTo(Kind.IO))
        .hasMessageContaining(deeper.toString());
  }

  @Test
  void reportsADirectoryInPlaceOfTheLedgerAsIo() throws Exception {
    Path file = dir.resolve("ledger.db");
    Files.createDirectory(file);
    assertThatThrownBy(() -> Ledger.open(file))
        .isInstanceOfSatisfying(LedgerException.class, e -> assertThat(e.kind()).isEqualTo(Kind.IO))
        .hasMessageContaining(file.toString());
  }

  @Test
  void failsWithLockedWhenAnotherConnectionHoldsTheWriteLock() throws Exception {
    Path file = dir.resolve("ledger.db");
    try (Ledger ledger = Ledger.open(file, Duration.ofMillis(200))) {
      long account = ledger.account("home", "pop.example.org", 995, "alice");
      try (Connection other = jdbc(file);
          Statement s = other.createStatement()) {
        s.execute("BEGIN IMMEDIATE");
        assertThatThrownBy(() -> ledger.beginRun(account, T0))
            .isInstanceOfSatisfying(
                LedgerException.class, e -> assertThat(e.kind()).isEqualTo(Kind.LOCKED))
            .hasMessage("ledger " + file + " is locked by another process (waited 200 ms)");
        // Readers are not blocked by a writer in WAL mode.
        assertThat(ledger.findAccount("home")).hasValue(account);
        s.execute("ROLLBACK");
      }
      assertThat(ledger.beginRun(account, T0)).isPositive();
    }
  }

  @Test
  void defaultBusyTimeoutIsDescribedInSeconds() {
    assertThat(SqliteErrors.describe(Ledger.DEFAULT_BUSY_TIMEOUT)).isEqualTo("10 s");
    assertThat(SqliteErrors.describe(Duration.ofMillis(1500))).isEqualTo("1.5 s");
  }

  @Test
  void refusesUseAfterClose() throws Exception {
    Ledger ledger = Ledger.open(dir.resolve("ledger.db"));
    ledger.close();
    ledger.close();
    assertThatThrownBy(ledger::accountNames).isInstanceOf(IllegalStateException.class);
  }

  // ---------------------------------------------------------------------------------------------
  // Accounts

  @Test
  void findsOrCreatesAccountsAndRecordsChangedServerDetails() throws Exception {
    try (Ledger ledger = Ledger.open(dir.resolve("ledger.db"))) {
      assertThat(ledger.findAccount("work")).isEmpty();
      long work = ledger.account("work", "pop.work.example", 995, "bob");
      long home = ledger.account("home", "pop.example.org", 995, "alice");
      assertThat(home).isNotEqualTo(work);
      assertThat(ledger.account("work", "pop.work.example", 995, "bob")).isEqualTo(work);
      assertThat(ledger.account("work", "pop2.work.example", 110, "bob2")).isEqualTo(work);
      assertThat(ledger.accountNames()).containsExactly("home", "work");
    }
    try (Connection c = jdbc(dir.resolve("ledger.db"));
        Statement s = c.createStatement()) {
      assertThat(
              queryString(
                  s,
                  "SELECT host || ':' || port || ':' || user FROM account"
                      + " WHERE name = 'work'"))
          .isEqualTo("pop2.work.example:110:bob2");
    }
  }

  @Test
  void keepsTwoAccountsApart() throws Exception {
    try (Ledger ledger = Ledger.open(dir.resolve("ledger.db"))) {
      long home = ledger.account("home", "pop.example.org", 995, "alice");
      long work = ledger.account("work", "pop.work.example", 995, "bob");
      ArchiveFileRow homeFile = ledger.archiveFile(home, "home/2024/2024-03.mbox.zst", "zstd");
      ArchiveFileRow workFile = ledger.archiveFile(work, "work/2024/2024-03.mbox.zst", "zstd");
      long homeRun = ledger.beginRun(home, T0);
      long workRun = ledger.beginRun(work, T0);
      // The same UIDL, size and content in two mailboxes are two messages.
      ledger.commitFrame(homeFile.id(), homeRun, 0, 40, List.of(message("same", 10, 0, 10)));
      ledger.commitFrame(
          workFile.id(),
          workRun,
          0,
          50,
          List.of(message("same", 10, 0, 10), message("w2", 20, 10, 10)));

      assertThat(ledger.archivedKeys(home)).containsExactly(new ArchivedKey("same", 10));
      assertThat(ledger.archivedKeys(work))
          .containsExactlyInAnyOrder(new ArchivedKey("same", 10), new ArchivedKey("w2", 20));
      assertThat(ledger.archiveFiles(home))
          .extracting(ArchiveFileRow::relativePath)
          .containsExactly("home/2024/2024-03.mbox.zst");
      assertThat(ledger.archiveFiles(work))
          .extracting(ArchiveFileRow::committedLength)
          .containsExactly(50L);

      ledger.markDeleted(home, List.of(new ArchivedKey("same", 10)), T0);
      assertThat(ledger.frames(workFile.id()).get(0).messages().get(0).deletedAt()).isNull();

      assertThatThrownBy(() -> ledger.archiveFile(work, "home/2024/2024-03.mbox.zst", "zstd"))
          .isInstanceOfSatisfying(
              LedgerException.class, e -> assertThat(e.kind()).isEqualTo(Kind.CONFLICT));
      assertThatThrownBy(
              () ->
                  ledger.commitFrame(
                      homeFile.id(), workRun, 40, 10, List.of(message("x", 1, 0, 1))))
          .isInstanceOf(IllegalArgumentException.class);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Files, frames, messages

  @Test
  void findsAnExistingArchiveFileAndRefusesAnotherCodec() throws Exception {
    try (Ledger ledger = Ledger.open(dir.resolve("ledger.db"))) {
      long home = ledger.account("home", "pop.example.org", 995, "alice");
      ArchiveFileRow created = ledger.archiveFile(home, "home/2024/2024-03.mbox.gz", "gzip");
      assertThat(created.committedLength()).isZero();
      assertThat(ledger.archiveFile(home, "home/2024/2024-03.mbox.gz", "gzip")).isEqualTo(created);
      assertThatThrownBy(() -> ledger.archiveFile(home, "home/2024/2024-03.mbox.gz", "zstd"))
          .isInstanceOfSatisfying(
              LedgerException.class, e -> assertThat(e.kind()).isEqualTo(Kind.CONFLICT))
          .hasMessageContaining("codec gzip");
      assertThatThrownBy(() -> ledger.archiveFile(home, "../outside.mbox", "gzip"))
          .isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> ledger.archiveFile(999, "nobody/x.mbox", "gzip"))
          .isInstanceOf(IllegalArgumentException.class);
    }
  }

  @Test
  void reportsATamperedArchivePathAsCorrupt() throws Exception {
    Path file = dir.resolve("ledger.db");
    long home;
    try (Ledger ledger = Ledger.open(file)) {
      home = ledger.account("home", "pop.example.org", 995, "alice");
      ledger.archiveFile(home, "home/a.mbox", "none");
    }
    try (Connection c = jdbc(file);
        Statement s = c.createStatement()) {
      s.execute("UPDATE archive_file SET path = '../../etc/passwd'");
    }
    try (Ledger ledger = Ledger.open(file)) {
      assertThatThrownBy(() -> ledger.archiveFiles(home))
          .isInstanceOfSatisfying(
              LedgerException.class, e -> assertThat(e.kind()).isEqualTo(Kind.CORRUPT));
    }
  }

  @Test
  void archivedKeysCoverEveryCommittedFrame() throws Exception {
    try (Ledger ledger = Ledger.open(dir.resolve("ledger.db"))) {
      long home = ledger.account("home", "pop.example.org", 995, "alice");
      ArchiveFileRow march = ledger.archiveFile(home, "home/2024/2024-03.mbox.zst", "zstd");
      ArchiveFileRow april = ledger.archiveFile(home, "home/2024/2024-04.mbox.zst", "zstd");
      long run = ledger.beginRun(home, T0);
      ledger.commitFrame(
          march.id(), run, 0, 100, List.of(message("a", 1, 0, 10), message("b", 2, 10, 10)));
      ledger.commitFrame(march.id(), run, 100, 50, List.of(message("c", 3, 0, 10)));
      ledger.commitFrame(april.id(), run, 0, 70, List.of(message("d", 4, 0, 10)));
      assertThat(ledger.archivedKeys(home))
          .containsExactlyInAnyOrder(
              new ArchivedKey("a", 1),
              new ArchivedKey("b", 2),
              new ArchivedKey("c", 3),
              new ArchivedKey("d", 4));
      assertThat(ledger.archiveFiles(home))
          .extracting(ArchiveFileRow::committedLength)
          .containsExactly(150L, 70L);
    }
  }

  @Test
  void recordsAReusedUidlWithAnotherSizeAsASecondMessage() throws Exception {
    try (Ledger ledger = Ledger.open(dir.resolve("ledger.db"))) {
      long home = ledger.account("home", "pop.example.org", 995, "alice");
      ArchiveFileRow f = ledger.archiveFile(home, "home/a.mbox", "none");
      long run = ledger.beginRun(home, T0);
      ledger.commitFrame(f.id(), run, 0, 10, List.of(message("u", 100, 0, 10)));
      ledger.commitFrame(f.id(), run, 10, 10, List.of(message("u", 200, 0, 10)));
      assertThat(ledger.archivedKeys(home))
          .containsExactlyInAnyOrder(new ArchivedKey("u", 100), new ArchivedKey("u", 200));
    }
  }

  @Test
  void commitFrameIsAllOrNothing() throws Exception {
    Path file = dir.resolve("ledger.db");
    try (Ledger ledger = Ledger.open(file)) {
      long home = ledger.account("home", "pop.example.org", 995, "alice");
      ArchiveFileRow f = ledger.archiveFile(home, "home/a.mbox.zst", "zstd");
      long run = ledger.beginRun(home, T0);
      ledger.commitFrame(f.id(), run, 0, 100, List.of(message("a", 1, 0, 10)));

      // The second message repeats a committed key and content: the whole frame is refused.
      List<MessageRow> clash = List.of(message("new", 5, 0, 10), message("a", 1, 10, 10));
      assertThatThrownBy(() -> ledger.commitFrame(f.id(), run, 100, 60, clash))
          .isInstanceOfSatisfying(
              LedgerException.class, e -> assertThat(e.kind()).isEqualTo(Kind.CONFLICT))
          .hasMessageStartingWith("ledger " + file + ":");
      // A frame that does not start at the committed length is refused before anything is written.
      assertThatThrownBy(
              () -> ledger.commitFrame(f.id(), run, 120, 60, List.of(message("new", 5, 0, 10))))
          .isInstanceOfSatisfying(
              LedgerException.class, e -> assertThat(e.kind()).isEqualTo(Kind.CONFLICT))
          .hasMessageContaining("committed length 100");
      // Duplicates inside one batch are refused too.
      List<MessageRow> twice = List.of(message("n", 5, 0, 10), message("n", 5, 10, 10));
      assertThatThrownBy(() -> ledger.commitFrame(f.id(), run, 100, 60, twice))
          .isInstanceOfSatisfying(
              LedgerException.class, e -> assertThat(e.kind()).isEqualTo(Kind.CONFLICT));

      assertThat(ledger.archivedKeys(home)).containsExactly(new ArchivedKey("a", 1));
      assertThat(ledger.archiveFiles(home).get(0).committedLength()).isEqualTo(100);
      assertThat(ledger.frames(f.id())).hasSize(1);

      ledger.commitFrame(f.id(), run, 100, 60, List.of(message("new", 5, 0, 10)));
      assertThat(ledger.archiveFiles(home).get(0).committedLength()).isEqualTo(160);
    }
    try (Connection c = jdbc(file);
        Statement s = c.createStatement()) {
      assertThat(queryInt(s, "SELECT count(*) FROM message")).isEqualTo(2);
      assertThat(queryInt(s, "SELECT count(*) FROM frame")).isEqualTo(2);
    }
  }

  @Test
  void commitFrameRejectsInconsistentArguments() throws Exception {
    try (Ledger ledger = Ledger.open(dir.resolve("ledger.db"))) {
      long home = ledger.account("home", "pop.example.org", 995, "alice");
      ArchiveFileRow f = ledger.archiveFile(home, "home/a.mbox", "none");
      long run = ledger.beginRun(home, T0);
      assertThatThrownBy(() -> ledger.commitFrame(f.id(), run, 0, 10, List.of()))
          .isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(
              () ->
                  ledger.commitFrame(
                      f.id(), run, 0, 10, List.of(message("a", 1, 10, 10), message("b", 1, 0, 10))))
          .isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(
              () -> ledger.commitFrame(f.id(), run + 1, 0, 10, List.of(message("a", 1, 0, 1))))
          .isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(
              () -> ledger.commitFrame(f.id() + 1, run, 0, 10, List.of(message("a", 1, 0, 1))))
          .isInstanceOf(IllegalArgumentException.class);
      assertThat(ledger.archivedKeys(home)).isEmpty();
    }
  }

  @Test
  void framesComeBackInOffsetOrderWithTheirMessagesInFrameOrder() throws Exception {
    try (Ledger ledger = Ledger.open(dir.resolve("ledger.db"))) {
      long home = ledger.account("home", "pop.example.org", 995, "alice");
      ArchiveFileRow f = ledger.archiveFile(home, "home/a.mbox.zst", "zstd");
      ArchiveFileRow g = ledger.archiveFile(home, "home/b.mbox.zst", "zstd");
      long run = ledger.beginRun(home, T0);
      MessageRow a = message("a", 1, 0, 30);
      MessageRow b = message("b", 2, 30, 20);
      MessageRow c = message("c", 3, 50, 5);
      ledger.commitFrame(f.id(), run, 0, 40, List.of(a, b, c));
      ledger.commitFrame(g.id(), run, 0, 99, List.of(message("other", 1, 0, 1)));
      MessageRow d =
          new MessageRow(
              "d", 4, 7, sha("d"), 0, 9, 2, true, null, null, null, null, null, null, T0, null);
      ledger.commitFrame(f.id(), run, 40, 25, List.of(d));

      List<FrameRow> frames = ledger.frames(f.id());
      assertThat(frames).extracting(FrameRow::offset).containsExactly(0L, 40L);
      assertThat(frames).extracting(FrameRow::length).containsExactly(40L, 25L);
      assertThat(frames.get(0).messages())
          .extracting(MessageRow::uidl)
          .containsExactly("a", "b", "c");
      assertThat(frames.get(0).messages())
          .extracting(MessageRow::offsetInFrame)
          .containsExactly(0L, 30L, 50L);
      MessageRow first = frames.get(0).messages().get(0);
      assertThat(first.sha256()).isEqualTo(sha("a"));
      assertThat(first.messageId()).isEqualTo("<a@example.org>");
      assertThat(first.subject()).isEqualTo("Subject a");
      assertThat(first.archivedAt()).isEqualTo(T0);
      assertThat(first.wireLength()).isEqualTo(32);
      assertThat(first.rawFromLine()).isEqualTo(-1);
      assertThat(first.noFinalNewline()).isFalse();
      assertThat(frames.get(1).messages())
          .containsExactly(
              new MessageRow(
                  "d", 4, 7, sha("d"), 0, 9, 2, true, null, null, null, null, null, null, T0,
                  null));
      assertThat(ledger.frames(g.id())).hasSize(1);
      assertThat(ledger.frames(12345)).isEmpty();
    }
  }

  @Test
  void marksDeletedMessagesOnceAndRefusesUnknownKeys() throws Exception {
    try (Ledger ledger = Ledger.open(dir.resolve("ledger.db"))) {
      long home = ledger.account("home", "pop.example.org", 995, "alice");
      ArchiveFileRow f = ledger.archiveFile(home, "home/a.mbox", "none");
      long run = ledger.beginRun(home, T0);
      ledger.commitFrame(
          f.id(),
          run,
          0,
          10,
          List.of(message("a", 1, 0, 10), message("b", 2, 10, 10), message("c", 3, 20, 10)));
      Instant deleted = T0.plusSeconds(60);
      ledger.markDeleted(home, List.of(new ArchivedKey("a", 1), new ArchivedKey("b", 2)), deleted);
      ledger.markDeleted(home, List.of(new ArchivedKey("a", 1)), deleted.plusSeconds(60));

      // A key with the right UIDL but another size was never archived; nor was "zzz".
      assertThatThrownBy(
              () ->
                  ledger.markDeleted(
                      home,
                      List.of(
                          new ArchivedKey("c", 3),
                          new ArchivedKey("c", 4),
                          new ArchivedKey("zzz", 1)),
                      deleted))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageStartingWith("2 of 3 deleted messages");

      List<MessageRow> rows = ledger.frames(f.id()).get(0).messages();
      assertThat(rows).extracting(MessageRow::deletedAt).containsExactly(deleted, deleted, deleted);
      // Deleted messages stay archived: they must not be downloaded again.
      assertThat(ledger.archivedKeys(home)).hasSize(3);
      ledger.markDeleted(home, List.of(), deleted);
    }
  }

  @Test
  void firstArchivedGivesTheEarliestTimeOfEachKey() throws Exception {
    try (Ledger ledger = Ledger.open(dir.resolve("ledger.db"))) {
      long home = ledger.account("home", "pop.example.org", 995, "alice");
      ArchiveFileRow f = ledger.archiveFile(home, "home/a.mbox", "none");
      long run = ledger.beginRun(home, T0);
      Instant later = T0.plusSeconds(3600);
      ledger.commitFrame(
          f.id(), run, 0, 10, List.of(message("a", 1, 0, 10), messageAt("b", 2, 10, later)));
      // Same key, different content (a server that reuses UIDL and size): a second row.
      MessageRow again =
          new MessageRow(
              "a",
              1,
              5,
              sha("a-other"),
              0,
              5,
              -1,
              false,
              null,
              null,
              null,
              null,
              null,
              null,
              later,
              null);
      ledger.commitFrame(f.id(), run, 10, 10, List.of(again));
      Map<ArchivedKey, Instant> first = ledger.firstArchived(home);
      assertThat(first)
          .containsExactlyInAnyOrderEntriesOf(
              Map.of(new ArchivedKey("a", 1), T0, new ArchivedKey("b", 2), later));
    }
  }

  @Test
  void recordsRunsAndRefusesToEndARunTwice() throws Exception {
    Path file = dir.resolve("ledger.db");
    try (Ledger ledger = Ledger.open(file)) {
      long home = ledger.account("home", "pop.example.org", 995, "alice");
      long run = ledger.beginRun(home, T0);
      ledger.endRun(
          run,
          new RunOutcome(T0.plusSeconds(5), "failed", 69, 3, 4, 2, 12345, "connect:\nrefused"));
      assertThatThrownBy(() -> ledger.endRun(run, new RunOutcome(T0, "ok", 0, 0, 0, 0, 0, null)))
          .isInstanceOfSatisfying(
              LedgerException.class, e -> assertThat(e.kind()).isEqualTo(Kind.CONFLICT));
      assertThatThrownBy(
              () -> ledger.endRun(run + 1, new RunOutcome(T0, "ok", 0, 0, 0, 0, 0, null)))
          .isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> ledger.beginRun(999, T0))
          .isInstanceOf(IllegalArgumentException.class);
    }
    try (Connection c = jdbc(file);
        Statement s = c.createStatement()) {
      assertThat(
              queryString(
                  s,
                  "SELECT started || ' ' || ended || ' ' || outcome || ' '"
                      + " || exit_code || ' ' || new_count || ' ' || skipped_count || ' '"
                      + " || deleted_count || ' ' || bytes || ' ' || error FROM run"))
          .isEqualTo(
              T0.toEpochMilli()
                  + " "
                  + T0.plusSeconds(5).toEpochMilli()
                  + " failed 69 3 4 2 12345 connect: refused");
    }
  }

  @Test
  void listsRunsNewestFirstWithTheirOutcomes() throws Exception {
    try (Ledger ledger = Ledger.open(dir.resolve("ledger.db"))) {
      long home = ledger.account("home", "pop.example.org", 995, "alice");
      long work = ledger.account("work", "pop.work.example", 995, "bob");
      long first = ledger.beginRun(home, T0);
      RunOutcome ok = new RunOutcome(T0.plusSeconds(2), "ok", 0, 5, 1, 0, 999, null);
      ledger.endRun(first, ok);
      long killed = ledger.beginRun(home, T0.plusSeconds(60));
      long third = ledger.beginRun(home, T0.plusSeconds(120), RunKind.DELETE);
      ledger.beginRun(work, T0.plusSeconds(180));

      assertThat(ledger.runs(home, 10))
          .containsExactly(
              new RunRow(third, home, T0.plusSeconds(120), RunKind.DELETE, null),
              new RunRow(killed, home, T0.plusSeconds(60), RunKind.ARCHIVE, null),
              new RunRow(first, home, T0, RunKind.ARCHIVE, ok));
      assertThat(ledger.runs(home, 1)).extracting(RunRow::id).containsExactly(third);
    }
  }

  @Test
  void refusesAPathThatTheDriverWouldReadAsParameters() {
    Path file = dir.resolve("a?mode=memory/ledger.db");
    assertThatThrownBy(() -> Ledger.open(file))
        .isInstanceOfSatisfying(LedgerException.class, e -> assertThat(e.kind()).isEqualTo(Kind.IO))
        .hasMessageContaining("'?'");
    assertThat(dir.resolve("a?mode=memory")).doesNotExist();
  }

  @Test
  void openersCreatingOneLedgerAtOnceAllSucceed() throws Exception {
    // Races are timing-dependent: repeat on fresh files (a 200-round loop found two races here).
    for (int round = 0; round < 50; round++) {
      Path file = dir.resolve("ledger-" + round + ".db");
      List<Throwable> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
      List<Thread> threads = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        Thread t =
            new Thread(
                () -> {
                  try (Ledger ledger = Ledger.open(file)) {
                    ledger.account("home", "pop.example.org", 995, "alice");
                  } catch (Throwable e) {
                    failures.add(e);
                  }
                });
        threads.add(t);
        t.start();
      }
      for (Thread t : threads) {
        t.join();
      }
      assertThat(failures).as("round " + round).isEmpty();
      try (Connection c = jdbc(file);
          Statement s = c.createStatement()) {
        assertThat(queryInt(s, "PRAGMA user_version")).isEqualTo(Schema.latestVersion());
        assertThat(queryInt(s, "SELECT count(*) FROM account")).isEqualTo(1);
      }
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Helpers

  // ---------------------------------------------------------------------------------------------
  // Account identity and renames

  @Test
  void createAccountRefusesATakenNameOrAMailboxThatHasAnAccount() throws Exception {
    try (Ledger ledger = Ledger.open(dir.resolve("ledger.db"))) {
      long home = ledger.createAccount("home", "pop.example.org", 995, "alice");
      assertThatThrownBy(() -> ledger.createAccount("home", "other.example", 995, "bob"))
          .isInstanceOfSatisfying(
              LedgerException.class, e -> assertThat(e.kind()).isEqualTo(Kind.CONFLICT));
      assertThatThrownBy(() -> ledger.createAccount("work", "POP.Example.ORG", 995, "alice"))
          .as("host names compare without case")
          .isInstanceOfSatisfying(
              LedgerException.class, e -> assertThat(e.kind()).isEqualTo(Kind.CONFLICT));
      long otherPort = ledger.createAccount("work", "pop.example.org", 110, "alice");
      long otherUser = ledger.createAccount("bob", "pop.example.org", 995, "Alice");
      assertThat(List.of(home, otherPort, otherUser)).doesNotHaveDuplicates();
      assertThat(ledger.accounts())
          .extracting(AccountRow::name)
          .containsExactly("bob", "home", "work");
    }
  }

  @Test
  void renameRewritesEveryPathOfTheAccountInOneStepAndReservesTheNewName() throws Exception {
    try (Ledger ledger = Ledger.open(dir.resolve("ledger.db"))) {
      long home = ledger.createAccount("home", "pop.example.org", 995, "alice");
      long work = ledger.createAccount("work", "pop.work.example", 995, "bob");
      ledger.archiveFile(home, "home/2024/2024-03.mbox.zst", "zstd");
      ledger.archiveFile(home, "home/2024/2024-04.mbox.xz", "xz");
      ledger.archiveFile(work, "work/2024/2024-03.mbox.zst", "zstd");
      assertThatThrownBy(() -> ledger.beginRename(home, "work", "home", "work"))
          .isInstanceOfSatisfying(
              LedgerException.class, e -> assertThat(e.kind()).isEqualTo(Kind.CONFLICT));

      ledger.beginRename(home, "private", "home", "private");
      assertThat(ledger.accounts())
          .filteredOn(a -> a.id() == home)
          .extracting(AccountRow::renamingTo)
          .containsExactly("private");
      assertThatThrownBy(() -> ledger.createAccount("private", "x.example", 995, "x"))
          .as("the target of an unfinished rename is reserved")
          .isInstanceOf(LedgerException.class);
      assertThat(ledger.archiveFiles(home))
          .extracting(ArchiveFileRow::relativePath)
          .as("paths change only when the rename finishes")
          .allMatch(p -> p.startsWith("home/"));

      ledger.finishRename(home);
      assertThat(ledger.findAccount("private")).hasValue(home);
      assertThat(ledger.findAccount("home")).isEmpty();
      assertThat(ledger.archiveFiles(home))
          .extracting(ArchiveFileRow::relativePath)
          .containsExactly("private/2024/2024-03.mbox.zst", "private/2024/2024-04.mbox.xz");
      assertThat(ledger.archiveFiles(work))
          .extracting(ArchiveFileRow::relativePath)
          .containsExactly("work/2024/2024-03.mbox.zst");
      assertThat(ledger.accounts()).allMatch(a -> a.renamingTo() == null);
    }
  }

  @Test
  void currentCodecIsTheCodecOfTheFileWithTheNewestFrame() throws Exception {
    try (Ledger ledger = Ledger.open(dir.resolve("ledger.db"))) {
      long home = ledger.createAccount("home", "pop.example.org", 995, "alice");
      assertThat(ledger.currentCodec(home)).isNull();
      long xz = ledger.archiveFile(home, "home/2024/2024-03.mbox.xz", "xz").id();
      long zst = ledger.archiveFile(home, "home/2024/2024-03.mbox.zst", "zstd").id();
      assertThat(ledger.currentCodec(home)).as("no frame yet: the newest file").isEqualTo("zstd");
      long run = ledger.beginRun(home, T0);
      ledger.commitFrame(zst, run, 0, 100, List.of(message("u1", 10, 0, 50)));
      ledger.commitFrame(xz, run, 0, 100, List.of(message("u2", 10, 0, 50)));
      assertThat(ledger.currentCodec(home)).isEqualTo("xz");
      assertThat(ledger.messageCount(home)).isEqualTo(2);
    }
  }

  private static MessageRow message(String uidl, long size, long offset, long length) {
    return messageAt(uidl, size, offset, length, T0);
  }

  private static MessageRow messageAt(String uidl, long size, long offset, Instant at) {
    return messageAt(uidl, size, offset, 10, at);
  }

  private static MessageRow messageAt(
      String uidl, long size, long offset, long length, Instant at) {
    return new MessageRow(
        uidl,
        size,
        32,
        sha(uidl),
        offset,
        length,
        -1,
        false,
        "<" + uidl + "@example.org>",
        "Fri, 1 Mar 2024 10:00:00 +0000",
        "Someone <someone@example.org>",
        "Subject " + uidl,
        "To " + uidl + " <to@example.org>",
        null,
        at,
        null);
  }

  private static byte[] sha(String s) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
  }

  private static Connection jdbc(Path file) throws SQLException {
    return DriverManager.getConnection("jdbc:sqlite:" + file);
  }

  private static int queryInt(Statement s, String sql) throws SQLException {
    try (ResultSet r = s.executeQuery(sql)) {
      assertThat(r.next()).as(sql).isTrue();
      return r.getInt(1);
    }
  }

  private static long queryLong(Statement s, String sql) throws SQLException {
    try (ResultSet r = s.executeQuery(sql)) {
      assertThat(r.next()).as(sql).isTrue();
      return r.getLong(1);
    }
  }

  private static String queryString(Statement s, String sql) throws SQLException {
    try (ResultSet r = s.executeQuery(sql)) {
      assertThat(r.next()).as(sql).isTrue();
      return r.getString(1);
    }
  }

  private static String mode(Path p) throws java.io.IOException {
    return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
  }
}
