package dev.popvault.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.popvault.testsupport.CliRun;
import dev.popvault.testsupport.DovecotServer;
import dev.popvault.testsupport.LedgerProbe;
import dev.popvault.testsupport.PasswordFiles;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code archive} with selectors against a real Dovecot: only the chosen messages are fetched (and,
 * with {@code --delete}, deleted); the others stay on the server unread (Dovecot sets the maildir
 * flag S on RETR, never on TOP), and a later run without selectors fetches them once.
 */
class ArchiveSelectIT {
  private static final String PASSWORD = "dovecot-Pa55";
  private static final String USER = "chooser";
  @TempDir Path serverDir;
  @TempDir Path work;
  private DovecotServer dovecot;
  private Path archiveDir;

  @BeforeEach
  void mailbox() throws Exception {
    dovecot = DovecotServer.start(serverDir);
    dovecot.addUser(USER, PASSWORD);
    PasswordFiles.write(work.resolve("pass"), PASSWORD + "\n");
    archiveDir = work.resolve("archive");
    deliver(
        "boss-1", "From: The Boss <boss@example.com>\r\nSubject: =?UTF-8?Q?r=C3=A9sum=C3=A9?=\r\n");
    deliver("other", "From: someone@example.org\r\nSubject: hello\r\n");
    deliver("boss-2", "From: boss@example.com\r\nSubject: again\r\n");
    dovecot.deliver(
        USER,
        "huge",
        ("From: big@example.org\r\nSubject: film\r\n\r\n" + "x".repeat(2_000_000) + "\r\n")
            .getBytes(StandardCharsets.US_ASCII));
  }

  @AfterEach
  void stop() {
    dovecot.close();
  }

  private void deliver(String uidl, String headers) {
    dovecot.deliver(
        USER,
        uidl,
        (headers + "Date: Tue, 02 Jan 2024 10:00:00 +0100\r\n\r\nbody of " + uidl + "\r\n")
            .getBytes(StandardCharsets.UTF_8));
  }

  private CliRun run(String... extra) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "archive",
                "pop3://" + USER + "@127.0.0.1:" + dovecot.pop3Port(),
                "--ca-file",
                dovecot.caFile().toString(),
                "--password-file",
                work.resolve("pass").toString(),
                "--archive-dir",
                archiveDir.toString()));
    args.addAll(List.of(extra));
    return CliRun.of(args.toArray(String[]::new));
  }

  private List<String> archived() {
    return LedgerProbe.column(
        archiveDir.resolve("ledger.db"), "SELECT uidl FROM message ORDER BY uidl");
  }

  @Test
  void onlyTheChosenMessagesAreFetchedTheOthersStayUnreadAndComeNextTimeOnce() {
    CliRun chosen = run("--from", "BOSS@example.com");

    assertThat(chosen.exitCode()).as(chosen.describe()).isZero();
    assertThat(archived()).containsExactly("boss-1", "boss-2");
    assertThat(dovecot.flags(USER, "boss-1")).contains("S");
    assertThat(dovecot.flags(USER, "other")).doesNotContain("S");
    assertThat(dovecot.flags(USER, "huge")).doesNotContain("S");
    assertThat(dovecot.remainingMessages(USER)).hasSize(4);

    CliRun rest = run();
    assertThat(rest.exitCode()).as(rest.describe()).isZero();
    assertThat(archived()).containsExactly("boss-1", "boss-2", "huge", "other");
  }

  @Test
  void withDeleteOnlyChosenArchivedMessagesAreDeleted() {
    CliRun first = run();
    assertThat(first.exitCode()).as(first.describe()).isZero();

    CliRun big = run("--larger-than", "1M", "--delete");

    assertThat(big.exitCode()).as(big.describe()).isZero();
    assertThat(dovecot.remainingMessages(USER)).containsExactly("boss-1", "boss-2", "other");
    assertThat(
            LedgerProbe.column(
                archiveDir.resolve("ledger.db"),
                "SELECT uidl FROM message WHERE deleted_at IS NOT NULL"))
        .containsExactly("huge");
  }

  @Test
  void subjectSelectsByTheDecodedSubject() {
    CliRun chosen = run("--subject", "RÉSUMÉ");

    assertThat(chosen.exitCode()).as(chosen.describe()).isZero();
    assertThat(archived()).containsExactly("boss-1");
  }
}
