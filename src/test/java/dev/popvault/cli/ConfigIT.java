package dev.popvault.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.popvault.testsupport.CliRun;
import dev.popvault.testsupport.FakeMailbox;
import dev.popvault.testsupport.LedgerProbe;
import dev.popvault.testsupport.ScriptedPop3Server;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The accounts file end to end: two accounts (one with a password command, one with OAuth2 through
 * a token command, checked byte for byte by the server), --json, --metrics-file, -q, selection by
 * name, and config check.
 */
class ConfigIT {
  private static final String TOKEN = "ya29.test-token";

  @TempDir Path tmp;
  private ScriptedPop3Server work;
  private ScriptedPop3Server home;
  private FakeMailbox workBox;
  private FakeMailbox homeBox;
  private final List<String> xoauth2Responses = new CopyOnWriteArrayList<>();
  private Path config;

  @BeforeEach
  void setUp() throws Exception {
    workBox =
        new FakeMailbox()
            .password("pw-work")
            .add("w1", "Subject: w1\r\n\r\none\r\n")
            .add("w2", "Subject: w2\r\n\r\ntwo\r\n");
    homeBox =
        new FakeMailbox()
            .capabilities("UIDL", "SASL XOAUTH2", "PIPELINING")
            .add("h1", "Subject: h1\r\n\r\nhome\r\n")
            .fault(
                "AUTH XOAUTH2",
                (line, c) -> {
                  c.send("+ ");
                  String response = c.readLine();
                  xoauth2Responses.add(response);
                  String expected =
                      Base64.getEncoder()
                          .encodeToString(
                              ("user=bob@example.org\u0001auth=Bearer " + TOKEN + "\u0001\u0001")
                                  .getBytes(StandardCharsets.UTF_8));
                  c.send(expected.equals(response) ? "+OK welcome" : "-ERR [AUTH] bad token");
                  return true;
                });
    work = ScriptedPop3Server.start(workBox);
    home = ScriptedPop3Server.start(homeBox);
    config = tmp.resolve("config.toml");
    Files.writeString(
        config,
        """
        [defaults]
        archive-dir = "%s"
        allow-plaintext = true
        delete = true

        [work]
        url = "pop3://alice@127.0.0.1:%d"
        password-command = "printf pw-work"

        [home]
        url = "pop3://bob%%40example.org@127.0.0.1:%d"
        auth = "xoauth2"
        token-command = "printf %s"
        delete = false
        """
            .formatted(tmp.resolve("archive"), work.port(), home.port(), TOKEN));
  }

  @AfterEach
  void tearDown() {
    work.close();
    home.close();
  }

  @Test
  void archivesEveryAccountOfTheFileWithJsonAndMetrics() throws Exception {
    Path metrics = tmp.resolve("popvault.prom");
    CliRun run =
        CliRun.of(
            "archive",
            "--config",
            config.toString(),
            "--json",
            "--metrics-file",
            metrics.toString());
    assertThat(run.exitCode()).as(run.describe()).isZero();

    JsonNode report = new ObjectMapper().readTree(run.out());
    assertThat(report.get("exit_code").asInt()).isZero();
    assertThat(report.get("accounts")).hasSize(2);
    JsonNode first = report.get("accounts").get(0);
    assertThat(first.get("account").asText()).isEqualTo("work");
    assertThat(first.get("new").asInt()).isEqualTo(2);
    assertThat(first.get("deleted").asInt()).isEqualTo(2);
    assertThat(report.get("accounts").get(1).get("deleted").asInt()).isZero();

    assertThat(workBox.committedDeletions()).containsExactlyInAnyOrder("w1", "w2");
    assertThat(homeBox.committedDeletions()).isEmpty();
    assertThat(xoauth2Responses).hasSize(1);
    Path ledger = tmp.resolve("archive").resolve("ledger.db");
    assertThat(LedgerProbe.column(ledger, "select name from account order by name"))
        .containsExactly("home", "work");

    String prom = Files.readString(metrics);
    assertThat(prom)
        .contains("popvault_messages_new{account=\"work\"} 2")
        .contains("popvault_messages_new{account=\"home\"} 1")
        .contains("popvault_exit_code{account=\"home\"} 0")
        .containsPattern("popvault_last_success_timestamp_seconds\\{account=\"work\"} \\d{10}");
    assertThat(run.out() + run.err()).doesNotContain(TOKEN).doesNotContain("pw-work");
  }

