package dev.popvault.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.popvault.testsupport.FakeMailbox;
import dev.popvault.testsupport.LedgerProbe;
import dev.popvault.testsupport.ScriptedPop3Server;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Year;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 9 item 8: {@code ~} and the XDG defaults follow {@code $HOME}, not the JVM's {@code
 * user.home} (which comes from the password database). Runs the real launcher as a child process
 * with HOME pointing at a temporary directory and no {@code --archive-dir}, against the scripted
 * POP3 server, and checks where the ledger and the archive appear.
 */
class HomeIT {
  @TempDir Path tmp;

  private record Run(int exitCode, String output) {}

  /** Runs bin/popvault with HOME (and the given XDG variables only) in its environment. */
  private Run launch(Path home, Map<String, String> xdg, String... args) throws Exception {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("popvault.basedir", "."), "bin", "popvault").toString());
    command.addAll(List.of(args));
    // In tmp, so that a "~" taken literally would show up there.
    ProcessBuilder pb = new ProcessBuilder(command).directory(tmp.toFile());
    Map<String, String> env = pb.environment();
    for (String v :
        List.of("XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME")) {
      env.remove(v);
    }
    env.putAll(xdg);
    env.put("HOME", home.toString());
    env.put("POPVAULT_PASSWORD", "pw");
    Path log = Files.createTempFile(tmp, "run", ".log");
    pb.redirectErrorStream(true).redirectOutput(log.toFile());
    Process p = pb.start();
    if (!p.waitFor(120, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("popvault did not finish: " + Files.readString(log));
    }
    return new Run(p.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
  }

  private static FakeMailbox mailbox() {
    return new FakeMailbox()
        .add("u1", "Subject: one\r\n\r\nbody one\r\n")
        .capabilities("USER", "UIDL");
  }

  private static Path monthFile(Path archiveDir, String account) {
    return archiveDir
        .resolve(account)
        .resolve(Year.now(ZoneOffset.UTC).toString())
        .resolve(YearMonth.now(ZoneOffset.UTC) + ".mbox.zst");
  }

  /** The ledger of the login user's home (user.home) must not learn of {@code account}. */
  private static void assertUserHomeUntouched(String account) {
    Path ledger =
        Path.of(System.getProperty("user.home"), ".local", "share", "popvault", "ledger.db");
    if (Files.exists(ledger)) {
      assertThat(LedgerProbe.column(ledger, "select name from account"))
          .as("the login user's ledger " + ledger)
          .doesNotContain(account);
    }
  }

  @Test
  void theDefaultArchiveDirectoryFollowsHome() throws Exception {
    Path home = Files.createDirectories(tmp.resolve("home"));
    String account = "home-" + UUID.randomUUID();
    try (ScriptedPop3Server s = ScriptedPop3Server.start(mailbox())) {
      Run r =
          launch(
              home,
              Map.of(),
              "archive",
              "pop3://alice@127.0.0.1:" + s.port(),
              "--allow-plaintext",
              "--account",
              account);
      assertThat(r.exitCode()).as(r.output()).isZero();
    }
    Path archiveDir = home.resolve(".local/share/popvault");
    assertThat(LedgerProbe.number(archiveDir.resolve("ledger.db"), "select count(*) from message"))
        .isEqualTo(1);
    assertThat(monthFile(archiveDir, account)).isRegularFile();
    assertUserHomeUntouched(account);
  }

  @Test
  void xdgDataHomeOverridesHome() throws Exception {
    Path home = Files.createDirectories(tmp.resolve("home"));
    Path data = tmp.resolve("data");
    String account = "xdg-" + UUID.randomUUID();
    try (ScriptedPop3Server s = ScriptedPop3Server.start(mailbox())) {
      Run r =
          launch(
              home,
              Map.of("XDG_DATA_HOME", data.toString()),
              "archive",
              "pop3://alice@127.0.0.1:" + s.port(),
              "--allow-plaintext",
              "--account",
              account);
      assertThat(r.exitCode()).as(r.output()).isZero();
    }
    assertThat(
            LedgerProbe.number(data.resolve("popvault/ledger.db"), "select count(*) from message"))
        .isEqualTo(1);
    assertThat(monthFile(data.resolve("popvault"), account)).isRegularFile();
    assertThat(home.resolve(".local/share/popvault")).doesNotExist();
    assertUserHomeUntouched(account);
  }

  @Test
  void theAccountsFileAndItsTildePathsFollowHome() throws Exception {
    Path home = Files.createDirectories(tmp.resolve("home"));
    try (ScriptedPop3Server s = ScriptedPop3Server.start(mailbox())) {
      Path config =
          Files.createDirectories(home.resolve(".config/popvault")).resolve("config.toml");
      Files.writeString(
          config,
          String.join(
              "\n",
              "[defaults]",
              "archive-dir = \"~/mail\"",
              "ledger = \"~/state/ledger.db\"",
              "allow-plaintext = true",
              "",
              "[acct]",
              "url = \"pop3://alice@127.0.0.1:" + s.port() + "\"",
              ""));
      Run r = launch(home, Map.of(), "archive");
      assertThat(r.exitCode()).as(r.output()).isZero();
      assertThat(r.output()).contains("1 new");
    }
    Path ledger = home.resolve("state/ledger.db");
    assertThat(LedgerProbe.number(ledger, "select count(*) from message")).isEqualTo(1);
    assertThat(monthFile(home.resolve("mail"), "acct")).isRegularFile();
    assertThat(home.resolve("state/locks")).isDirectory();
    assertThat(home.resolve("state/locks/acct.lock")).as("removed when free").doesNotExist();
    assertThat(tmp.resolve("~")).doesNotExist();

    Run verify = launch(home, Map.of(), "verify");
    assertThat(verify.exitCode()).as(verify.output()).isZero();
    assertThat(verify.output()).contains("verified 1 account(s), 1 file(s)");
  }
}
