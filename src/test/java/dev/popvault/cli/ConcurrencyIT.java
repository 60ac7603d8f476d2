package dev.popvault.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.util.GreenMailUtil;
import com.icegreen.greenmail.util.ServerSetup;
import com.icegreen.greenmail.util.ServerSetupTest;
import dev.popvault.testsupport.CliRun;
import dev.popvault.testsupport.CuttingProxy;
import dev.popvault.testsupport.LedgerProbe;
import dev.popvault.testsupport.PasswordFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two runs at once: the same account is refused at once (75); different accounts share one ledger.
 */
class ConcurrencyIT {
  @RegisterExtension
  static final GreenMailExtension greenMail =
      new GreenMailExtension(ServerSetup.dynamicPort(ServerSetupTest.SMTP_POP3));

  @TempDir Path tmp;

  private void deliver(String login, int count) {
    var user = greenMail.setUser(login + "@example.test", login, "pw-" + login);
    for (int i = 0; i < count; i++) {
      user.deliver(
          GreenMailUtil.createTextEmail(
              login + "@example.test",
              "x@example.test",
              "m" + i,
              "body " + i + "\r\n",
              greenMail.getSmtp().getServerSetup()));
    }
  }

  private Process launch(String login, int port, Path archiveDir) throws Exception {
    ProcessBuilder pb =
        new ProcessBuilder(
            Path.of(System.getProperty("popvault.basedir", "."), "bin", "popvault").toString(),
            "archive",
            "pop3://" + login + "@127.0.0.1:" + port,
            // One mailbox reached through a proxy on another port: the same account by name.
            "--account",
            login + "@127.0.0.1",
            "--allow-plaintext",
            "--archive-dir",
            archiveDir.toString(),
            "--timeout",
            "60");
    pb.environment().put("POPVAULT_PASSWORD", "pw-" + login);
    pb.redirectErrorStream(true).redirectOutput(tmp.resolve(login + ".log").toFile());
    return pb.start();
  }

  /** Archives the account "same" in this process, directly from GreenMail. */
  private static CliRun sameInProcess(Path passwordFile, Path archiveDir) {
    return CliRun.of(
        "archive",
        "pop3://same@127.0.0.1:" + greenMail.getPop3().getPort(),
        "--account",
        "same@127.0.0.1",
        "--allow-plaintext",
        "--password-file",
        passwordFile.toString(),
        "--archive-dir",
        archiveDir.toString());
  }

  @Test
  void aSecondRunForTheSameAccountExits75AtOnce() throws Exception {
    deliver("same", 3);
    Path archiveDir = tmp.resolve("archive");
    Path passwordFile = tmp.resolve("pass");
    PasswordFiles.write(passwordFile, "pw-same\n");
    // The first run (another process) hangs on a stalled server while holding the account's lock.
    try (CuttingProxy stalled = CuttingProxy.stallAfter(greenMail.getPop3().getPort(), 20)) {
      Process first = launch("same", stalled.port(), archiveDir);
      try {
        Path lockFile = archiveDir.resolve("locks").resolve("same@127.0.0.1.lock");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!Files.exists(lockFile) && System.nanoTime() < deadline) {
          Thread.sleep(20);
        }
        Thread.sleep(300);
        long start = System.nanoTime();
        CliRun second = sameInProcess(passwordFile, archiveDir);
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertThat(second.exitCode()).as(second.describe()).isEqualTo(75);
        assertThat(second.err()).contains("another run for same@127.0.0.1 is in progress");
        assertThat(millis).as("refused without waiting").isLessThan(5000);
      } finally {
        first.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    }
    assertThat(greenMail.getReceivedMessages()).hasSize(3);
    // The killed run could not remove its lock file; the next run takes it and removes it.
    Path lockFile = archiveDir.resolve("locks").resolve("same@127.0.0.1.lock");
    assertThat(lockFile).exists();
    CliRun third = sameInProcess(passwordFile, archiveDir);
    assertThat(third.exitCode()).as(third.describe()).isZero();
    assertThat(lockFile).as("removed when free").doesNotExist();
  }

  @Test
  void runsForDifferentAccountsShareOneLedger() throws Exception {
    deliver("one", 20);
    deliver("two", 20);
    Path archiveDir = tmp.resolve("shared");
    Files.createDirectories(archiveDir);
    Process a = launch("one", greenMail.getPop3().getPort(), archiveDir);
    Process b = launch("two", greenMail.getPop3().getPort(), archiveDir);
    assertThat(a.waitFor(120, TimeUnit.SECONDS)).isTrue();
    assertThat(b.waitFor(120, TimeUnit.SECONDS)).isTrue();
    assertThat(a.exitValue()).as(Files.readString(tmp.resolve("one.log"))).isZero();
    assertThat(b.exitValue()).as(Files.readString(tmp.resolve("two.log"))).isZero();
    Path ledger = archiveDir.resolve("ledger.db");
    assertThat(
            LedgerProbe.column(
                ledger,
                "select a.name || ':' || count(*) from message m join account a"
                    + " on m.account_id = a.id group by a.name order by a.name"))
        .isEqualTo(List.of("one@127.0.0.1:20", "two@127.0.0.1:20"));
    try (Stream<Path> locks = Files.list(archiveDir.resolve("locks"))) {
      assertThat(locks).as("no lock file remains after the runs").isEmpty();
    }
  }
}