  @Test
  void oauthbearerSendsTheRfc7628ResponseThroughTheCli() throws Exception {
    List<String> responses = new CopyOnWriteArrayList<>();
    FakeMailbox box =
        new FakeMailbox()
            .capabilities("UIDL", "SASL OAUTHBEARER")
            .add("o1", "Subject: o1\r\n\r\nbearer\r\n")
            .fault(
                "AUTH OAUTHBEARER",
                (line, c) -> {
                  c.send("+ ");
                  responses.add(c.readLine());
                  c.send("+OK");
                  return true;
                });
    try (ScriptedPop3Server server = ScriptedPop3Server.start(box)) {
      CliRun run =
          CliRun.of(
              "archive",
              "pop3://carol@127.0.0.1:" + server.port(),
              "--allow-plaintext",
              "--auth",
              "oauthbearer",
              "--token-command",
              "printf " + TOKEN,
              "--archive-dir",
              tmp.resolve("bearer").toString());
      assertThat(run.exitCode()).as(run.describe()).isZero();
      assertThat(run.out()).contains("carol@127.0.0.1: 1 new");
      String expected =
          "n,a=carol,\u0001host=127.0.0.1\u0001port="
              + server.port()
              + "\u0001auth=Bearer "
              + TOKEN
              + "\u0001\u0001";
      assertThat(responses)
          .containsExactly(
              Base64.getEncoder().encodeToString(expected.getBytes(StandardCharsets.UTF_8)));
    }
  }

  @Test
  void parallelRunsBothAccountsAtOnceIntoOneLedger() {
    CliRun run = CliRun.of("archive", "--config", config.toString(), "--parallel", "2");
    assertThat(run.exitCode()).as(run.describe()).isZero();
    assertThat(run.out())
        .contains("work: 2 new, 0 skipped, 2 deleted")
        .contains("home: 1 new, 0 skipped, 0 deleted");
    Path ledger = tmp.resolve("archive").resolve("ledger.db");
    assertThat(LedgerProbe.number(ledger, "select count(*) from message")).isEqualTo(3);
    assertThat(LedgerProbe.column(ledger, "select outcome from run")).containsOnly("ok").hasSize(2);
  }

  @Test
  void runsOnlyTheNamedAccountAndQuietPrintsNothing() {
    CliRun run = CliRun.of("archive", "--config", config.toString(), "work", "-q");
    assertThat(run.exitCode()).as(run.describe()).isZero();
    assertThat(run.out()).isEmpty();
    assertThat(run.err()).isEmpty();
    assertThat(xoauth2Responses).isEmpty();
  }

  @Test
  void aFailingAccountGivesItsCodeAndTheOthersStillRun() throws Exception {
    Path metrics = tmp.resolve("m.prom");
    assertThat(CliRun.of("archive", "--config", config.toString(), "home").exitCode()).isZero();
    Files.writeString(config, Files.readString(config).replace("printf " + TOKEN, "false"));
    CliRun run =
        CliRun.of("archive", "--config", config.toString(), "--metrics-file", metrics.toString());
    assertThat(run.exitCode()).as(run.describe()).isEqualTo(78);
    assertThat(Files.readString(metrics))
        .contains("popvault_exit_code{account=\"home\"} 78")
        .as("a failed run keeps the account's last success time from the ledger")
        .containsPattern("popvault_last_success_timestamp_seconds\\{account=\"home\"} \\d{10}");
    assertThat(run.out()).contains("work: 2 new, 0 skipped, 2 deleted");
    assertThat(run.err()).contains("home: ").contains("token command 'false' failed (exit 1)");
    assertThat(run.err().lines()).hasSize(1);
  }

