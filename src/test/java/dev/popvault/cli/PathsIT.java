package dev.popvault.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import dev.popvault.testsupport.CliRun;
import dev.popvault.testsupport.FakeMailbox;
import dev.popvault.testsupport.LedgerProbe;
import dev.popvault.testsupport.PasswordFiles;
import dev.popvault.testsupport.ScriptedPop3Server;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Year;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * M9 (issue 9 item 4): no write leaves the archive directory, whatever symbolic links it holds, and
 * everything popvault writes there is private (directories 0700, files 0600), even if it existed
 * before with a looser mode. Drives the CLI against the scripted POP3 server and checks the files
 * on disk, the ledger and what the server saw.
 */
class PathsIT {
  private static final String ACCOUNT = "acct";

  @TempDir Path tmp;

  private Path archiveDir;
  private Path outside;

  private void dirs() throws IOException {
    archiveDir = tmp.resolve("archive");
    outside = Files.createDirectories(tmp.resolve("elsewhere"));
  }

  /** Creates {@code dir} and its missing parents 0700, as popvault would: no notices expected. */
  private static Path mkdirs(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      mkdirs(dir.getParent());
      Files.createDirectory(
          dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    }
    return dir;
  }

  private static FakeMailbox mailbox() {
    return new FakeMailbox()
        .add("u1", "Subject: one\r\n\r\nbody one\r\n")
        .capabilities("USER", "UIDL");
  }

