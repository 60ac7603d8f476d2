package dev.popvault.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.popvault.testsupport.ArchiveTools;
import dev.popvault.testsupport.CliRun;
import dev.popvault.testsupport.Corpus;
import dev.popvault.testsupport.CorpusMessage;
import dev.popvault.testsupport.DovecotServer;
import dev.popvault.testsupport.LedgerProbe;
import dev.popvault.testsupport.LedgerWriteLock;
import dev.popvault.testsupport.PasswordFiles;
import dev.popvault.testsupport.Pop3Tap;
import dev.popvault.testsupport.Pop3Tap.Action;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The crash matrix (issue 3 item 1): runs the real launcher as a child process against Dovecot with
 * {@code --delete}, SIGKILLs it at points spread over the whole run, runs again to completion, and
 * checks that nothing was lost and nothing archived twice (M4), that nothing left the server
 * without being in the ledger (M2), and that the ledger is never torn. Also the clean stops:
 * SIGTERM (75), SIGINT (130), a second signal (immediate exit, still safe), SIGTERM during DELE
 * (nothing deleted).
 *
 * <p>Kill points are progress-based, not only time-based: the child talks plain POP3 to a {@link
 * Pop3Tap} that relays to Dovecot's POP3S port and can hold the session at an exact command (the
 * n-th RETR, DELE, QUIT, …) or hold the server's reply to it; other points wait for the ledger's
 * committed message count or for uncommitted bytes on disk. For every trial the test records where
 * the child actually was when it died (from the ledger, the archive files, the server and the
 * commands the tap saw) and prints the matrix; {@code -Dreliability.trials=N} scales it.
 */
class CrashIT {
  private static final String PASSWORD = "crash-pass";
  private static final int MESSAGES = 200;
  private static final int BATCH = 10;
  private static final List<CorpusMessage> CORPUS = Corpus.bulk(7, MESSAGES, 1000);
  private static final Set<String> NAMES = new HashSet<>();

  private static DovecotServer dovecot;
  private static List<KillPoint> points;
  private static long cleanRunMillis;
  private static final List<String> matrix = new ArrayList<>();
  private static final TreeMap<String, Integer> phases = new TreeMap<>();

  @TempDir static Path serverDir;
  @TempDir static Path work;

  /**
   * Where a trial kills the child; {@code await} returns once the point is reached. With {@code
   * lockAfter} >= 0 the test takes the ledger's write lock once the ledger holds that many messages
   * (and before {@code await}), so the next frame can be written and verified but not committed.
   */
  private record KillPoint(
      String label, Pop3Tap.Action action, String verb, int n, Waiter waiter, int lockAfter) {
    KillPoint(String label, Pop3Tap.Action action, String verb, int n, Waiter waiter) {
      this(label, action, verb, n, waiter, -1);
    }
  }

  @FunctionalInterface
  private interface Waiter {
    void await(Process child, Pop3Tap tap, Path archiveDir, long startNanos) throws Exception;
  }

  @BeforeAll
  static void startDovecot() throws Exception {
    DovecotServer.requireAvailable();
    ArchiveTools.requireAvailable();
    CORPUS.forEach(m -> NAMES.add(m.name()));
    dovecot = DovecotServer.start(serverDir);
    points = killPoints(Integer.getInteger("reliability.trials", 0));
    // Dovecot rereads its passwd-file lazily: add every user now, before any login.
    for (String user : List.of("clean", "term", "int", "twice", "termdele", "race")) {
      dovecot.addUser(user, PASSWORD);
    }
    for (int i = 0; i < points.size(); i++) {
      dovecot.addUser(trialUser(i), PASSWORD);
    }
    // One clean run through the tap: proves the setup and measures the run for time-based points.
    deliverAll("clean");
    try (Pop3Tap tap = Pop3Tap.start(dovecot.pop3sPort(), dovecot.caFile())) {
      long start = System.nanoTime();
      Process child = launch("clean", tap.port(), work.resolve("archive-clean")).start();
      assertThat(child.waitFor(120, TimeUnit.SECONDS)).isTrue();
      cleanRunMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
      assertThat(child.exitValue()).as(log("clean")).isZero();
      assertThat(dovecot.remainingMessages("clean")).isEmpty();
      assertThat(tap.count("RETR")).isEqualTo(MESSAGES);
      assertThat(tap.count("DELE")).isEqualTo(MESSAGES);
    }
  }

  @AfterAll
  static void stopDovecot() throws Exception {
    if (dovecot != null) {
      dovecot.close();
    }
    if (!matrix.isEmpty()) {
      Path out = Path.of(System.getProperty("popvault.basedir", "."), "target", "crash-matrix.tsv");
      Files.createDirectories(out.getParent());
      Files.write(out, matrix);
      System.out.println("[CrashIT] crash matrix (" + matrix.size() + " trials) -> " + out);
      matrix.forEach(line -> System.out.println("[CrashIT] " + line));
      System.out.println("[CrashIT] phases at kill: " + phases);
    }
  }

