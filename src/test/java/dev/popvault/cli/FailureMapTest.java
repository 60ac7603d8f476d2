package dev.popvault.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.popvault.testsupport.CliRun;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * One handler maps failures to exit codes (core.Failures): bad values are refused when the account
 * is resolved, before any connection, as one line without class names: 64 when typed on the command
 * line, 78 in the accounts file. A bug keeps its stack trace and exits 70.
 */
class FailureMapTest {
  private static final String URL = "pop3://alice@127.0.0.1:1";
  private static final String PIN = "ab".repeat(32);

  @TempDir Path tmp;

  private CliRun archive(String... more) {
    String[] args = new String[more.length + 4];
    args[0] = "archive";
    args[1] = URL;
    args[2] = "--archive-dir";
    args[3] = tmp.resolve("a").toString();
    System.arraycopy(more, 0, args, 4, more.length);
    return CliRun.of(args);
  }

  private static void assertOneLine(CliRun r, int code, String text) {
    assertThat(r.exitCode()).as(r.describe()).isEqualTo(code);
    assertThat(r.err().lines()).as(r.describe()).hasSize(1);
    assertThat(r.err()).as(r.describe()).contains(text).doesNotContain("Exception");
  }

  @Test
  void badValuesOnTheCommandLineAreUsageErrors() {
    assertOneLine(archive("--codec", "rar"), 64, "--codec must be one of zstd, gzip, xz, none");
    assertOneLine(archive("--auth", "kerberos"), 64, "--auth must be one of");
    assertOneLine(archive("--fingerprint", "zz"), 64, "64 hex digits");
    assertOneLine(archive("--fingerprint", PIN, "--ca-file", "/x.pem"), 64, "exclude each other");
    assertOneLine(archive("--timeout", "99999999"), 64, "--timeout must be at most");
    assertOneLine(archive("--account", ".."), 64, "bad account name");
    assertOneLine(archive("--auth", "oauthbearer"), 64, "--auth oauthbearer needs a token-command");
    assertOneLine(archive("--auth", "XOAUTH2"), 64, "--auth xoauth2 needs a token-command");
    assertOneLine(
        CliRun.of("probe", URL, "--fingerprint", PIN, "--ca-file", "/x.pem"),
        64,
        "exclude each other");
    assertOneLine(CliRun.of("probe", "pop3://a%0d%0aPASS@h"), 78, "control character");
  }

  @Test
  void badValuesInTheAccountsFileAreConfigurationErrors() throws Exception {
    Path config = tmp.resolve("config.toml");
    Files.writeString(config, "[work]\nurl = \"" + URL + "\"\ncodec = \"rar\"\n");
    assertOneLine(
        CliRun.of("archive", "--config", config.toString()), 78, config + ":3: key 'codec'");
    Files.writeString(config, "[work]\nurl = \"" + URL + "\"\nfingerprint = \"zz\"\n");
    assertOneLine(CliRun.of("probe", "--config", config.toString(), "work"), 78, config + ":3");
    Files.writeString(config, "[work]\nurl = \"" + URL + "\"\nauth = \"oauthbearer\"\n");
    assertOneLine(
        CliRun.of("archive", "--config", config.toString()),
        78,
        config + ":3: auth oauthbearer needs a token-command");
    Files.writeString(config, "[defaults]\njson = true\n");
    assertOneLine(
        CliRun.of("archive", "--config", config.toString()), 78, "valid only on the command line");
    Files.writeString(config, "[work]\nurl = \"" + URL + "\"\nparallel = 2\n");
    assertOneLine(CliRun.of("archive", "--config", config.toString()), 78, "is run-wide");
  }

  @Test
  void everyNumberAndChoiceIs64OnTheCommandLineAnd78InTheFileWhateverTheCommand() throws Exception {
    String[][] bad = {
      {"batch-size", "abc", "0", "must be a positive whole number"},
      {"max-messages", "x", "0", "must be a positive whole number"},
      {"checkpoint", "x", "-1", "must be a positive whole number"},
      {"keep-days", "x", "0", "must be a positive whole number"},
      {"timeout", "x", "0", "must be a positive whole number"},
      {"connect-timeout", "x", "-3", "must be a positive whole number"},
      {"max-size", "zz", "0", "must be"},
      {"max-bytes", "zz", "0", "must be"},
      {"codec", "rar", "RAR", "must be one of zstd, gzip, xz, none"},
      {"auth", "foo", "kerberos", "must be one of auto, user"},
    };
    Path config = tmp.resolve("config.toml");
    for (String[] row : bad) {
      String key = row[0];
      for (String value : new String[] {row[1], row[2]}) {
        assertOneLine(archive("--" + key, value), 64, "--" + key + " " + row[3]);
        String toml = value.matches("-?\\d+") ? value : "\"" + value + "\"";
        Files.writeString(config, "[work]\nurl = \"" + URL + "\"\n" + key + " = " + toml + "\n");
        assertOneLine(
            CliRun.of("archive", "--config", config.toString()),
            78,
            config + ":3: key '" + key + "' " + row[3]);
      }
    }
    Files.writeString(config, "[defaults]\nparallel = 0\n[work]\nurl = \"" + URL + "\"\n");
    assertOneLine(CliRun.of("archive", "--config", config.toString()), 78, ":2: key 'parallel'");
    assertOneLine(archive("--parallel", "0"), 64, "--parallel must be a positive whole number");
    // Commands that use a setting only on some paths still refuse a bad value at once.
    String archiveDir = tmp.resolve("a").toString();
    assertOneLine(
        CliRun.of("upload", "--archive-dir", archiveDir, "--to", "imaps://a@h/F", "--timeout", "0"),
        64,
        "--timeout must be a positive whole number");
    assertOneLine(
        CliRun.of("upload", "--archive-dir", archiveDir, "--to", "imaps://a@h/F", "--auth", "x"),
        64,
        "--auth must be one of");
    assertOneLine(
        CliRun.of("verify", "--archive-dir", archiveDir, "--connect-timeout", "0"),
        64,
        "--connect-timeout must be a positive whole number");
    assertOneLine(
        archive("--pipeline-window", "0"), 64, "--pipeline-window must be a positive whole number");
    // picocli's own conversions say it in words, not Java type names.
    CliRun limit = CliRun.of("history", "--archive-dir", archiveDir, "--limit", "many");
    assertThat(limit.exitCode()).as(limit.describe()).isEqualTo(64);
    assertThat(limit.err()).contains("'many' is not a whole number").doesNotContain(" int");
  }

  @Command(name = "boom")
  static final class Boom implements Callable<Integer> {
    @Override
    public Integer call() {
      throw new IllegalArgumentException("a bug, not a usage error");
    }
  }

  @Test
  void aBugKeepsItsStackTraceAndExits70() {
    CommandLine commandLine = Main.newCommandLine();
    commandLine.addSubcommand(new CommandLine(new Boom()));
    StringWriter err = new StringWriter();
    commandLine.setErr(new PrintWriter(err, true));
    int code = commandLine.execute("boom");
    assertThat(code).isEqualTo(70);
    assertThat(err.toString())
        .contains("internal error")
        .contains("IllegalArgumentException: a bug, not a usage error")
        .contains("at dev.popvault.cli.FailureMapTest$Boom.call");
  }
}
