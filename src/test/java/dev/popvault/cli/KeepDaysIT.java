package dev.popvault.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.popvault.testsupport.CliRun;
import dev.popvault.testsupport.DovecotServer;
import dev.popvault.testsupport.LedgerProbe;
import dev.popvault.testsupport.PasswordFiles;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code keep-days} against a real Dovecot: a message leaves the server only once it was first
 * archived N days ago (and its copy read back, the deletion rule). Time is moved by back-dating the
 * ledger's first-archived times, the fact retention reads; the unit test {@code
 * ArchiveRunTest#keepDays…} moves the run's clock instead.
 */
class KeepDaysIT {
  private static final String PASSWORD = "dovecot-Pa55";
  private static final long DAY_MS = 86_400_000L;
  private static final ObjectMapper JSON = new ObjectMapper();
  @TempDir Path serverDir;
  @TempDir Path tmp;
  private DovecotServer dovecot;
  private Path config;
  private Path ledger;

  @BeforeEach
  void archiveThreeAndBackDateTwo() throws Exception {
    dovecot = DovecotServer.start(serverDir);
    dovecot.addUser("keeper", PASSWORD);
    for (String uidl : new String[] {"old-1", "old-2", "recent"}) {
      dovecot.deliver(
          "keeper",
          uidl,
          ("Subject: " + uidl + "\r\nDate: Mon, 01 Jan 2024 10:00:00 +0000\r\n\r\nbody\r\n")
              .getBytes(StandardCharsets.US_ASCII));
    }
    Path passwordFile = tmp.resolve("pass");
    PasswordFiles.write(passwordFile, PASSWORD + "\n");
    Path archiveDir = tmp.resolve("archive");
    ledger = archiveDir.resolve("ledger.db");
    config = tmp.resolve("config.toml");
    Files.writeString(
        config,
        """
        [work]
        url = "pop3://keeper@127.0.0.1:%d"
        ca-file = "%s"
        password-file = "%s"
        archive-dir = "%s"
        keep-days = 30
        """
            .formatted(dovecot.pop3Port(), dovecot.caFile(), passwordFile, archiveDir));
    Files.setPosixFilePermissions(config, PosixFilePermissions.fromString("rw-------"));
    CliRun first = CliRun.of("archive", "--config", config.toString(), "work");
    assertThat(first.exitCode()).as(first.describe()).isZero();
    assertThat(first.out()).contains(": 3 new, 0 skipped, 0 deleted");
    LedgerProbe.execute(
        ledger,
        "UPDATE message SET archived_at = archived_at - 40 * "
            + DAY_MS
            + " WHERE uidl IN ('old-1', 'old-2')");
  }

  @AfterEach
  void stopDovecot() {
    dovecot.close();
  }

  @Test
  void listShowsWhatIsDueAndArchiveDeletesOnlyThat() throws Exception {
    CliRun list = CliRun.of("list", "--config", config.toString(), "work", "--json");
    assertThat(list.exitCode()).as(list.describe()).isZero();
    JsonNode report = JSON.readTree(list.out());
    Map<String, String> states = new HashMap<>();
    report
        .get("messages")
        .forEach(r -> states.put(r.get("uidl").asText(), r.get("state").asText()));
    assertThat(states).containsEntry("old-1", "due").containsEntry("old-2", "due");
    assertThat(states).containsEntry("recent", "archived");
    assertThat(report.get("total").get("due").asInt()).isEqualTo(2);
    assertThat(dovecot.remainingMessages("keeper")).hasSize(3);

    CliRun archive = CliRun.of("archive", "--config", config.toString(), "work", "-v");

    assertThat(archive.exitCode()).as(archive.describe()).isZero();
    assertThat(archive.out()).contains(": 0 new, 3 skipped, 2 deleted");
    assertThat(archive.err()).contains("archived less than 30 days ago");
    assertThat(dovecot.remainingMessages("keeper")).containsExactly("recent");
    assertThat(LedgerProbe.column(ledger, "SELECT uidl FROM message WHERE deleted_at IS NOT NULL"))
        .containsExactlyInAnyOrder("old-1", "old-2");
  }

  @Test
  void theCommandLineCanShortenTheKeepAndNothingIsDueBeforeItsTime() throws Exception {
    CliRun longer =
        CliRun.of("archive", "--config", config.toString(), "work", "--keep-days", "41");
    assertThat(longer.exitCode()).as(longer.describe()).isZero();
    assertThat(longer.out()).contains("0 deleted");
    assertThat(dovecot.remainingMessages("keeper")).hasSize(3);

    CliRun shorter =
        CliRun.of("archive", "--config", config.toString(), "work", "--keep-days", "39");
    assertThat(shorter.exitCode()).as(shorter.describe()).isZero();
    assertThat(shorter.out()).contains("2 deleted");
    assertThat(dovecot.remainingMessages("keeper")).containsExactly("recent");
  }

  @Test
  void aKeepOfZeroDaysIsRefusedWithTheDeleteOptionNamed() {
    CliRun zero = CliRun.of("archive", "--config", config.toString(), "work", "--keep-days", "0");

    assertThat(zero.exitCode()).isEqualTo(64);
    assertThat(zero.err()).contains("--keep-days").doesNotContain("Exception");
    assertThat(dovecot.remainingMessages("keeper")).hasSize(3);
  }
}