  private static String trialUser(int i) {
    return String.format(Locale.ROOT, "k%03d", i);
  }

  /** Builds the kill points: at least 50 by default, {@code trials} if larger. */
  static List<KillPoint> killPoints(int trials) {
    List<KillPoint> list = new ArrayList<>();
    // JVM start-up, lock, ledger open, connect.
    for (long ms : new long[] {0, 150, 300, 450, 600, 800}) {
      list.add(new KillPoint("after " + ms + " ms", null, null, 0, afterMillis(ms)));
    }
    // Login and plan: the command is held before the server sees it (or its reply is held).
    list.add(tapPoint("CAPA", 1, Action.HOLD_COMMAND));
    list.add(tapPoint("AUTH", 1, Action.HOLD_COMMAND));
    list.add(tapPoint("CAPA", 2, Action.HOLD_COMMAND));
    list.add(tapPoint("UIDL", 1, Action.HOLD_COMMAND));
    list.add(tapPoint("UIDL", 1, Action.HOLD_REPLY));
    list.add(tapPoint("LIST", 1, Action.HOLD_COMMAND));
    // RETR: pipelined, so holding RETR k leaves the replies up to k-1 to be archived first.
    for (int k : new int[] {1, 50, 90, 120, 180, 200}) {
      list.add(tapPoint("RETR", k, Action.HOLD_COMMAND));
    }
    for (int k : new int[] {10, 11, 100, 200}) {
      list.add(tapPoint("RETR", k, Action.HOLD_REPLY));
    }
    // Right after a frame was committed (the next frame is being written).
    for (int k : new int[] {10, 70, 100, 130, 190}) {
      list.add(
          new KillPoint(
              "ledger holds >= " + k, null, null, 0, ledgerAtLeast("count(*) from message", k)));
    }
    // Bytes of an open or finished-but-uncommitted frame on disk (compression, force, verify).
    for (int k : new int[] {0, 50, 100, 150}) {
      list.add(new KillPoint("uncommitted bytes after " + k, null, null, 0, uncommittedAfter(k)));
    }
    // A whole frame forced to disk but not yet committed (between force/verify and commit).
    for (int k : new int[] {0, 60, 120, 190}) {
      list.add(
          new KillPoint(
              "complete frame, uncommitted, after " + k, null, null, 0, completeFrameAfter(k)));
    }
    // The same two moments made exact: the ledger's write lock is held by the test, so the next
    // frame's commit waits. "Whole frame": its bytes are on disk past the committed length.
    // "Verified": besides, the child's thread dump shows the verifying thread inside
    // Ledger.commitFrame, so the re-read has passed and only the commit is missing.
    for (int k : new int[] {10, 120}) {
      list.add(
          new KillPoint(
              "whole frame on disk, commit held, after " + k,
              null,
              null,
              0,
              wholeFrameHeld(false),
              k));
    }
    for (int k : new int[] {50, 150}) {
      list.add(
          new KillPoint(
              "between verify and commit, after " + k, null, null, 0, wholeFrameHeld(true), k));
    }
    // DELE and QUIT.
    for (int k : new int[] {1, 2, 100, 199, 200}) {
      list.add(tapPoint("DELE", k, Action.HOLD_COMMAND));
    }
    list.add(tapPoint("DELE", 1, Action.HOLD_REPLY));
    list.add(tapPoint("DELE", 200, Action.HOLD_REPLY));
    list.add(tapPoint("QUIT", 1, Action.HOLD_COMMAND));
    list.add(tapPoint("QUIT", 1, Action.HOLD_REPLY));
    for (long ms : new long[] {0, 5, 20}) {
      list.add(new KillPoint("QUIT sent + " + ms + " ms", null, "QUIT", 1, afterQuit(ms)));
    }
    // deleted_at written after QUIT +OK, before the run row ends and the process exits.
    for (int k : new int[] {1, 1}) {
      list.add(
          new KillPoint(
              "deleted_at marked (" + list.size() + ")",
              null,
              null,
              0,
              ledgerAtLeast("count(*) from message where deleted_at is not null", k)));
    }
    // Time spread over the measured clean run, and more of it when more trials are asked for.
    int timed = Math.max(10, trials - list.size());
    Random random = new Random(42);
    for (int i = 0; i < timed; i++) {
      double fraction = i < 10 ? 0.05 + i * 0.075 : 0.05 + random.nextDouble() * 0.9;
      list.add(
          new KillPoint(
              String.format(Locale.ROOT, "at %.2f of a clean run", fraction),
              null,
              null,
              0,
              (child, tap, dir, start) -> sleepUntil(start, (long) (fraction * cleanRunMillis))));
    }
    return list;
  }

