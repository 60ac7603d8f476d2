package dev.popvault.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.popvault.testsupport.ArchiveTools;
import dev.popvault.testsupport.CliRun;
import dev.popvault.testsupport.Corpus;
import dev.popvault.testsupport.CorpusMessage;
import dev.popvault.testsupport.DovecotServer;
import dev.popvault.testsupport.LedgerProbe;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kills the real launcher (a child process) with SIGKILL at points spread over a run with {@code
 * --delete}, then runs again to completion, and checks that nothing was lost and nothing is
 * archived twice (invariant M4).
 */
class CrashIT {
  private static final String PASSWORD = "crash-pass";
  private static final int MESSAGES = 200;
  private static DovecotServer dovecot;
  @TempDir static Path serverDir;

  @TempDir Path tmp;

  @BeforeAll
  static void startDovecot() throws Exception {
    dovecot = DovecotServer.start(serverDir);
  }

  @AfterAll
  static void stopDovecot() throws Exception {
    if (dovecot != null) {
      dovecot.close();
    }
  }

  private ProcessBuilder launcher(String user, Path archiveDir, String... extra) {
    Path launcher = Path.of(System.getProperty("popvault.basedir", "."), "bin", "popvault");
    List<String> command =
        new java.util.ArrayList<>(
            List.of(
                launcher.toString(),
                "archive",
                "pop3://" + user + "@127.0.0.1:" + dovecot.pop3Port(),
                "--ca-file",
                dovecot.caFile().toString(),
                "--archive-dir",
                archiveDir.toString(),
                "--batch-size",
                "10",
                "--delete"));
    command.addAll(List.of(extra));
    ProcessBuilder pb = new ProcessBuilder(command);
    // The password travels in the environment, never in argv.
    pb.environment().put("POPVAULT_PASSWORD", PASSWORD);
    pb.redirectErrorStream(true);
    pb.redirectOutput(tmp.resolve("child-" + user + ".log").toFile());
    return pb;
  }

  private Set<String> deliverBulk(String user, long seed) throws IOException {
    dovecot.addUser(user, PASSWORD);
    Set<String> names = new HashSet<>();
    for (CorpusMessage m : Corpus.bulk(seed, MESSAGES, 20_000)) {
      dovecot.deliver(user, m.name(), m.content());
      names.add(m.name());
    }
    return names;
  }

  /** No message may be gone from the server unless the ledger holds it. */
  private static void assertNothingLost(
      Set<String> delivered, List<String> remaining, Path ledger) {
    Set<String> gone = new HashSet<>(delivered);
    remaining.forEach(gone::remove);
    if (gone.isEmpty()) {
      return;
    }
    assertThat(Files.exists(ledger)).as("messages were deleted but there is no ledger").isTrue();
    assertThat(LedgerProbe.column(ledger, "select uidl from message"))
        .as("every message deleted from the server is in the ledger")
        .containsAll(gone);
  }

  private void assertExactlyOnce(Set<String> delivered, Path archiveDir, String user)
      throws Exception {
    Path ledger = archiveDir.resolve("ledger.db");
    assertThat(LedgerProbe.column(ledger, "select uidl from message"))
        .as("each message exactly once in the ledger")
        .hasSize(delivered.size())
        .containsExactlyInAnyOrderElementsOf(delivered);
    CliRun verify = CliRun.of("verify", "--archive-dir", archiveDir.toString());
    assertThat(verify.exitCode()).as(verify.describe()).isZero();
    int inArchive = 0;
    try (Stream<Path> files = Files.walk(archiveDir)) {
      for (Path file : files.filter(p -> p.toString().endsWith(".mbox.zst")).toList()) {
        Path mbox = tmp.resolve(user + "-check.mbox");
        Files.write(mbox, ArchiveTools.decompressWithCli(file));
        inArchive += ArchiveTools.readWithPythonMailbox(mbox).size();
      }
    }
    assertThat(inArchive)
        .as("messages in the archive files (read by zstdcat + Python)")
        .isEqualTo(delivered.size());
    assertThat(dovecot.remainingMessages(user))
        .as("server after the completing --delete run")
        .isEmpty();
  }

  @Test
  void sigkillAtAnyPointLosesNothingAndDuplicatesNothing() throws Exception {
    int trials = Integer.getInteger("reliability.trials", 8);
    for (int trial = 0; trial < trials; trial++) {
      String user = "kill" + trial;
      Set<String> delivered = deliverBulk(user, trial);
      Path archiveDir = tmp.resolve("archive-" + trial);
      // Kill points spread from JVM start-up through RETR, frame commits, DELE and QUIT.
      long killAfterMillis = 250L + trial * 2500L / Math.max(1, trials - 1);

      Process child = launcher(user, archiveDir).start();
      boolean finished = child.waitFor(killAfterMillis, TimeUnit.MILLISECONDS);
      if (!finished) {
        child.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
      assertNothingLost(
          delivered, dovecot.remainingMessages(user), archiveDir.resolve("ledger.db"));

      Process rerun = launcher(user, archiveDir).start();
      assertThat(rerun.waitFor(120, TimeUnit.SECONDS)).as("re-run finishes").isTrue();
      assertThat(rerun.exitValue())
          .as(
              "re-run after kill at %d ms: %s",
              killAfterMillis, Files.readString(tmp.resolve("child-" + user + ".log")))
          .isZero();
      assertExactlyOnce(delivered, archiveDir, user);
    }
  }

  @Test
  void sigtermStopsCleanlyWithExit75AndCommitsWhatWasVerified() throws Exception {
    String user = "term";
    Set<String> delivered = deliverBulk(user, 99);
    Path archiveDir = tmp.resolve("archive-term");
    Process child = launcher(user, archiveDir).start();
    Path ledger = archiveDir.resolve("ledger.db");
    // Wait until the run is in the middle of fetching: the ledger exists and has some messages.
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline && child.isAlive()) {
      if (Files.exists(ledger)) {
        try {
          if (LedgerProbe.number(ledger, "select count(*) from message") > 0) {
            break;
          }
        } catch (AssertionError notYet) {
          // The schema may not exist yet.
        }
      }
      Thread.sleep(20);
    }
    new ProcessBuilder("kill", "-TERM", Long.toString(child.pid())).start().waitFor();
    assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();
    String log = Files.readString(tmp.resolve("child-" + user + ".log"));
    if (child.exitValue() == 0) {
      // The run won the race and finished before the signal arrived; the check below still holds.
      assertThat(dovecot.remainingMessages(user)).isEmpty();
    } else {
      assertThat(child.exitValue()).as(log).isEqualTo(75);
      assertThat(log).contains("stopped by SIGTERM");
      assertThat(dovecot.remainingMessages(user))
          .as("a clean stop deletes nothing")
          .hasSize(MESSAGES);
      assertThat(LedgerProbe.column(ledger, "select outcome from run"))
          .containsExactly("interrupted");
    }
    assertNothingLost(delivered, dovecot.remainingMessages(user), ledger);
    Process rerun = launcher(user, archiveDir).start();
    assertThat(rerun.waitFor(120, TimeUnit.SECONDS)).isTrue();
    assertThat(rerun.exitValue()).isZero();
    assertExactlyOnce(delivered, archiveDir, user);
  }
}
