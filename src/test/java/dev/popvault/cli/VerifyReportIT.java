package dev.popvault.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.popvault.testsupport.CliRun;
import dev.popvault.testsupport.FakeMailbox;
import dev.popvault.testsupport.PasswordFiles;
import dev.popvault.testsupport.ScriptedPop3Server;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code verify --json} and verify's series in the metrics file: two accounts archived, one of them
 * damaged on disk; the report names the damaged one (exit 65), the metrics file gains the verify
 * series and keeps the archive series, and a later archive run keeps the verify series.
 */
class VerifyReportIT {
  @TempDir Path tmp;

  private CliRun archive(ScriptedPop3Server server, String account, String... more)
      throws Exception {
    String[] base = {
      "archive",
      "pop3://" + account + "@127.0.0.1:" + server.port(),
      "--account",
      account,
      "--allow-plaintext",
      "--password-file",
      PasswordFiles.write(tmp.resolve("pass"), "pw\n").toString(),
      "--archive-dir",
      tmp.resolve("archive").toString(),
      "--metrics-file",
      tmp.resolve("popvault.prom").toString()
    };
    String[] args = Stream.concat(Stream.of(base), Stream.of(more)).toArray(String[]::new);
    CliRun run = CliRun.of(args);
    assertThat(run.exitCode()).as(run.describe()).isZero();
    return run;
  }

  private CliRun verify() {
    return CliRun.of(
        "verify",
        "--json",
        "--archive-dir",
        tmp.resolve("archive").toString(),
        "--metrics-file",
        tmp.resolve("popvault.prom").toString());
  }

  private static FakeMailbox mailbox(String name) {
    FakeMailbox box = new FakeMailbox();
    for (int i = 0; i < 5; i++) {
      box.add(
          name + i, "Subject: " + name + " " + i + "\r\n\r\n" + ("line " + i + "\r\n").repeat(400));
    }
    return box;
  }

  private static double sample(String prom, String series, String account) {
    Matcher m =
        Pattern.compile("(?m)^" + series + "\\{account=\"" + Pattern.quote(account) + "\"} (\\S+)$")
            .matcher(prom);
    assertThat(m.find()).as(series + " for " + account + " in\n" + prom).isTrue();
    return Double.parseDouble(m.group(1));
  }

  @Test
  void verifyJsonNamesTheDamagedAccountAndItsResultGoesIntoTheMetricsFile() throws Exception {
    try (ScriptedPop3Server alpha = ScriptedPop3Server.start(mailbox("alpha"));
        ScriptedPop3Server beta = ScriptedPop3Server.start(mailbox("beta"))) {
      archive(alpha, "alpha");
      archive(beta, "beta");

      CliRun clean = verify();
      assertThat(clean.exitCode()).as(clean.describe()).isZero();
      JsonNode ok = new ObjectMapper().readTree(clean.out());
      assertThat(ok.get("ok").asBoolean()).isTrue();
      assertThat(ok.get("exit_code").asInt()).isZero();
      assertThat(ok.get("accounts")).hasSize(2);
      for (JsonNode a : ok.get("accounts")) {
        assertThat(a.get("ok").asBoolean()).isTrue();
        assertThat(a.get("messages").asInt()).isEqualTo(5);
        assertThat(a.get("frames").asInt()).isPositive();
        assertThat(a.get("files").asInt()).isEqualTo(1);
        assertThat(a.get("problems")).isEmpty();
      }

      // Damage alpha's archive on disk: a run of bytes in the middle of its only file.
      Path file;
      try (Stream<Path> files = Files.walk(tmp.resolve("archive").resolve("alpha"))) {
        file = files.filter(p -> p.toString().endsWith(".mbox.zst")).findFirst().orElseThrow();
      }
      try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
        ch.write(java.nio.ByteBuffer.wrap(new byte[] {0, 1, 2, 3, 4, 5, 6, 7}), ch.size() / 2);
      }

      CliRun damaged = verify();
      assertThat(damaged.exitCode()).as(damaged.describe()).isEqualTo(65);
      JsonNode report = new ObjectMapper().readTree(damaged.out());
      assertThat(report.get("ok").asBoolean()).isFalse();
      assertThat(report.get("exit_code").asInt()).isEqualTo(65);
      JsonNode first = report.get("accounts").get(0);
      JsonNode second = report.get("accounts").get(1);
      JsonNode alphaNode = first.get("account").asText().equals("alpha") ? first : second;
      JsonNode betaNode = alphaNode == first ? second : first;
      assertThat(alphaNode.get("ok").asBoolean()).isFalse();
      assertThat(alphaNode.get("problems")).isNotEmpty();
      assertThat(alphaNode.get("problems").get(0).asText()).contains(file.toString());
      assertThat(betaNode.get("ok").asBoolean()).isTrue();

      String prom = Files.readString(tmp.resolve("popvault.prom"));
      assertThat(sample(prom, "popvault_verify_problems", "alpha")).isPositive();
      assertThat(sample(prom, "popvault_verify_problems", "beta")).isZero();
      assertThat(sample(prom, "popvault_last_verify_timestamp_seconds", "alpha"))
          .isGreaterThan(1_700_000_000);
      // The archive runs' series stay.
      assertThat(sample(prom, "popvault_last_success_timestamp_seconds", "alpha")).isPositive();
      assertThat(sample(prom, "popvault_messages_new", "beta")).isEqualTo(5);
      assertThat(prom).contains("# TYPE popvault_verify_problems gauge");

      // An archive run of one account keeps verify's series.
      archive(beta, "beta");
      String after = Files.readString(tmp.resolve("popvault.prom"));
      assertThat(sample(after, "popvault_verify_problems", "alpha")).isPositive();
      assertThat(sample(after, "popvault_last_verify_timestamp_seconds", "beta")).isPositive();
      assertThat(sample(after, "popvault_last_success_timestamp_seconds", "alpha")).isPositive();
      assertThat(sample(after, "popvault_messages_new", "beta")).isZero();
    }
  }
}
