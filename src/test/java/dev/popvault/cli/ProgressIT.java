package dev.popvault.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.util.GreenMailUtil;
import com.icegreen.greenmail.util.ServerSetup;
import com.icegreen.greenmail.util.ServerSetupTest;
import dev.popvault.testsupport.TestRequirements;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The progress line appears on a terminal (a pty from script(1)) and never on a pipe or with -q.
 */
class ProgressIT {
  @RegisterExtension
  static final GreenMailExtension greenMail =
      new GreenMailExtension(ServerSetup.dynamicPort(ServerSetupTest.SMTP_POP3));

  @TempDir Path tmp;

  @BeforeEach
  void deliver() {
    var user = greenMail.setUser("tty@example.test", "tty", "tty-pw");
    for (int i = 0; i < 5; i++) {
      user.deliver(
          GreenMailUtil.createTextEmail(
              "tty@example.test",
              "x@example.test",
              "s" + i,
              "body\r\n",
              greenMail.getSmtp().getServerSetup()));
    }
  }

  /** Returns the launcher's archive command line for the test mailbox into {@code archiveName}. */
  private String archiveCommand(String archiveName) {
    String launcher =
        Path.of(System.getProperty("popvault.basedir", "."), "bin", "popvault").toString();
    return launcher
        + " archive pop3://tty@127.0.0.1:"
        + greenMail.getPop3().getPort()
        + " --allow-plaintext --archive-dir "
        + tmp.resolve(archiveName);
  }

  private String run(boolean terminal, String... extra) throws Exception {
    String command = archiveCommand(terminal ? "a-tty" : "a-pipe") + " " + String.join(" ", extra);
    List<String> argv =
        terminal
            ? List.of("script", "-qec", command, "/dev/null")
            : List.of("bash", "-c", command + " 2>&1 | cat");
    ProcessBuilder pb = new ProcessBuilder(argv).redirectErrorStream(true);
    pb.environment().put("POPVAULT_PASSWORD", "tty-pw");
    Path log = tmp.resolve(terminal ? "tty.log" : "pipe.log");
    pb.redirectOutput(log.toFile());
    Process p = pb.start();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    String out = Files.readString(log);
    assertThat(p.exitValue()).as(out).isZero();
    return out;
  }

  @Test
  void aTerminalGetsAProgressLineAPipeDoesNot() throws Exception {
    TestRequirements.requireCommands("script");
    String tty = run(true);
    assertThat(tty).contains("5/5 messages").contains("MB/s").containsPattern("ETA \\d+:\\d\\d");
    assertThat(tty).contains("tty@127.0.0.1: 5 new");

    String pipe = run(false);
    assertThat(pipe)
        .doesNotContain("messages,")
        .doesNotContain("ETA")
        .contains("tty@127.0.0.1: 5 new");
  }

  @Test
  void quietSuppressesTheProgressLineEvenOnATerminal() throws Exception {
    TestRequirements.requireCommands("script");
    String tty = run(true, "-q");
    assertThat(tty).doesNotContain("ETA").doesNotContain("5 new");
  }

  @Test
  void thePasswordPromptNamesTheMailboxAndTheAccount() throws Exception {
    TestRequirements.requireCommands("script");
    String command = archiveCommand("a-prompt") + " --account work";
    ProcessBuilder pb =
        new ProcessBuilder("script", "-qec", command, "/dev/null").redirectErrorStream(true);
    pb.environment().remove("POPVAULT_PASSWORD");
    Path log = tmp.resolve("prompt.log");
    pb.redirectOutput(log.toFile());
    Process p = pb.start();
    try (OutputStream in = p.getOutputStream()) {
      // Typed once the prompt is up: the terminal then does not echo it.
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (!Files.readString(log).contains("Password for") && System.nanoTime() < deadline) {
        Thread.sleep(50);
      }
      in.write("tty-pw\n".getBytes(StandardCharsets.UTF_8));
      in.flush();
      assertThat(p.waitFor(60, TimeUnit.SECONDS)).as(Files.readString(log)).isTrue();
    }
    String out = Files.readString(log);
    assertThat(p.exitValue()).as(out).isZero();
    assertThat(out).contains("Password for tty@127.0.0.1 (account work): ").contains("work: 5 new");
    assertThat(out).doesNotContain("tty-pw");
  }
}
