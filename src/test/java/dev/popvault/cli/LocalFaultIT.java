package dev.popvault.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.user.GreenMailUser;
import com.icegreen.greenmail.util.GreenMailUtil;
import com.icegreen.greenmail.util.ServerSetup;
import com.icegreen.greenmail.util.ServerSetupTest;
import dev.popvault.ledger.Ledger;
import dev.popvault.testsupport.CliRun;
import dev.popvault.testsupport.LedgerProbe;
import dev.popvault.testsupport.PasswordFiles;
import dev.popvault.testsupport.TestRequirements;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Local faults (issue 3, item 4): a full disk under the archive and under the ledger, a read-only
 * archive directory, a ledger locked by another process, a ledger from a newer popvault, and
 * corrupted archive files. Real file systems: small tmpfs mounts (needs root; skipped with a
 * message elsewhere, a failure on CI). After every fault: the documented exit code and one line,
 * nothing deleted from the server, {@code verify} agrees with the ledger, and the next run
 * completes every message exactly once.
 */
class LocalFaultIT {
  private static final String PASSWORD = "local-Fault-pw";

  @RegisterExtension
  static final GreenMailExtension greenMail =
      new GreenMailExtension(
          ServerSetup.dynamicPort(new ServerSetup[] {ServerSetupTest.SMTP, ServerSetupTest.POP3}));

  @TempDir Path tmp;
  private Path passwordFile;
  private GreenMailUser user;
  private final Deque<Path> mounts = new ArrayDeque<>();
  private final Random random = new Random(4711);

  @BeforeEach
  void setUp() throws IOException {
    passwordFile = tmp.resolve("pass");
    PasswordFiles.write(passwordFile, PASSWORD + "\n");
    user = greenMail.setUser("lf@example.test", "lf", PASSWORD);
  }

  @AfterEach
  void unmount() throws Exception {
    while (!mounts.isEmpty()) {
      Path dir = mounts.pop();
      run("umount", "-l", dir.toString());
    }
  }

  // ------------------------------------------------------------------------------------------
  // Helpers