  private static KillPoint tapPoint(String verb, int n, Action action) {
    String label = (action == Action.HOLD_COMMAND ? "before " : "reply held: ") + verb + " #" + n;
    return new KillPoint(
        label,
        action,
        verb,
        n,
        (child, tap, dir, start) -> {
          while (!tap.awaitTrigger(20) && child.isAlive()) {
            // wait
          }
          if (action == Action.HOLD_REPLY) {
            tap.awaitHeldReply(5000);
          }
          // Let the child run into the hold: it archives what it already received, then blocks.
          Thread.sleep(150);
        });
  }

  /**
   * Waits until the child's ledger holds {@code n} messages, then takes the ledger's write lock:
   * the child's next commit waits for the test (for up to its 10 s busy timeout).
   */
  private static LedgerWriteLock lockAfter(Process child, Path archiveDir, long n)
      throws Exception {
    Path ledger = archiveDir.resolve("ledger.db");
    while (readNumber(ledger, "select count(*) from message") < n) {
      assertThat(child.isAlive()).as("child alive until the ledger holds " + n).isTrue();
      Thread.sleep(2);
    }
    return LedgerWriteLock.take(ledger);
  }

  private static Waiter afterMillis(long ms) {
    return (child, tap, dir, start) -> sleepUntil(start, ms);
  }

  private static Waiter afterQuit(long ms) {
    return (child, tap, dir, start) -> {
      while (tap.count("QUIT") == 0 && child.isAlive()) {
        Thread.sleep(1);
      }
      Thread.sleep(ms);
    };
  }

  private static Waiter ledgerAtLeast(String what, long n) {
    return (child, tap, dir, start) -> {
      Path ledger = dir.resolve("ledger.db");
      while (child.isAlive() && readNumber(ledger, "select " + what) < n) {
        Thread.sleep(2);
      }
    };
  }

  private static Waiter uncommittedAfter(long committed) {
    return (child, tap, dir, start) -> {
      Path ledger = dir.resolve("ledger.db");
      while (child.isAlive()) {
        if (readNumber(ledger, "select count(*) from message") >= committed
            && uncommittedBytes(dir) > 0) {
          return;
        }
        Thread.sleep(1);
      }
    };
  }

  private static Waiter completeFrameAfter(long committed) {
    return (child, tap, dir, start) -> {
      Path ledger = dir.resolve("ledger.db");
      while (child.isAlive()) {
        long n = readNumber(ledger, "select count(*) from message");
        if (n > committed + BATCH) {
          return; // the window was missed; the snapshot records where the child really was
        }
        if (n >= committed && uncommittedFrameComplete(dir)) {
          return;
        }
        Thread.sleep(1);
      }
    };
  }

  /**
   * Waits (the ledger's write lock being held by the test) until a whole frame is on disk past the
   * committed length and, with {@code verified}, until the child's verifying thread is waiting in
   * Ledger.commitFrame (its re-read is then done). Fails the trial if the point is not reached.
   */
  private static Waiter wholeFrameHeld(boolean verified) {
    return (child, tap, dir, start) -> {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(8);
      while (!uncommittedFrameComplete(dir)) {
        assertThat(child.isAlive()).as("child alive while its commit is held").isTrue();
        assertThat(System.nanoTime()).as("a whole frame reached the disk").isLessThan(deadline);
        Thread.sleep(2);
      }
      if (!verified) {
        return;
      }
      String stack = "";
      while (!stack.contains("dev.popvault.ledger.Ledger.commitFrame")) {
        assertThat(System.nanoTime())
            .as("the verifying thread reached the commit; last dump:\n" + stack)
            .isLessThan(deadline);
        stack = threadStack(child, "popvault-verify");
      }
      assertThat(stack).doesNotContain("FrameWriter.verify");
    };
  }

