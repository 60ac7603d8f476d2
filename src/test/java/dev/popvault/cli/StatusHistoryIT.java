package dev.popvault.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.popvault.testsupport.CliRun;
import dev.popvault.testsupport.FakeMailbox;
import dev.popvault.testsupport.LedgerProbe;
import dev.popvault.testsupport.PasswordFiles;
import dev.popvault.testsupport.ScriptedPop3Server;
import java.net.SocketException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code status} and {@code history} after real runs against a scripted server: archive, a failed
 * login, a delete with an unarchived message, a LOGIN-DELAY; what they report must match the ledger
 * and the files.
 */
class StatusHistoryIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  @TempDir Path tmp;

  @Test
  void aFirstRunThatNeverLoggedInLeavesNoAccountBehind() throws Exception {
    FakeMailbox box = new FakeMailbox().password("right-pw");
    box.add("p1", "Subject: phantom\r\n\r\nbody\r\n");
    try (ScriptedPop3Server server = ScriptedPop3Server.start(box)) {
      Path archive = tmp.resolve("archive");
      Path wrong = tmp.resolve("wrong");
      PasswordFiles.write(wrong, "wrong-pw\n");
      String url = "pop3://phantom@127.0.0.1:" + server.port();
      CliRun failed = archiveAs(url, wrong, archive);
      assertThat(failed.exitCode()).as(failed.describe()).isEqualTo(77);
      Path ledger = archive.resolve("ledger.db");
      assertThat(LedgerProbe.column(ledger, "select name from account")).isEmpty();
      assertThat(LedgerProbe.column(ledger, "select id from run")).isEmpty();
      CliRun status = CliRun.of("status", "--archive-dir", archive.toString());
      assertThat(status.out()).contains("no account has been archived yet");
      CliRun verify = CliRun.of("verify", "--archive-dir", archive.toString());
      assertThat(verify.exitCode()).as(verify.describe()).isZero();
      assertThat(verify.out() + verify.err()).doesNotContain("phantom");

      Path right = tmp.resolve("right");
      PasswordFiles.write(right, "right-pw\n");
      CliRun ok = archiveAs(url, right, archive);
      assertThat(ok.exitCode()).as(ok.describe()).isZero();
      CliRun failedLater = archiveAs(url, wrong, archive);
      assertThat(failedLater.exitCode()).isEqualTo(77);
      assertThat(LedgerProbe.column(ledger, "select name from account"))
          .as("an account that was reached stays, with its failed run")
          .containsExactly("phantom@127.0.0.1");
      assertThat(LedgerProbe.column(ledger, "select outcome from run order by id"))
          .containsExactly("ok", "failed");
    }
  }

  private static CliRun archiveAs(String url, Path passwordFile, Path archive) {
    return CliRun.of(
        "archive",
        url,
        "--allow-plaintext",
        "--password-file",
        passwordFile.toString(),
        "--archive-dir",
        archive.toString());
  }

  @Test
  void statusAndHistoryReportWhatTheRunsDidAndWhatIsDue() throws Exception {
    FakeMailbox box = new FakeMailbox().password("right-pw");
    for (int i = 1; i <= 4; i++) {
      box.add("s" + i, "Subject: status " + i + "\r\n\r\nbody " + i + "\r\n");
    }
    ScriptedPop3Server.Script tolerant =
        c -> {
          try {
            box.run(c);
          } catch (SocketException e) {
            // The client went away.
          }
        };
    try (ScriptedPop3Server server = ScriptedPop3Server.start(tolerant)) {
      Path archive = tmp.resolve("archive");
      Path pass = tmp.resolve("pass");
      PasswordFiles.write(pass, "right-pw\n");
      Path wrong = tmp.resolve("wrong");
      PasswordFiles.write(wrong, "wrong-pw\n");
      Path config = tmp.resolve("config.toml");
      Files.writeString(
          config,
          """
          [defaults]
          archive-dir = "%s"

          [st]
          url = "pop3://st@127.0.0.1:%d"
          allow-plaintext = true
          password-file = "%s"
          keep-days = 30
          """
              .formatted(archive, server.port(), pass));
      Files.setPosixFilePermissions(config, PosixFilePermissions.fromString("rw-------"));

      CliRun archived = CliRun.of("archive", "--config", config.toString(), "st");
      assertThat(archived.exitCode()).as(archived.describe()).isZero();
      CliRun failed =
          CliRun.of(
              "archive", "--config", config.toString(), "st", "--password-file", wrong.toString());
      assertThat(failed.exitCode()).as(failed.describe()).isEqualTo(77);
      box.add("s5", "Subject: late\r\n\r\nlate\r\n");
      LedgerProbe.execute(
          archive.resolve("ledger.db"),
          "UPDATE message SET archived_at = archived_at - 40 * 86400000 WHERE uidl = 's1'");
      CliRun delete =
          CliRun.of(
              "delete",
              "--config",
              config.toString(),
              "st",
              "--uidl",
              "s2",
              "--uidl",
              "s5",
              "--unarchived-too",
              "--yes");
      assertThat(delete.exitCode()).as(delete.describe()).isZero();

      CliRun status = CliRun.of("status", "--config", config.toString(), "--json");
      assertThat(status.exitCode()).as(status.describe()).isZero();
      JsonNode accounts = JSON.readTree(status.out()).get("accounts");
      assertThat(accounts).hasSize(1);
      JsonNode st = accounts.get(0);
      assertThat(st.get("account").asText()).isEqualTo("st");
      assertThat(st.get("messages").asLong()).isEqualTo(4);
      assertThat(st.get("bytes").asLong())
          .isEqualTo(
              LedgerProbe.number(
                  archive.resolve("ledger.db"), "SELECT sum(wire_length) FROM message"));
      assertThat(st.get("deleted").asLong()).isEqualTo(1);
      assertThat(st.get("unarchived_deleted").asLong()).isEqualTo(1);
      assertThat(st.get("files").asLong()).isEqualTo(1);
      assertThat(st.get("bytes_on_disk").asLong()).isPositive();
      assertThat(st.get("last_run").get("kind").asText()).isEqualTo("delete");
      assertThat(st.get("last_failure").get("exit_code").asInt()).isEqualTo(77);
      assertThat(st.get("last_failure").get("error").asText()).isNotBlank();
      // keep-days 30: s1 was archived 40 days ago and is still on the server; s2 is deleted.
      assertThat(st.get("due").asLong()).isEqualTo(1);

      CliRun text = CliRun.of("status", "--config", config.toString(), "st");
      assertThat(text.out()).contains("st (st@127.0.0.1:").contains("4 messages").contains("due");

      CliRun history = CliRun.of("history", "--config", config.toString(), "--json");
      assertThat(history.exitCode()).as(history.describe()).isZero();
      List<String> kinds = new ArrayList<>();
      for (JsonNode run : JSON.readTree(history.out()).get("runs")) {
        kinds.add(run.get("kind").asText() + " " + run.get("outcome").asText());
      }
      assertThat(kinds).containsExactly("delete ok", "archive failed", "archive ok");

      CliRun limited = CliRun.of("history", "--config", config.toString(), "--limit", "1");
      assertThat(limited.out()).contains("delete").doesNotContain("failed");
      CliRun unknown = CliRun.of("status", "--config", config.toString(), "nobody");
      assertThat(unknown.exitCode()).as(unknown.describe()).isEqualTo(64);
    }
  }
}