  private static int run(String... command) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(30, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError(String.join(" ", command) + " did not finish");
    }
    if (p.exitValue() != 0) {
      System.err.println(String.join(" ", command) + ": " + output.strip());
    }
    return p.exitValue();
  }

  /**
   * Mounts a tmpfs of {@code size} (e.g. "2m") at a new directory; skips where that is impossible.
   */
  private Path tmpfs(String name, String size) throws Exception {
    Path dir = Files.createDirectories(tmp.resolve(name));
    int code =
        run("mount", "-t", "tmpfs", "-o", "size=" + size + ",mode=0700", "tmpfs", dir.toString());
    if (code != 0) {
      // Issue 3 allows this one skip even on CI: a machine whose kernel refuses mounts (no
      // CAP_SYS_ADMIN)
      // cannot fill a disk on purpose. Say so loudly rather than pass silently.
      System.err.println(
          "SKIPPED: cannot mount a tmpfs (needs root and mount(8)): local disk faults not tested");
      org.junit.jupiter.api.Assumptions.assumeTrue(
          false, "cannot mount a tmpfs (needs root and mount(8)): local disk faults not tested");
    }
    mounts.push(dir);
    return dir;
  }

  private static void remount(Path dir, String options) throws Exception {
    assertThat(run("mount", "-o", "remount," + options, dir.toString()))
        .as("remount " + options)
        .isZero();
  }

  private String url() {
    return "pop3://lf@127.0.0.1:" + greenMail.getPop3().getPort();
  }

  /** Delivers {@code count} messages with about {@code kb} KiB of incompressible text each. */
  private void deliver(int count, int kb) {
    for (int i = 0; i < count; i++) {
      byte[] noise = new byte[kb * 768];
      random.nextBytes(noise);
      String body = Base64.getMimeEncoder().encodeToString(noise) + "\r\n";
      user.deliver(
          GreenMailUtil.createTextEmail(
              "lf@example.test",
              "bob@example.test",
              "local fault " + i + " " + random.nextInt(),
              body,
              greenMail.getSmtp().getServerSetup()));
    }
  }

  private CliRun archive(Path archiveDir, Path ledger, String... extra) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "archive",
                url(),
                "--allow-plaintext",
                "--password-file",
                passwordFile.toString(),
                "--archive-dir",
                archiveDir.toString(),
                "--ledger",
                ledger.toString()));
    args.addAll(List.of(extra));
    return CliRun.of(args.toArray(String[]::new));
  }

  private static CliRun verify(Path archiveDir, Path ledger) {
    return CliRun.of(
        "verify", "--archive-dir", archiveDir.toString(), "--ledger", ledger.toString());
  }

  private static void assertVerifies(Path archiveDir, Path ledger) {
    CliRun v = verify(archiveDir, ledger);
    assertThat(v.exitCode()).as(v.describe()).isZero();
  }

  private static long count(Path ledger, String sql) {
    return LedgerProbe.number(ledger, sql);
  }

  /** Asserts the ledger holds each of the server's messages exactly once (by UIDL). */
  private static void assertExactlyOnce(Path ledger, int expected) {
    List<String> uidls = LedgerProbe.column(ledger, "select uidl from message");
    assertThat(uidls).hasSize(expected);
    assertThat(new HashSet<>(uidls)).hasSize(expected);
  }

  private static void assertOneLine(CliRun r, int code) {
    assertThat(r.exitCode()).as(r.describe()).isEqualTo(code);
    assertThat(r.err().lines()).as(r.describe()).hasSize(1);
    assertThat(r.err()).as(r.describe()).doesNotContain("Exception").doesNotContain("\tat ");
  }

  private static List<Path> archiveFiles(Path dir, String suffix) throws IOException {
    try (Stream<Path> files = Files.walk(dir)) {
      return files.filter(p -> p.toString().endsWith(suffix)).sorted().toList();
    }
  }

  /** Fills the file system of {@code dir} to the last byte with a filler file; returns it. */
  private static Path fill(Path dir) throws IOException {
    Path filler = dir.resolve("filler");
    byte[] block = new byte[4096];
    try (OutputStream out = Files.newOutputStream(filler)) {
      while (true) {
        out.write(block);
        out.flush();
      }
    } catch (IOException full) {
      assertThat(full.getMessage()).contains("No space left");
    }
    return filler;
  }

  // ------------------------------------------------------------------------------------------
  // Disk full

  @Test
  void archiveDiskFullExits74DeletesNothingAndTheNextRunCompletesExactlyOnce() throws Exception {
    Path archiveDir = tmpfs("full-archive", "2m");
    Path ledger = tmp.resolve("ledger").resolve("ledger.db");
    deliver(40, 100); // ~5.4 MB on the wire, ~4 MB compressed: twice what fits

    CliRun full = archive(archiveDir, ledger, "--batch-size", "4", "--delete");
    assertOneLine(full, 74);
    assertThat(full.err()).as(full.describe()).contains("No space left on device");
    assertThat(greenMail.getReceivedMessages()).as("nothing deleted").hasSize(40);
    long committed = count(ledger, "select count(*) from message");
    assertThat(committed).as("frames before the disk filled are committed").isBetween(4L, 36L);
    assertThat(count(ledger, "select count(*) from message where deleted_at is not null")).isZero();
    assertThat(
            count(ledger, "select count(*) from run where outcome = 'failed' and exit_code = 74"))
        .isEqualTo(1);
    // The open frame was cut back: the file ends where the ledger says, and verify agrees.
    Path file = archiveFiles(archiveDir, ".mbox.zst").get(0);
    assertThat(Files.size(file))
        .isEqualTo(count(ledger, "select committed_length from archive_file"));
    assertVerifies(archiveDir, ledger);

    remount(archiveDir, "size=16m");
    CliRun next = archive(archiveDir, ledger, "--batch-size", "4", "--delete");
    assertThat(next.exitCode()).as(next.describe()).isZero();
    assertThat(next.out())
        .contains(": " + (40 - committed) + " new, " + committed + " skipped, 40 deleted");
    assertThat(greenMail.getReceivedMessages()).isEmpty();
    assertExactlyOnce(ledger, 40);
    assertVerifies(archiveDir, ledger);
  }

  /**
   * The disk fills at different points: archive file systems of different sizes, each codec, the
   * ledger beside the archive (the default layout, so the ledger's own writes may be the ones that
   * fail) or elsewhere. Each trial: 74, nothing deleted, only whole committed frames in the ledger,
   * at most a verified-but-uncommitted torn tail on disk, and the next run completes exactly once.
   */
  @ParameterizedTest(name = "{0} on {1}, ledger {2}")
  @CsvSource({
    "zstd, 512k, inside",
    "zstd, 1m, outside",
    "zstd, 1500k, inside",
    "zstd, 2500k, outside",
    "gzip, 768k, inside",
    "gzip, 2m, outside",
    "xz, 1m, inside",
    "none, 1m, outside",
    "none, 2m, inside",
    "none, 3m, inside",
  })
  void diskFullMatrix(String codec, String size, String ledgerAt) throws Exception {
    Path archiveDir = tmpfs("full-" + codec + "-" + size, size);
    Path ledger =
        ledgerAt.equals("inside")
            ? archiveDir.resolve("ledger.db")
            : tmp.resolve("ledger").resolve("ledger.db");
    deliver(40, 100);

    CliRun full = archive(archiveDir, ledger, "--batch-size", "4", "--codec", codec, "--delete");
    assertOneLine(full, 74);
    assertThat(full.err())
        .as(full.describe())
        .containsAnyOf("No space left on device", "disk full");
    assertThat(greenMail.getReceivedMessages()).as("nothing deleted").hasSize(40);
    long committed =
        Files.exists(ledger) ? LedgerProbe.column(ledger, "select uidl from message").size() : 0;
    assertThat(committed % 4).as("only whole frames are committed").isZero();
    assertThat(committed).isLessThan(40);
    if (committed > 0) {
      assertThat(count(ledger, "select count(*) from message where deleted_at is not null"))
          .isZero();
      CliRun v = verify(archiveDir, ledger);
      if (v.exitCode() != 0) {
        // Only a frame that was verified but whose commit hit the full disk may remain.
        assertOneLine(v, 65);
        assertThat(v.err()).as(v.describe()).contains(": torn tail: ");
      }
    }

    remount(archiveDir, "size=32m");
    CliRun next = archive(archiveDir, ledger, "--batch-size", "4", "--codec", codec, "--delete");
    assertThat(next.exitCode()).as(next.describe()).isZero();
    assertThat(next.out())
        .as(next.describe())
        .contains(": " + (40 - committed) + " new, " + committed + " skipped, 40 deleted");
    assertThat(greenMail.getReceivedMessages()).isEmpty();
    assertExactlyOnce(ledger, 40);
    assertVerifies(archiveDir, ledger);
  }

  @Test
  void ledgerDiskFullExits74DeletesNothingAndTheNextRunCompletesExactlyOnce() throws Exception {
    // 2 MiB: after the filler goes, the 30-message run's WAL must fit; migration 4's three catalog
    // indexes add a page each per one-message commit, which no longer fit in 1 MiB.
    Path ledgerDir = tmpfs("full-ledger", "2m");
    Path ledger = ledgerDir.resolve("ledger.db");
    Path archiveDir = tmp.resolve("archive");
    deliver(3, 1);
    CliRun first = archive(archiveDir, ledger, "--batch-size", "1");
    assertThat(first.exitCode()).as(first.describe()).isZero();

    deliver(30, 1);
    Path filler = fill(ledgerDir);
    CliRun full = archive(archiveDir, ledger, "--batch-size", "1", "--delete");
    assertOneLine(full, 74);
    assertThat(full.err()).as(full.describe()).contains("ledger " + ledger);
    assertThat(greenMail.getReceivedMessages()).as("nothing deleted").hasSize(33);

    Files.delete(filler);
    CliRun next = archive(archiveDir, ledger, "--batch-size", "1", "--delete");
    assertThat(next.exitCode()).as(next.describe()).isZero();
    assertThat(next.out()).contains(": 30 new, 3 skipped, 33 deleted");
    assertThat(greenMail.getReceivedMessages()).isEmpty();
    assertExactlyOnce(ledger, 33);
    assertVerifies(archiveDir, ledger);
  }

  @ParameterizedTest(name = "{0} KiB left for the ledger")
  @ValueSource(ints = {40, 64, 96, 160, 256})
  void ledgerFillingUpMidRunKeepsWhatCommittedAndCutsTheRestNextTime(int roomKb) throws Exception {
    Path ledgerDir = tmpfs("tight-ledger", "1m");
    Path ledger = ledgerDir.resolve("ledger.db");
    Path archiveDir = tmp.resolve("archive");
    deliver(2, 1);
    assertThat(archive(archiveDir, ledger).exitCode()).isZero();
    // Leave room for the -shm file and a few WAL pages, then let each one-message frame grow the
    // WAL.
    Path filler = fill(ledgerDir);
    try (RandomAccessFile f = new RandomAccessFile(filler.toFile(), "rw")) {
      f.setLength(Math.max(0, f.length() - roomKb * 1024L));
    }
    deliver(60, 2);
    CliRun full = archive(archiveDir, ledger, "--batch-size", "1", "--delete");
    assertOneLine(full, 74);
    assertThat(full.err()).as(full.describe()).contains("ledger " + ledger);
    assertThat(greenMail.getReceivedMessages()).as("nothing deleted").hasSize(62);
    long committed = count(ledger, "select count(*) from message");
    assertThat(committed).isLessThan(62);
    // A frame whose commit failed was forced and verified, so it stays on disk past the committed
    // length (M3): verify reports exactly that torn tail and nothing else.
    Path file = archiveFiles(archiveDir, ".mbox.zst").get(0);
    long committedLength = count(ledger, "select committed_length from archive_file");
    boolean tornTail = Files.size(file) > committedLength;
    CliRun torn = verify(archiveDir, ledger);
    if (tornTail) {
      assertOneLine(torn, 65);
      assertThat(torn.err())
          .as(torn.describe())
          .contains(file + ": torn tail: " + (Files.size(file) - committedLength) + " bytes");
    } else {
      assertThat(torn.exitCode()).as(torn.describe()).isZero();
    }

    Files.delete(filler);
    // Room for a WAL that grows up to SQLite's auto-checkpoint (1000 pages) in one run.
    remount(ledgerDir, "size=16m");
    CliRun next = archive(archiveDir, ledger, "--batch-size", "1", "--delete");
    assertThat(next.exitCode()).as(next.describe()).isZero();
    if (tornTail) {
      assertThat(next.err()).as(next.describe()).contains("cut ").contains(file.toString());
    }
    assertThat(next.out())
        .contains(": " + (62 - committed) + " new, " + committed + " skipped, 62 deleted");
    assertThat(greenMail.getReceivedMessages()).isEmpty();
    assertExactlyOnce(ledger, 62);
    assertVerifies(archiveDir, ledger);
  }

  // ------------------------------------------------------------------------------------------
  // Read-only archive directory (root ignores chmod, so the file system itself is read-only)

  @Test
  void readOnlyArchiveDirExits74AndDeletesNothing() throws Exception {
    Path archiveDir = tmpfs("ro-archive", "4m");
    Path ledger = tmp.resolve("ledger").resolve("ledger.db");
    deliver(3, 1);
    assertThat(archive(archiveDir, ledger).exitCode()).isZero();
    deliver(2, 1);
    remount(archiveDir, "ro");

    CliRun ro = archive(archiveDir, ledger, "--delete");
    assertOneLine(ro, 74);
    assertThat(ro.err())
        .as(ro.describe())
        .contains("Read-only file system")
        .contains(archiveDir.toString());
    assertThat(greenMail.getReceivedMessages()).hasSize(5);
    assertThat(count(ledger, "select count(*) from message")).isEqualTo(3);

    remount(archiveDir, "rw");
    CliRun next = archive(archiveDir, ledger, "--delete");
    assertThat(next.exitCode()).as(next.describe()).isZero();
    assertThat(next.out()).contains(": 2 new, 3 skipped, 5 deleted");
    assertExactlyOnce(ledger, 5);
    assertVerifies(archiveDir, ledger);
  }

  @Test
  void readOnlyArchiveDirHoldingTheLedgerExits74() throws Exception {
    Path archiveDir = tmpfs("ro-all", "4m");
    Path ledger = archiveDir.resolve("ledger.db");
    deliver(2, 1);
    assertThat(archive(archiveDir, ledger).exitCode()).isZero();
    deliver(1, 1);
    remount(archiveDir, "ro");

    CliRun ro = archive(archiveDir, ledger, "--delete");
    assertOneLine(ro, 74);
    assertThat(greenMail.getReceivedMessages()).hasSize(3);

    remount(archiveDir, "rw");
    CliRun next = archive(archiveDir, ledger, "--delete");
    assertThat(next.exitCode()).as(next.describe()).isZero();
    assertThat(next.out()).contains(": 1 new, 2 skipped, 3 deleted");
    assertExactlyOnce(ledger, 3);
  }

  // ------------------------------------------------------------------------------------------
  // Ledger locked by another process, ledger from a newer popvault

  @Test
  void ledgerLockedByAnotherProcessExits75AfterTheBusyTimeout() throws Exception {
    TestRequirements.requireCommands("python3");
    Path archiveDir = tmp.resolve("archive");
    Path ledger = archiveDir.resolve("ledger.db");
    deliver(2, 1);
    assertThat(archive(archiveDir, ledger).exitCode()).isZero();
    deliver(2, 1);

    Process holder =
        new ProcessBuilder(
                "python3",
                "-c",
                "import sqlite3, sys\n"
                    + "c = sqlite3.connect(sys.argv[1], isolation_level=None)\n"
                    + "c.execute('BEGIN EXCLUSIVE')\n"
                    + "print('locked', flush=True)\n"
                    + "sys.stdin.read()\n"
                    + "c.execute('ROLLBACK')\n",
                ledger.toString())
            .redirectError(ProcessBuilder.Redirect.INHERIT)
            .start();
    String previous = System.getProperty(Ledger.BUSY_TIMEOUT_PROPERTY);
    try {
      String ready =
          new java.io.BufferedReader(
                  new InputStreamReader(holder.getInputStream(), StandardCharsets.UTF_8))
              .readLine();
      assertThat(ready).as("python3 holds BEGIN EXCLUSIVE").isEqualTo("locked");
      System.setProperty(Ledger.BUSY_TIMEOUT_PROPERTY, "1500");
      long start = System.nanoTime();
      CliRun locked = archive(archiveDir, ledger, "--delete");
      long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
      assertOneLine(locked, 75);
      assertThat(locked.err())
          .as(locked.describe())
          .contains("ledger " + ledger + " is locked by another process (waited 1.5 s)");
      assertThat(millis)
          .as("waited the busy timeout, not the default 10 s")
          .isBetween(1400L, 9000L);
      assertThat(greenMail.getReceivedMessages()).hasSize(4);
    } finally {
      if (previous == null) {
        System.clearProperty(Ledger.BUSY_TIMEOUT_PROPERTY);
      } else {
        System.setProperty(Ledger.BUSY_TIMEOUT_PROPERTY, previous);
      }
      holder.getOutputStream().close();
      assertThat(holder.waitFor(10, TimeUnit.SECONDS)).isTrue();
    }
    assertThat(count(ledger, "select count(*) from message")).isEqualTo(2);

    CliRun next = archive(archiveDir, ledger, "--delete");
    assertThat(next.exitCode()).as(next.describe()).isZero();
    assertThat(next.out()).contains(": 2 new, 2 skipped, 4 deleted");
    assertExactlyOnce(ledger, 4);
  }

  @Test
  void ledgerFromANewerPopvaultExits65AndTouchesNothing() throws Exception {
    Path archiveDir = tmp.resolve("archive");
    Path ledger = archiveDir.resolve("ledger.db");
    deliver(2, 1);
    assertThat(archive(archiveDir, ledger).exitCode()).isZero();
    deliver(1, 1);
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + ledger);
        Statement s = c.createStatement()) {
      s.execute("PRAGMA user_version = 99");
    }
    long runs = count(ledger, "select count(*) from run");
    List<Path> before = archiveFiles(archiveDir, ".mbox.zst");
    long sizeBefore = Files.size(before.get(0));

    CliRun newer = archive(archiveDir, ledger, "--delete");
    assertOneLine(newer, 65);
    assertThat(newer.err())
        .as(newer.describe())
        .contains("schema version 99")
        .contains("upgrade popvault");
    assertThat(greenMail.getReceivedMessages()).hasSize(3);
    assertThat(count(ledger, "select count(*) from run")).isEqualTo(runs);
    assertThat(count(ledger, "pragma user_version")).isEqualTo(99);
    assertThat(Files.size(before.get(0))).isEqualTo(sizeBefore);

    CliRun v = verify(archiveDir, ledger);
    assertOneLine(v, 65);
    assertThat(v.err()).contains("upgrade popvault");
  }

  // ------------------------------------------------------------------------------------------
  // Corrupted archives

  /** Archives 9 messages in 3 frames of 3; returns the archive file. */
  private Path threeFrames(Path archiveDir, Path ledger, String codec, String suffix)
      throws IOException {
    deliver(9, 2);
    CliRun r = archive(archiveDir, ledger, "--batch-size", "3", "--codec", codec);
    assertThat(r.exitCode()).as(r.describe()).isZero();
    assertThat(count(ledger, "select count(*) from frame")).isEqualTo(3);
    List<Path> files = archiveFiles(archiveDir, suffix);
    assertThat(files).hasSize(1);
    return files.get(0);
  }

  private static long frameOffset(Path ledger, int n) {
    return count(
        ledger, "select file_offset from frame order by file_offset limit 1 offset " + (n - 1));
  }

  private static long frameLength(Path ledger, int n) {
    return count(
        ledger, "select byte_length from frame order by file_offset limit 1 offset " + (n - 1));
  }

  private static List<String> uidlsOfFrame(Path ledger, int n) {
    return LedgerProbe.column(
        ledger,
        "select m.uidl from message m join frame f on m.frame_id = f.id where f.file_offset = "
            + frameOffset(ledger, n)
            + " order by m.frame_offset");
  }

  @ParameterizedTest
  @ValueSource(strings = {"zstd", "gzip", "xz", "none"})
  void flippedBytesInACommittedFrameArePinpointedByVerify(String codec) throws Exception {
    Path archiveDir = tmp.resolve("archive-" + codec);
    Path ledger = archiveDir.resolve("ledger.db");
    String suffix =
        switch (codec) {
          case "none" -> ".mbox";
          case "gzip" -> ".mbox.gz";
          case "xz" -> ".mbox.xz";
          default -> ".mbox.zst";
        };
    Path file = threeFrames(archiveDir, ledger, codec, suffix);
    assertVerifies(archiveDir, ledger);

    // Flip bytes in the middle of frame #2.
    long at = frameOffset(ledger, 2) + frameLength(ledger, 2) / 2;
    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
      for (int i = 0; i < 4; i++) {
        f.seek(at + i);
        int b = f.read();
        f.seek(at + i);
        f.write(b ^ 0x5a);
      }
    }
    CliRun v = verify(archiveDir, ledger);
    assertThat(v.exitCode()).as(v.describe()).isEqualTo(65);
    assertThat(v.out()).contains("problem(s)");
    List<String> frame2 = uidlsOfFrame(ledger, 2);
    assertThat(v.err())
        .as(v.describe())
        .contains(file.toString())
        .contains("frame #2 at offset " + frameOffset(ledger, 2))
        .doesNotContain("frame #1")
        .doesNotContain("frame #3");
    assertThat(frame2.stream().anyMatch(u -> v.err().contains("UIDL " + u)))
        .as("names a message of frame #2: " + frame2 + "\n" + v.describe())
        .isTrue();
  }

  @Test
  void aTruncatedFrameIsPinpointedAndArchiveRefusesToDeleteFromAShortFile() throws Exception {
    Path archiveDir = tmp.resolve("archive");
    Path ledger = archiveDir.resolve("ledger.db");
    Path file = threeFrames(archiveDir, ledger, "zstd", ".mbox.zst");
    long cut = frameOffset(ledger, 3) + frameLength(ledger, 3) / 2;
    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
      f.setLength(cut);
    }
    CliRun v = verify(archiveDir, ledger);
    assertThat(v.exitCode()).as(v.describe()).isEqualTo(65);
    assertThat(v.err())
        .as(v.describe())
        .contains(file + ": file is ")
        .contains("shorter than committed length")
        .contains("frame #3 at offset " + frameOffset(ledger, 3) + ": truncated frame")
        .doesNotContain("frame #1")
        .doesNotContain("frame #2");

    // The ledger says these messages are archived, but the file lost some of them: deleting them
    // from the server now would lose mail.
    CliRun del = archive(archiveDir, ledger, "--delete");
    assertThat(del.exitCode()).as(del.describe()).isEqualTo(65);
    assertThat(del.err().lines()).as(del.describe()).hasSize(1);
    assertThat(del.err()).contains(file.toString()).contains("shorter");
    assertThat(greenMail.getReceivedMessages()).hasSize(9);
    assertThat(count(ledger, "select count(*) from message where deleted_at is not null")).isZero();
    assertThat(Files.size(file)).as("a short file is left for the user to inspect").isEqualTo(cut);
  }

  @Test
  void aMissingArchiveFileBlocksDeletionButNotArchiving() throws Exception {
    Path archiveDir = tmp.resolve("archive");
    Path ledger = archiveDir.resolve("ledger.db");
    Path file = threeFrames(archiveDir, ledger, "zstd", ".mbox.zst");
    Path moved = tmp.resolve("moved.mbox.zst");
    Files.move(file, moved);

    CliRun del = archive(archiveDir, ledger, "--delete");
    assertOneLine(del, 65);
    assertThat(del.err()).contains(file + " is missing");
    assertThat(greenMail.getReceivedMessages()).hasSize(9);

    CliRun plain = archive(archiveDir, ledger);
    assertThat(plain.exitCode()).as(plain.describe()).isZero();
    assertThat(plain.out()).contains(": 0 new, 9 skipped, 0 deleted");

    Files.move(moved, file);
    CliRun back = archive(archiveDir, ledger, "--delete");
    assertThat(back.exitCode()).as(back.describe()).isZero();
    assertThat(back.out()).contains(": 0 new, 9 skipped, 9 deleted");
    assertThat(greenMail.getReceivedMessages()).isEmpty();
  }

  @Test
  void junkAfterTheLastFrameIsATornTailThatVerifyReportsAndTheNextRunCuts() throws Exception {
    Path archiveDir = tmp.resolve("archive");
    Path ledger = archiveDir.resolve("ledger.db");
    Path file = threeFrames(archiveDir, ledger, "zstd", ".mbox.zst");
    long committed = Files.size(file);
    Files.write(
        file,
        "junk of an interrupted run\n".repeat(50).getBytes(StandardCharsets.US_ASCII),
        StandardOpenOption.APPEND);
    long junk = Files.size(file) - committed;

    CliRun v = verify(archiveDir, ledger);
    assertThat(v.exitCode()).as(v.describe()).isEqualTo(65);
    assertThat(v.err())
        .contains(file + ": torn tail: " + junk + " bytes past committed length " + committed);

    deliver(2, 1);
    CliRun next = archive(archiveDir, ledger, "--delete");
    assertThat(next.exitCode()).as(next.describe()).isZero();
    assertThat(next.err()).contains("cut " + junk + " bytes").contains(file.toString());
    assertThat(next.out()).contains(": 2 new, 9 skipped, 11 deleted");
    assertExactlyOnce(ledger, 11);
    assertVerifies(archiveDir, ledger);
    assertThat(greenMail.getReceivedMessages()).isEmpty();
  }
}