  /** Returns the stack of the child's thread {@code name} (jstack), or "" if it has none now. */
  private static String threadStack(Process child, String name) throws Exception {
    // The JDK running the tests has jstack even where it is not on PATH.
    Path own = Path.of(System.getProperty("java.home"), "bin", "jstack");
    String tool = Files.isExecutable(own) ? own.toString() : "jstack";
    Process jstack =
        new ProcessBuilder(tool, Long.toString(child.pid())).redirectErrorStream(true).start();
    String dump = new String(jstack.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    jstack.waitFor(30, TimeUnit.SECONDS);
    for (String block : dump.split("\n\\s*\n")) {
      if (block.startsWith("\"" + name + "\"")) {
        return block;
      }
    }
    return "";
  }

  /** Tells whether the bytes past the committed length form at least one complete zstd frame. */
  private static boolean uncommittedFrameComplete(Path archiveDir) throws IOException {
    Path ledger = archiveDir.resolve("ledger.db");
    if (!Files.exists(ledger)) {
      return false;
    }
    List<String> rows;
    try {
      rows =
          LedgerProbe.column(
              ledger, "select path || char(9) || committed_length from archive_file");
    } catch (AssertionError notYet) {
      return false;
    }
    for (String row : rows) {
      String[] parts = row.split("\t");
      Path file = archiveDir.resolve(parts[0]);
      long committed = Long.parseLong(parts[1]);
      if (Files.exists(file) && Files.size(file) > committed) {
        byte[] all = Files.readAllBytes(file);
        if (all.length > committed
            && zstdFrameLength(Arrays.copyOfRange(all, (int) committed, all.length)) > 0) {
          return true;
        }
      }
    }
    return false;
  }

  /**
   * Returns the length of the complete zstd frame at the start of {@code b} (RFC 8878 §3.1.1), or
   * -1 when the bytes end before the frame does.
   */
  static int zstdFrameLength(byte[] b) {
    if (b.length < 6
        || (b[0] & 0xff) != 0x28
        || (b[1] & 0xff) != 0xb5
        || (b[2] & 0xff) != 0x2f
        || (b[3] & 0xff) != 0xfd) {
      return -1;
    }
    int fhd = b[4] & 0xff;
    int fcsFlag = fhd >>> 6;
    boolean single = (fhd & 0x20) != 0;
    boolean checksum = (fhd & 0x04) != 0;
    int didSize = new int[] {0, 1, 2, 4}[fhd & 3];
    int fcsSize = new int[] {single ? 1 : 0, 2, 4, 8}[fcsFlag];
    int pos = 5 + (single ? 0 : 1) + didSize + fcsSize;
    while (pos + 3 <= b.length) {
      int header = (b[pos] & 0xff) | (b[pos + 1] & 0xff) << 8 | (b[pos + 2] & 0xff) << 16;
      boolean last = (header & 1) != 0;
      int type = (header >>> 1) & 3;
      int size = header >>> 3;
      pos += 3 + (type == 1 ? 1 : size);
      if (last) {
        pos += checksum ? 4 : 0;
        return pos <= b.length ? pos : -1;
      }
    }
    return -1;
  }

  private static void sleepUntil(long startNanos, long millis) throws InterruptedException {
    long left = millis - TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
    if (left > 0) {
      Thread.sleep(left);
    }
  }

  /** Reads a number from a ledger that may not exist yet (then -1), without ever creating it. */
  private static long readNumber(Path ledger, String sql) {
    if (!Files.exists(ledger)) {
      return -1;
    }
    try {
      return LedgerProbe.number(ledger, sql);
    } catch (AssertionError | RuntimeException notYet) {
      return -1; // schema not created yet
    }
  }

  /** Returns archive bytes on disk past the ledger's committed lengths (0 without a ledger). */
  private static long uncommittedBytes(Path archiveDir) throws IOException {
    Path ledger = archiveDir.resolve("ledger.db");
    if (!Files.exists(ledger)) {
      return 0;
    }
    long onDisk = 0;
    long committed = 0;
    List<String> rows;
    try {
      rows =
          LedgerProbe.column(
              ledger, "select path || char(9) || committed_length from archive_file");
    } catch (AssertionError notYet) {
      return 0;
    }
    for (String row : rows) {
      String[] parts = row.split("\t");
      Path file = archiveDir.resolve(parts[0]);
      if (Files.exists(file)) {
        onDisk += Files.size(file);
        committed += Long.parseLong(parts[1]);
      }
    }
    return onDisk - committed;
  }

  private static void deliverAll(String user) {
    for (CorpusMessage m : CORPUS) {
      dovecot.deliver(user, m.name(), m.content());
    }
  }

  private static ProcessBuilder launch(String user, int tapPort, Path archiveDir) {
    Path launcher = Path.of(System.getProperty("popvault.basedir", "."), "bin", "popvault");
    ProcessBuilder pb =
        new ProcessBuilder(
            launcher.toString(),
            "archive",
            "pop3://" + user + "@127.0.0.1:" + tapPort,
            // One mailbox behind a tap on a changing port: the same account by name.
            "--account",
            user + "@127.0.0.1",
            "--allow-plaintext",
            "--archive-dir",
            archiveDir.toString(),
            "--batch-size",
            Integer.toString(BATCH),
            "--timeout",
            "30",
            "--delete");
    // The password travels in the environment, never in argv.
    pb.environment().put("POPVAULT_PASSWORD", PASSWORD);
    pb.redirectErrorStream(true);
    pb.redirectOutput(work.resolve("child-" + user + ".log").toFile());
    return pb;
  }

  private static String log(String user) {
    try {
      return Files.readString(work.resolve("child-" + user + ".log"));
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }

  /** What the disk, the ledger, the server and the tap say after the child died. */
  private record Snapshot(
      long ledgerMessages,
      long deletedAt,
      long uncommitted,
      boolean uncommittedComplete,
      int serverRemaining,
      List<String> verbs,
      String lastRunOutcome) {

    String phase() {
      if (ledgerMessages < 0) {
        return verbs.isEmpty() ? "1 start-up (no ledger yet)" : "2 connected (no ledger yet)";
      }
      if (!verbs.contains("RETR")) {
        return verbs.isEmpty() ? "2 ledger open, not connected" : "3 login/plan";
      }
      if (ledgerMessages < MESSAGES) {
        if (uncommitted == 0) {
          return "4 RETR: between commits";
        }
        return uncommittedComplete
            ? "5b RETR: whole frame on disk, not committed"
            : "5a RETR: partial frame on disk";
      }
      if (!verbs.contains("DELE")) {
        return uncommitted > 0
            ? "6a last frame on disk, not committed"
            : "6b all committed, no DELE";
      }
      if (!verbs.contains("QUIT")) {
        return "7 during DELE";
      }
      if (serverRemaining == MESSAGES) {
        return "8 QUIT sent, server deleted nothing";
      }
      if (deletedAt == 0) {
        return "9 server deleted, ledger not yet marked";
      }
      return "ok".equals(lastRunOutcome) ? "11 run finished" : "10 deleted_at marked";
    }
  }

  private static Snapshot snapshot(Path archiveDir, String user, Pop3Tap tap) throws IOException {
    Path ledger = archiveDir.resolve("ledger.db");
    long messages = readNumber(ledger, "select count(*) from message");
    long deleted = readNumber(ledger, "select count(*) from message where deleted_at is not null");
    String outcome = null;
    if (messages >= 0) {
      List<String> outcomes =
          LedgerProbe.column(ledger, "select coalesce(outcome, '-') from run order by id");
      outcome = outcomes.isEmpty() ? null : outcomes.get(outcomes.size() - 1);
    }
    return new Snapshot(
        messages,
        deleted,
        uncommittedBytes(archiveDir),
        uncommittedFrameComplete(archiveDir),
        dovecot.remainingMessages(user).size(),
        tap.verbs(),
        outcome);
  }

  /** No message may be gone from the server unless the ledger holds it (M2). */
  private static void assertNothingLost(String user, Path archiveDir, String context) {
    Set<String> gone = new HashSet<>(NAMES);
    dovecot.remainingMessages(user).forEach(gone::remove);
    if (gone.isEmpty()) {
      return;
    }
    Path ledger = archiveDir.resolve("ledger.db");
    assertThat(Files.exists(ledger)).as(context + ": deleted, but no ledger").isTrue();
    assertThat(LedgerProbe.column(ledger, "select uidl from message"))
        .as(context + ": every message deleted from the server is in the ledger")
        .containsAll(gone);
  }

  private static void assertLedgerNotTorn(Path archiveDir, String context) {
    Path ledger = archiveDir.resolve("ledger.db");
    if (Files.exists(ledger)) {
      assertThat(LedgerProbe.column(ledger, "PRAGMA integrity_check"))
          .as(context + ": ledger integrity")
          .containsExactly("ok");
    }
  }

  /**
   * Re-runs in-process against Dovecot directly (STLS) and checks exactly-once everywhere; returns
   * the re-run.
   */
  private static CliRun completeAndCheck(String user, Path archiveDir, String context)
      throws Exception {
    Path passwordFile = work.resolve("password");
    if (!Files.exists(passwordFile)) {
      PasswordFiles.write(passwordFile, PASSWORD + "\n");
    }
    CliRun rerun =
        CliRun.of(
            "archive",
            "pop3://" + user + "@127.0.0.1:" + dovecot.pop3Port(),
            "--account",
            user + "@127.0.0.1",
            "--ca-file",
            dovecot.caFile().toString(),
            "--password-file",
            passwordFile.toString(),
            "--archive-dir",
            archiveDir.toString(),
            "--batch-size",
            Integer.toString(BATCH),
            "--delete");
    assertThat(rerun.exitCode()).as(context + ": re-run\n" + rerun.describe()).isZero();
    Path ledger = archiveDir.resolve("ledger.db");
    assertThat(LedgerProbe.column(ledger, "select uidl from message"))
        .as(context + ": each message exactly once in the ledger")
        .hasSize(MESSAGES)
        .containsExactlyInAnyOrderElementsOf(NAMES);
    CliRun verify = CliRun.of("verify", "--archive-dir", archiveDir.toString());
    assertThat(verify.exitCode()).as(context + ": " + verify.describe()).isZero();
    int inArchive = 0;
    try (Stream<Path> files = Files.walk(archiveDir)) {
      for (Path file : files.filter(p -> p.toString().endsWith(".mbox.zst")).toList()) {
        Path mbox = work.resolve(user + "-check.mbox");
        Files.write(mbox, ArchiveTools.decompressWithCli(file));
        inArchive += ArchiveTools.readWithPythonMailbox(mbox).size();
        Files.delete(mbox);
      }
    }
    assertThat(inArchive)
        .as(context + ": messages in the archive files (zstdcat + Python mailbox)")
        .isEqualTo(MESSAGES);
    assertThat(dovecot.remainingMessages(user))
        .as(context + ": server after the completing --delete run")
        .isEmpty();
    assertLedgerNotTorn(archiveDir, context);
    return rerun;
  }

  @Test
  void sigkillAtFiftyPointsLosesNothingAndDuplicatesNothing() throws Exception {
    Set<String> labels = new LinkedHashSet<>();
    int reached = 0;
    for (int i = 0; i < points.size(); i++) {
      KillPoint point = points.get(i);
      String user = trialUser(i);
      String context = "trial " + i + " (" + point.label() + ")";
      deliverAll(user);
      Path archiveDir = work.resolve("archive-" + user);
      long start;
      long committedAtLock = -1;
      Snapshot snap;
      boolean killed;
      long killMillis;
      try (Pop3Tap tap = Pop3Tap.start(dovecot.pop3sPort(), dovecot.caFile())) {
        if (point.action() != null) {
          tap.at(point.verb(), point.n(), point.action());
        }
        start = System.nanoTime();
        Process child = launch(user, tap.port(), archiveDir).start();
        LedgerWriteLock lock = null;
        boolean died;
        try {
          if (point.lockAfter() >= 0) {
            lock = lockAfter(child, archiveDir, point.lockAfter());
            committedAtLock =
                readNumber(archiveDir.resolve("ledger.db"), "select count(*) from message");
          }
          point.waiter().await(child, tap, archiveDir, start);
          killed = child.isAlive();
        } finally {
          child.destroyForcibly(); // SIGKILL
          died = child.waitFor(30, TimeUnit.SECONDS);
          if (lock != null) {
            lock.close(); // only once the child is dead: it must never commit through the hold
          }
        }
        killMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertThat(died).as(context).isTrue();
        if (point.action() != null) {
          assertThat(tap.fired())
              .as(context + ": the tap point was reached\n" + log(user))
              .isTrue();
        }
        if (!killed) {
          assertThat(child.exitValue())
              .as(context + ": finished before the kill\n" + log(user))
              .isZero();
        }
        tap.close(); // drops whatever was held: a held QUIT never reaches the server
        snap = snapshot(archiveDir, user, tap);
      }
      String phase = killed ? snap.phase() : "12 exited before the kill";
      phases.merge(phase, 1, Integer::sum);
      if (killed) {
        reached++;
      }
      labels.add(point.label());
      matrix.add(
          String.join(
              "\t",
              Integer.toString(i),
              point.label(),
              phase,
              "killedAtMs=" + killMillis,
              "committed=" + snap.ledgerMessages(),
              "uncommittedBytes="
                  + snap.uncommitted()
                  + (snap.uncommittedComplete() ? " (whole frame)" : ""),
              "deletedAt=" + snap.deletedAt(),
              "serverRemaining=" + snap.serverRemaining(),
              "RETR=" + snap.verbs().stream().filter("RETR"::equals).count(),
              "DELE=" + snap.verbs().stream().filter("DELE"::equals).count()));
      assertLedgerNotTorn(archiveDir, context);
      assertNothingLost(user, archiveDir, context);
      if (snap.ledgerMessages() >= 0) {
        // Right after the kill, before any recovery: every committed frame verifies; the only
        // problem verify may report is the torn tail past the committed length (M3 cuts it).
        CliRun verify = CliRun.of("verify", "--archive-dir", archiveDir.toString());
        if (snap.uncommitted() == 0) {
          assertThat(verify.exitCode())
              .as(context + ": verify after kill " + verify.describe())
              .isZero();
        } else {
          assertThat(verify.err().lines().filter(l -> !l.contains("torn tail")).toList())
              .as(context + ": verify after kill reports only the torn tail " + verify.describe())
              .isEmpty();
        }
      }
      if (point.lockAfter() >= 0) {
        assertThat(killed)
            .as(context + ": killed while the commit was held\n" + log(user))
            .isTrue();
        assertThat(snap.ledgerMessages())
            .as(context + ": nothing committed while the test held the ledger")
            .isEqualTo(committedAtLock);
        assertThat(phase).as(context).isEqualTo("5b RETR: whole frame on disk, not committed");
      }
      CliRun rerun = completeAndCheck(user, archiveDir, context);
      if (point.lockAfter() >= 0) {
        assertThat(rerun.err())
            .as(context + ": the re-run cut the uncommitted frame(s) (M3)\n" + rerun.describe())
            .contains("cut " + snap.uncommitted() + " bytes");
      }
    }
    assertThat(labels).as("distinct kill points").hasSizeGreaterThanOrEqualTo(50);
    assertThat(reached).as("trials killed while running").isGreaterThanOrEqualTo(45);
    assertThat(phases.keySet())
        .as("phases hit: %s", phases)
        .contains(
            "1 start-up (no ledger yet)",
            "3 login/plan",
            "4 RETR: between commits",
            "7 during DELE",
            "8 QUIT sent, server deleted nothing",
            "9 server deleted, ledger not yet marked");
  }

  private static void signal(Process child, String name) throws Exception {
    new ProcessBuilder("kill", "-" + name, Long.toString(child.pid())).start().waitFor();
  }

  /**
   * Holds the session at RETR #100 (the child has then archived up to 99 and blocks), sends {@code
   * signalName}, releases, and checks the clean stop: exit code, what was verified is committed, no
   * DELE, no QUIT, run row "interrupted".
   */
  private void cleanStop(String user, String signalName, int expectedExit) throws Exception {
    deliverAll(user);
    Path archiveDir = work.resolve("archive-" + user);
    Path ledger = archiveDir.resolve("ledger.db");
    try (Pop3Tap tap =
        Pop3Tap.start(dovecot.pop3sPort(), dovecot.caFile()).at("RETR", 100, Action.HOLD_COMMAND)) {
      Process child = launch(user, tap.port(), archiveDir).start();
      assertThat(tap.awaitTrigger(60_000)).as(log(user)).isTrue();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (readNumber(ledger, "select count(*) from message") < 60
          && System.nanoTime() < deadline) {
        Thread.sleep(10);
      }
      Thread.sleep(300);
      long committedBefore = readNumber(ledger, "select count(*) from message");
      signal(child, signalName);
      Thread.sleep(200);
      tap.release();
      assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();
      String log = log(user);
      assertThat(child.exitValue()).as(log).isEqualTo(expectedExit);
      assertThat(log).contains("stopped by SIG" + signalName).contains("nothing was deleted");
      assertThat(tap.count("DELE")).as("a clean stop sends no DELE").isZero();
      assertThat(tap.count("QUIT")).as("a clean stop ends without QUIT").isZero();
      long committed = readNumber(ledger, "select count(*) from message");
      assertThat(committed)
          .as("what was received before the signal is verified and committed")
          .isBetween(Math.max(committedBefore, 60), 99L);
      assertThat(LedgerProbe.column(ledger, "select outcome from run"))
          .containsExactly("interrupted");
      assertThat(
              LedgerProbe.number(
                  ledger, "select count(*) from message where deleted_at is not null"))
          .isZero();
      assertThat(dovecot.remainingMessages(user))
          .as("a clean stop deletes nothing")
          .hasSize(MESSAGES);
      CliRun verify = CliRun.of("verify", "--archive-dir", archiveDir.toString());
      assertThat(verify.exitCode()).as(verify.describe()).isZero();
      assertLedgerNotTorn(archiveDir, user);
      matrix.add(
          signalName
              + "\tclean stop at RETR #100\texit "
              + child.exitValue()
              + "\tcommitted="
              + committed);
    }
    completeAndCheck(user, archiveDir, "after SIG" + signalName);
  }

  @Test
  void sigtermStopsCleanlyWithExit75AndCommitsWhatWasVerified() throws Exception {
    cleanStop("term", "TERM", 75);
  }

  @Test
  void sigintStopsCleanlyWithExit130() throws Exception {
    assertThat(sigintIgnoredHere())
        .as(
            "SIGINT is ignored by this build's process (started as a background job of a"
                + " non-interactive shell?); the child would inherit that, so run the build in the"
                + " foreground")
        .isFalse();
    cleanStop("int", "INT", 130);
  }

  /** Whether this JVM was started with SIGINT ignored (bit 2 of SigIgn in /proc/self/status). */
  private static boolean sigintIgnoredHere() throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
      if (line.startsWith("SigIgn:")) {
        return (Long.parseLong(line.substring(7).trim(), 16) & (1L << 1)) != 0;
      }
    }
    return false;
  }