  @Test
  void theMetricsFileIsWorldReadableKeepsOtherAccountsAndSaysZeroForNeverSucceeded()
      throws Exception {
    Path metrics = tmp.resolve("keep.prom");
    String good = Files.readString(config);
    Files.writeString(config, good.replace("printf " + TOKEN, "false"));
    CliRun home =
        CliRun.of(
            "archive", "--config", config.toString(), "home", "--metrics-file", metrics.toString());
    assertThat(home.exitCode()).as(home.describe()).isEqualTo(78);
    assertThat(Files.readString(metrics))
        .as("an account that never succeeded says 0, so the README's alert fires")
        .contains("popvault_last_success_timestamp_seconds{account=\"home\"} 0\n");
    Files.writeString(config, good);
    CliRun work =
        CliRun.of(
            "archive", "--config", config.toString(), "work", "--metrics-file", metrics.toString());
    assertThat(work.exitCode()).as(work.describe()).isZero();
    String prom = Files.readString(metrics);
    assertThat(prom)
        .contains("popvault_messages_new{account=\"work\"} 2")
        .as("the account that did not run keeps its series")
        .contains("popvault_exit_code{account=\"home\"} 78")
        .contains("popvault_last_success_timestamp_seconds{account=\"home\"} 0\n");
    assertThat(prom.indexOf("# HELP popvault_exit_code"))
        .isLessThan(prom.indexOf("popvault_exit_code{account=\"home\"}"));
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(metrics)))
        .isEqualTo("rw-r--r--");
  }

  @Test
  void aBrokenAccountsFileIsOneLineNamingLineAndColumnAndNothingElse() throws Exception {
    Path broken = tmp.resolve("broken.toml");
    Files.writeString(broken, "[work\nurl = \"pop3s://a@h\"\n");
    Files.setPosixFilePermissions(broken, PosixFilePermissions.fromString("rw-------"));
    CliRun syntax = CliRun.of("config", "check", "--config", broken.toString());
    assertThat(syntax.exitCode()).isEqualTo(78);
    assertThat(syntax.out()).isEmpty();
    assertThat(syntax.err().lines()).hasSize(1);
    assertThat(syntax.err()).contains(", line 1, column ").contains("not valid TOML");
    Path binary = tmp.resolve("binary.toml");
    Files.write(binary, new byte[] {0, (byte) 0xff, (byte) 0xfe, 'x'});
    CliRun notText = CliRun.of("config", "check", "--config", binary.toString());
    assertThat(notText.exitCode()).isEqualTo(78);
    assertThat(notText.err()).contains("is not a text file").doesNotContain("Input length");
  }

  @Test
  void aTokenCommandWithoutOAuthIsRefusedNotIgnored() throws Exception {
    CliRun line =
        CliRun.of(
            "archive",
            "pop3s://a@127.0.0.1:1",
            "--token-command",
            "printf x",
            "--archive-dir",
            tmp.resolve("unused").toString());
    assertThat(line.exitCode()).as(line.describe()).isEqualTo(64);
    assertThat(line.err())
        .contains("--token-command is used only with auth xoauth2 or oauthbearer");
    Path file = tmp.resolve("token.toml");
    Files.writeString(file, "[t]\nurl = \"pop3s://a@127.0.0.1:1\"\ntoken-command = \"printf x\"\n");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    CliRun inFile = CliRun.of("config", "check", "--config", file.toString());
    assertThat(inFile.exitCode()).as(inFile.describe()).isEqualTo(78);
    assertThat(inFile.err()).contains(":3: token-command is used only with auth xoauth2");
  }

  @Test
  void commandLineOptionsOverrideTheFile() {
    CliRun run = CliRun.of("archive", "--config", config.toString(), "work", "--no-delete");
    assertThat(run.exitCode()).as(run.describe()).isZero();
    assertThat(run.out()).contains("work: 2 new, 0 skipped, 0 deleted");
    assertThat(workBox.committedDeletions()).isEmpty();
  }

  @Test
  void configCheckPrintsEffectiveSettingsWithSecretsMasked() throws Exception {
    Files.writeString(
        config,
        Files.readString(config)
            .replace("password-command = \"printf pw-work\"", "password = \"pw-work\""));
    Files.setPosixFilePermissions(config, PosixFilePermissions.fromString("rw-r--r--"));
    CliRun refused = CliRun.of("config", "check", "--config", config.toString());
    assertThat(refused.exitCode()).isEqualTo(78);
    assertThat(refused.err()).contains("chmod 600").doesNotContain("pw-work");

    Files.setPosixFilePermissions(config, PosixFilePermissions.fromString("rw-------"));
    CliRun check = CliRun.of("config", "check", "--config", config.toString());
    assertThat(check.exitCode()).as(check.describe()).isZero();
    assertThat(check.out())
        .contains("[work]")
        .contains("password = ********")
        .contains("delete = true    # " + config + ":4")
        .doesNotContain("pw-work");
  }

  @Test
  void aPasswordFileOthersMayReadIsRefusedLikeTheAccountsFile() throws Exception {
    Path pass = tmp.resolve("pass");
    Files.writeString(pass, "pw-work\n");
    Files.setPosixFilePermissions(pass, PosixFilePermissions.fromString("rw-r--r--"));
    String[] args = {
      "archive",
      "pop3://alice@127.0.0.1:" + work.port(),
      "--allow-plaintext",
      "--archive-dir",
      tmp.resolve("archive").toString(),
      "--password-file",
      pass.toString()
    };
    CliRun refused = CliRun.of(args);
    assertThat(refused.exitCode()).as(refused.describe()).isEqualTo(78);
    assertThat(refused.err().strip())
        .endsWith(
            "password file " + pass + " is readable by group or others; run: chmod 600 " + pass)
        .doesNotContain("pw-work");
    assertThat(work.received()).noneMatch(line -> line.startsWith("USER") || line.contains("PASS"));

    Files.setPosixFilePermissions(pass, PosixFilePermissions.fromString("rw-------"));
    CliRun accepted = CliRun.of(args);
    assertThat(accepted.exitCode()).as(accepted.describe()).isZero();
  }

  @Test
  void aMechanismTheServerDoesNotOfferIsNamedWithWhatItOffers() throws Exception {
    FakeMailbox plainOnly = new FakeMailbox().capabilities("USER", "UIDL", "SASL PLAIN");
    try (ScriptedPop3Server server = ScriptedPop3Server.start(plainOnly)) {
      CliRun run =
          CliRun.of(
              "archive",
              "pop3://alice@127.0.0.1:" + server.port(),
              "--allow-plaintext",
              "--auth",
              "xoauth2",
              "--token-command",
              "printf " + TOKEN,
              "--archive-dir",
              tmp.resolve("archive").toString());
      assertThat(run.exitCode()).as(run.describe()).isEqualTo(77);
      assertThat(run.err())
          .as(run.describe())
          .contains("the server does not offer XOAUTH2 (it offers: USER, PLAIN)")
          .doesNotContain(TOKEN)
          .hasLineCount(1);
    }
  }

  @Test
  void unknownAccountAndBadKeysAreConfigErrors() throws Exception {
    CliRun unknown = CliRun.of("archive", "--config", config.toString(), "nosuch");
    assertThat(unknown.exitCode()).isEqualTo(78);
    assertThat(unknown.err()).contains("unknown account 'nosuch'");

    Files.writeString(config, Files.readString(config) + "colour = \"blue\"\n");
    CliRun bad = CliRun.of("archive", "--config", config.toString());
    assertThat(bad.exitCode()).isEqualTo(78);
    assertThat(bad.err()).contains(config + ":15").contains("unknown key 'colour'");
  }

  @Test
  void theExampleCronAndSystemdCommandsParse() throws Exception {
    Path examples = Path.of(System.getProperty("popvault.basedir", "."), "examples");
    String cron =
        Files.readAllLines(examples.resolve("crontab")).stream()
            .filter(l -> !l.startsWith("#") && !l.isBlank())
            .findFirst()
            .orElseThrow();
    String service =
        Files.readAllLines(examples.resolve("popvault.service")).stream()
            .filter(l -> l.startsWith("ExecStart="))
            .findFirst()
            .orElseThrow();
    List<String> timer = Files.readAllLines(examples.resolve("popvault.timer"));
    assertThat(timer)
        .contains("[Timer]", "WantedBy=timers.target")
        .anyMatch(l -> l.startsWith("OnCalendar="));
    assertThat(Files.readString(examples.resolve("popvault.service")))
        .contains("Type=oneshot")
        .as("SIGTERM gives a clean stop; systemd must allow it time")
        .contains("TimeoutStopSec=");
    for (String line : List.of(cron, service)) {
      String args = line.substring(line.indexOf("bin/popvault ") + "bin/popvault ".length());
      CommandLine.ParseResult parsed = Main.newCommandLine().parseArgs(args.split("\\s+"));
      assertThat(parsed.subcommand().commandSpec().name()).as(line).isEqualTo("archive");
    }
  }
}