  private CliRun archive(ScriptedPop3Server s, Path dir, String account, String... extra) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "archive",
                "pop3://alice@127.0.0.1:" + s.port(),
                "--allow-plaintext",
                "--password-file",
                passwordFile().toString(),
                "--account",
                account,
                "--archive-dir",
                dir.toString()));
    args.addAll(List.of(extra));
    return CliRun.of(args.toArray(String[]::new));
  }

  private Path passwordFile() {
    Path f = tmp.resolve("pass");
    try {
      if (!Files.exists(f)) {
        PasswordFiles.write(f, "pw\n");
      }
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    return f;
  }

  private static String year() {
    return Year.now(ZoneOffset.UTC).toString();
  }

  private static String monthFile() {
    return YearMonth.now(ZoneOffset.UTC) + ".mbox.zst";
  }

  /** Row counts of every ledger table that a run may change. */
  private List<Long> ledgerState() {
    Path ledger = archiveDir.resolve("ledger.db");
    List<Long> state = new ArrayList<>();
    for (String table : List.of("account", "run", "archive_file", "frame", "message")) {
      state.add(LedgerProbe.number(ledger, "select count(*) from " + table));
    }
    return state;
  }

  /** Archives one message for another account, so that a ledger exists to stay unchanged. */
  private void archiveAnotherAccountFirst() throws IOException {
    try (ScriptedPop3Server s = ScriptedPop3Server.start(mailbox())) {
      CliRun r = archive(s, archiveDir, "first");
      assertThat(r.exitCode()).as(r.describe()).isZero();
    }
  }

  private static void assertRefused(CliRun r, String... fragments) {
    assertThat(r.exitCode()).as(r.describe()).isEqualTo(78);
    assertThat(r.err().lines()).as(r.describe()).hasSize(1);
    assertThat(r.err()).as(r.describe()).contains(fragments).doesNotContain("Exception");
  }

  private void assertOutsideEmpty() throws IOException {
    try (Stream<Path> all = Files.walk(outside)) {
      assertThat(all.filter(p -> !p.equals(outside)).toList())
          .as("written outside the archive directory")
          .isEmpty();
    }
  }

  @Test
  void aYearDirectoryLinkedOutsideIsRefusedBeforeTheServerOrTheLedgerIsTouched() throws Exception {
    dirs();
    archiveAnotherAccountFirst();
    List<Long> before = ledgerState();
    Path link = archiveDir.resolve(ACCOUNT).resolve(year());
    mkdirs(link.getParent());
    Files.createSymbolicLink(link, outside);

    try (ScriptedPop3Server s = ScriptedPop3Server.start(mailbox())) {
      CliRun r = archive(s, archiveDir, ACCOUNT, "--delete");
      assertRefused(r, link.toString(), "symbolic link", outside.toString(), "--archive-dir");
      assertThat(s.received()).as("the server was contacted").isEmpty();
    }
    assertOutsideEmpty();
    assertThat(ledgerState())
        .as("ledger rows (account, run, file, frame, message)")
        .isEqualTo(before);
    assertThat(Files.isSymbolicLink(link)).isTrue();
  }

  @Test
  void anAccountDirectoryLinkedOutsideIsRefusedAndNothingIsDeleted() throws Exception {
    dirs();
    mkdirs(archiveDir);
    Files.createSymbolicLink(archiveDir.resolve(ACCOUNT), outside);
    FakeMailbox box = mailbox();
    try (ScriptedPop3Server s = ScriptedPop3Server.start(box)) {
      CliRun r = archive(s, archiveDir, ACCOUNT, "--delete");
      assertRefused(r, archiveDir.resolve(ACCOUNT).toString(), "outside the archive directory");
    }
    assertThat(box.committedDeletions()).isEmpty();
    assertOutsideEmpty();
  }

  @Test
  void anArchiveFileLinkedToANewFileOutsideIsRefusedAndTheLedgerDoesNotRecordIt() throws Exception {
    dirs();
    // The account is known (its mail so far went to a gzip file), so the ledger accepts it; the
    // zstd file this run starts is where the link waits.
    try (ScriptedPop3Server s = ScriptedPop3Server.start(mailbox())) {
      CliRun r = archive(s, archiveDir, ACCOUNT, "--codec", "gzip");
      assertThat(r.exitCode()).as(r.describe()).isZero();
    }
    List<Long> before = ledgerState();
    // A dangling link: opening it with O_CREAT would create the target outside.
    Path link = archiveDir.resolve(ACCOUNT).resolve(year()).resolve(monthFile());
    Files.createSymbolicLink(link, outside.resolve("stolen.mbox.zst"));

    FakeMailbox box = mailbox().add("u2", "Subject: two\r\n\r\nbody two\r\n");
    try (ScriptedPop3Server s = ScriptedPop3Server.start(box)) {
      CliRun r = archive(s, archiveDir, ACCOUNT, "--codec", "zstd", "--delete");
      assertRefused(r, link.toString(), "symbolic link", "does not exist");
    }
    assertOutsideEmpty();
    assertThat(box.committedDeletions()).isEmpty();
    Path ledger = archiveDir.resolve("ledger.db");
    assertThat(LedgerProbe.column(ledger, "select path from archive_file"))
        .noneMatch(p -> p.endsWith(".zst"));
    List<Long> after = ledgerState();
    // Only the failed run is recorded (one more run row; the account row may be new).
    assertThat(after.subList(2, 5)).isEqualTo(before.subList(2, 5));
  }

  @Test
  void theLocksDirectoryOrALedgerCompanionLinkedOutsideIsRefused() throws Exception {
    dirs();
    archiveAnotherAccountFirst();
    Path locks = archiveDir.resolve("locks");
    Path moved = tmp.resolve("locks-moved");
    Files.move(locks, moved);
    Files.createSymbolicLink(locks, outside);
    try (ScriptedPop3Server s = ScriptedPop3Server.start(mailbox())) {
      assertRefused(archive(s, archiveDir, ACCOUNT), locks.toString(), "symbolic link");
    }
    assertOutsideEmpty();
    Files.delete(locks);
    Files.move(moved, locks);

    Path wal = archiveDir.resolve("ledger.db-wal");
    Files.deleteIfExists(wal);
    Files.createSymbolicLink(wal, outside.resolve("ledger.db-wal"));
    try (ScriptedPop3Server s = ScriptedPop3Server.start(mailbox())) {
      assertRefused(archive(s, archiveDir, ACCOUNT), wal.toString(), "symbolic link");
    }
    assertOutsideEmpty();
  }

  @Test
  void anArchiveDirectoryThatIsItselfALinkIsAccepted() throws Exception {
    Path real = Files.createDirectories(tmp.resolve("disk").resolve("popvault"));
    Path link = tmp.resolve("archive-link");
    Files.createSymbolicLink(link, real);
    FakeMailbox box = mailbox();
    try (ScriptedPop3Server s = ScriptedPop3Server.start(box)) {
      CliRun r = archive(s, link, ACCOUNT);
      assertThat(r.exitCode()).as(r.describe()).isZero();
      assertThat(r.out()).contains("1 new");
      box.add("u2", "Subject: two\r\n\r\nbody two\r\n");
      r = archive(s, link, ACCOUNT, "--delete");
      assertThat(r.exitCode()).as(r.describe()).isZero();
      assertThat(r.out()).contains("1 new");
    }
    assertThat(box.committedDeletions()).containsExactlyInAnyOrder("u1", "u2");
    assertThat(Files.isSymbolicLink(link)).isTrue();
    assertThat(real.resolve("ledger.db")).isRegularFile();
    assertThat(mode(real)).as("the link's target is the archive directory").isEqualTo("rwx------");
    assertThat(real.resolve(ACCOUNT).resolve(year()).resolve(monthFile())).isRegularFile();
    assertThat(LedgerProbe.number(real.resolve("ledger.db"), "select count(*) from message"))
        .isEqualTo(2);
    CliRun verify = CliRun.of("verify", "--archive-dir", link.toString());
    assertThat(verify.exitCode()).as(verify.describe()).isZero();
  }

  @Test
  void looseModesOfExistingDirectoriesAndFilesAreMadePrivate() throws Exception {
    dirs();
    FakeMailbox box = mailbox();
    try (ScriptedPop3Server s = ScriptedPop3Server.start(box)) {
      CliRun first = archive(s, archiveDir, ACCOUNT);
      assertThat(first.exitCode()).as(first.describe()).isZero();

      Path yearDir = archiveDir.resolve(ACCOUNT).resolve(year());
      Path file = yearDir.resolve(monthFile());
      List<Path> loosenedDirs =
          List.of(archiveDir, archiveDir.resolve(ACCOUNT), yearDir, archiveDir.resolve("locks"));
      // A run removes its lock file when it ends; this one is left over by an older popvault.
      Path lock = Files.createFile(archiveDir.resolve("locks/" + ACCOUNT + ".lock"));
      List<Path> loosenedFiles = List.of(file, archiveDir.resolve("ledger.db"), lock);
      for (Path d : loosenedDirs) {
        Files.setPosixFilePermissions(d, PosixFilePermissions.fromString("rwxr-xr-x"));
      }
      for (Path f : loosenedFiles) {
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-r--r--"));
      }

      box.add("u2", "Subject: two\r\n\r\nbody two\r\n");
      CliRun second = archive(s, archiveDir, ACCOUNT);
      assertThat(second.exitCode()).as(second.describe()).isZero();
      assertThat(second.out()).contains("1 new");
      for (Path d : loosenedDirs) {
        assertThat(mode(d)).as(d.toString()).isEqualTo("rwx------");
        assertThat(second.err()).as(second.describe()).contains("made " + d + " private");
      }
      for (Path f : loosenedFiles) {
        assertThat(second.err()).as(second.describe()).contains("made " + f + " private");
        if (!f.equals(lock)) {
          assertThat(mode(f)).as(f.toString()).isEqualTo("rw-------");
        }
      }
      assertThat(lock).as("the lock file is removed when free").doesNotExist();
      assertThat(second.err()).contains("mode 0755 -> 0700").contains("mode 0644 -> 0600");
    }
    try (Stream<Path> all = Files.walk(archiveDir)) {
      for (Path p : all.toList()) {
        assertThat(mode(p))
            .as(p.toString())
            .isEqualTo(Files.isDirectory(p) ? "rwx------" : "rw-------");
      }
    }
  }

  @Test
  void aLooseDirectoryOfAnotherUserIsRefused() throws Exception {
    dirs();
    assumeThat(System.getProperty("user.name")).as("chown needs root").isEqualTo("root");
    Path accountDir = mkdirs(archiveDir.resolve(ACCOUNT));
    Files.setPosixFilePermissions(accountDir, PosixFilePermissions.fromString("rwxr-xr-x"));
    Files.setOwner(
        accountDir,
        accountDir.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("nobody"));
    FakeMailbox box = mailbox();
    try (ScriptedPop3Server s = ScriptedPop3Server.start(box)) {
      CliRun r = archive(s, archiveDir, ACCOUNT, "--delete");
      assertRefused(r, accountDir.toString(), "belongs to another user", "0755", "chown");
      assertThat(s.received()).isEmpty();
    }
    assertThat(mode(accountDir)).isEqualTo("rwxr-xr-x");
    try (Stream<Path> files = Files.list(accountDir)) {
      assertThat(files.toList()).isEmpty();
    }
  }

  private static String mode(Path p) throws IOException {
    return PosixFilePermissions.toString(
        Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS));
  }
}