  @Test
  void aSecondSignalExitsAtOnceAndIsStillSafe() throws Exception {
    String user = "twice";
    deliverAll(user);
    Path archiveDir = work.resolve("archive-" + user);
    Path ledger = archiveDir.resolve("ledger.db");
    try (Pop3Tap tap =
        Pop3Tap.start(dovecot.pop3sPort(), dovecot.caFile()).at("RETR", 100, Action.HOLD_COMMAND)) {
      Process child = launch(user, tap.port(), archiveDir).start();
      assertThat(tap.awaitTrigger(60_000)).as(log(user)).isTrue();
      Thread.sleep(300);
      // The first signal only asks for a stop; the child stays blocked on the held RETR.
      signal(child, "TERM");
      Thread.sleep(300);
      assertThat(child.isAlive()).as("still waiting for the server after one signal").isTrue();
      long start = System.nanoTime();
      signal(child, "TERM");
      assertThat(child.waitFor(10, TimeUnit.SECONDS))
          .as("the second signal exits at once")
          .isTrue();
      assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isLessThan(5000);
      assertThat(child.exitValue()).as(log(user)).isEqualTo(75);
      assertThat(tap.count("DELE")).isZero();
      assertThat(dovecot.remainingMessages(user)).hasSize(MESSAGES);
      assertLedgerNotTorn(archiveDir, user);
      long committed = readNumber(ledger, "select count(*) from message");
      matrix.add(
          "TERM+TERM\timmediate exit while held at RETR #100\texit 75\tcommitted=" + committed);
    }
    completeAndCheck(user, archiveDir, "after a second SIGTERM");
  }

  @Test
  void sigtermDuringDeleDeletesNothing() throws Exception {
    String user = "termdele";
    deliverAll(user);
    Path archiveDir = work.resolve("archive-" + user);
    Path ledger = archiveDir.resolve("ledger.db");
    try (Pop3Tap tap =
        Pop3Tap.start(dovecot.pop3sPort(), dovecot.caFile()).at("DELE", 1, Action.HOLD_COMMAND)) {
      Process child = launch(user, tap.port(), archiveDir).start();
      assertThat(tap.awaitTrigger(60_000)).as(log(user)).isTrue();
      Thread.sleep(200);
      signal(child, "TERM");
      Thread.sleep(200);
      tap.release();
      assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();
      String log = log(user);
      assertThat(child.exitValue()).as(log).isEqualTo(75);
      assertThat(log).contains("stopped by SIGTERM").contains("nothing was deleted");
      assertThat(tap.count("QUIT"))
          .as("no QUIT after a stop: the server keeps every message")
          .isZero();
      assertThat(dovecot.remainingMessages(user)).as(log).hasSize(MESSAGES);
      assertThat(LedgerProbe.number(ledger, "select count(*) from message")).isEqualTo(MESSAGES);
      assertThat(
              LedgerProbe.number(
                  ledger, "select count(*) from message where deleted_at is not null"))
          .isZero();
      assertThat(LedgerProbe.column(ledger, "select outcome from run"))
          .containsExactly("interrupted");
      matrix.add(
          "TERM\tduring DELE\texit 75\tserverRemaining=" + dovecot.remainingMessages(user).size());
    }
    completeAndCheck(user, archiveDir, "after SIGTERM during DELE");
  }

  @Test
  void twoRunsStartedTogetherOneArchivesTheOtherExits75() throws Exception {
    String user = "race";
    deliverAll(user);
    Path archiveDir = work.resolve("archive-" + user);
    try (Pop3Tap tap =
        Pop3Tap.start(dovecot.pop3sPort(), dovecot.caFile()).at("UIDL", 1, Action.HOLD_COMMAND)) {
      Process a =
          launch(user, tap.port(), archiveDir)
              .redirectOutput(work.resolve("race-a.log").toFile())
              .start();
      Process b =
          launch(user, tap.port(), archiveDir)
              .redirectOutput(work.resolve("race-b.log").toFile())
              .start();
      // The lock holder is held at UIDL; the other must give up at once, without waiting.
      long start = System.nanoTime();
      while (a.isAlive()
          && b.isAlive()
          && System.nanoTime() - start < TimeUnit.SECONDS.toNanos(30)) {
        Thread.sleep(10);
      }
      Process loser = a.isAlive() ? b : a;
      Process winner = loser == a ? b : a;
      String loserLog = Files.readString(work.resolve(loser == a ? "race-a.log" : "race-b.log"));
      assertThat(loser.isAlive()).isFalse();
      assertThat(loser.exitValue()).as(loserLog).isEqualTo(75);
      assertThat(loserLog).contains("another run for race@127.0.0.1 is in progress");
      assertThat(tap.awaitTrigger(30_000)).as("the lock holder reaches UIDL").isTrue();
      Thread.sleep(200);
      assertThat(tap.count("UIDL")).as("only the lock holder talks to the server").isEqualTo(1);
      tap.release();
      assertThat(winner.waitFor(60, TimeUnit.SECONDS)).isTrue();
      assertThat(winner.exitValue()).isZero();
    }
    assertThat(dovecot.remainingMessages(user)).isEmpty();
    assertThat(LedgerProbe.number(archiveDir.resolve("ledger.db"), "select count(*) from message"))
        .isEqualTo(MESSAGES);
  }
}
