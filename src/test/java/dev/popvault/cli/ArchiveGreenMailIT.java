package dev.popvault.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.user.GreenMailUser;
import com.icegreen.greenmail.util.GreenMailUtil;
import com.icegreen.greenmail.util.ServerSetup;
import com.icegreen.greenmail.util.ServerSetupTest;
import dev.popvault.testsupport.CliRun;
import dev.popvault.testsupport.LedgerProbe;
import dev.popvault.testsupport.PasswordFiles;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Drives the CLI against GreenMail (in-process POP3 over real TCP): the main job and its failure
 * exits.
 */
class ArchiveGreenMailIT {
  private static final String PASSWORD = "s3cret-Pässword";

  @RegisterExtension
  static final GreenMailExtension greenMail =
      new GreenMailExtension(
          ServerSetup.dynamicPort(
              new ServerSetup[] {
                ServerSetupTest.SMTP, ServerSetupTest.POP3, ServerSetupTest.POP3S
              }));

  @TempDir Path tmp;
  private Path archiveDir;
  private Path passwordFile;
  private GreenMailUser user;

  @BeforeEach
  void setUp() throws IOException {
    archiveDir = tmp.resolve("archive");
    passwordFile = tmp.resolve("pass");
    PasswordFiles.write(passwordFile, PASSWORD + "\n");
    user = greenMail.setUser("alice@example.test", "alice", PASSWORD);
  }

  private String url() {
    return "pop3://alice@127.0.0.1:" + greenMail.getPop3().getPort();
  }

  private void deliver(int count) {
    for (int i = 0; i < count; i++) {
      user.deliver(
          GreenMailUtil.createTextEmail(
              "alice@example.test",
              "bob@example.test",
              "message " + i,
              "From the body of message " + i + "\r\n.leading dot\r\n",
              greenMail.getSmtp().getServerSetup()));
    }
  }

  private CliRun archive(String... extra) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "archive",
                url(),
                "--allow-plaintext",
                "--password-file",
                passwordFile.toString(),
                "--archive-dir",
                archiveDir.toString()));
    args.addAll(List.of(extra));
    return CliRun.of(args.toArray(String[]::new));
  }

  private Path ledger() {
    return archiveDir.resolve("ledger.db");
  }

  private List<Path> archiveFiles() throws IOException {
    try (Stream<Path> files = Files.walk(archiveDir)) {
      return files.filter(p -> p.toString().endsWith(".mbox.zst")).toList();
    }
  }

  @Test
  void archivesEverythingOnceThenSkipsAndDeletesOnlyWhatIsArchived() throws Exception {
    deliver(5);

    CliRun first = archive();
    assertThat(first.exitCode()).as(first.describe()).isZero();
    assertThat(first.out())
        .as(first.describe())
        .matches("(?s)alice@127\\.0\\.0\\.1: 5 new, 0 skipped, 0 deleted, .* MB in .* s\\n");
    assertThat(LedgerProbe.number(ledger(), "select count(*) from message")).isEqualTo(5);
    assertThat(archiveFiles()).hasSize(1);
    Path file = archiveFiles().get(0);
    assertThat(Files.getPosixFilePermissions(file))
        .isEqualTo(PosixFilePermissions.fromString("rw-------"));
    assertThat(Files.getPosixFilePermissions(file.getParent()))
        .isEqualTo(PosixFilePermissions.fromString("rwx------"));
    assertThat(Files.getPosixFilePermissions(ledger()))
        .isEqualTo(PosixFilePermissions.fromString("rw-------"));
    assertThat(greenMail.getReceivedMessages()).hasSize(5);

    CliRun second = archive();
    assertThat(second.exitCode()).as(second.describe()).isZero();
    assertThat(second.out()).as(second.describe()).contains(": 0 new, 5 skipped, 0 deleted");

    deliver(2);
    CliRun third = archive("--delete");
    assertThat(third.exitCode()).as(third.describe()).isZero();
    assertThat(third.out()).as(third.describe()).contains(": 2 new, 5 skipped, 7 deleted");
    assertThat(greenMail.getReceivedMessages()).isEmpty();
    assertThat(
            LedgerProbe.number(
                ledger(), "select count(*) from message where deleted_at is not null"))
        .isEqualTo(7);

    CliRun verify = CliRun.of("verify", "--archive-dir", archiveDir.toString());
    assertThat(verify.exitCode()).as(verify.describe()).isZero();
    assertThat(verify.out()).contains("7 message(s): OK");
  }

  @Test
  void quietPrintsNothingWhenAllIsWell() {
    deliver(1);
    CliRun run = archive("-q");
    assertThat(run.exitCode()).as(run.describe()).isZero();
    assertThat(run.out()).as(run.describe()).isEmpty();
    assertThat(run.err()).as(run.describe()).isEmpty();
  }

  @Test
  void wrongPasswordExits77WithOneLineAndDeletesNothing() throws IOException {
    deliver(2);
    PasswordFiles.write(passwordFile, "wrong-password\n");
    CliRun run = archive("--delete");
    assertThat(run.exitCode()).as(run.describe()).isEqualTo(77);
    assertThat(run.err().lines()).as(run.describe()).hasSize(1);
    assertThat(run.err()).contains("authentication failed").doesNotContain("wrong-password");
    assertThat(greenMail.getReceivedMessages()).hasSize(2);
  }

  @Test
  void serverDownExits69() throws IOException {
    int closedPort;
    try (ServerSocket s = new ServerSocket(0)) {
      closedPort = s.getLocalPort();
    }
    CliRun run =
        CliRun.of(
            "archive",
            "pop3://alice@127.0.0.1:" + closedPort,
            "--allow-plaintext",
            "--password-file",
            passwordFile.toString(),
            "--archive-dir",
            archiveDir.toString(),
            "--connect-timeout",
            "5");
    assertThat(run.exitCode()).as(run.describe()).isEqualTo(69);
    assertThat(run.err().lines()).as(run.describe()).hasSize(1);
  }

  @Test
  void untrustedCertificateExits77WithAHint() {
    deliver(1);
    CliRun run =
        CliRun.of(
            "archive",
            "pop3s://alice@127.0.0.1:" + greenMail.getPop3s().getPort(),
            "--password-file",
            passwordFile.toString(),
            "--archive-dir",
            archiveDir.toString(),
            "--delete");
    assertThat(run.exitCode()).as(run.describe()).isEqualTo(77);
    assertThat(run.err()).as(run.describe()).contains("--ca-file").contains("--fingerprint");
    assertThat(run.err().lines()).hasSize(1);
    assertThat(greenMail.getReceivedMessages()).hasSize(1);
  }

  @Test
  void plaintextWithoutStlsIsRefusedUnlessAllowed() {
    deliver(1);
    CliRun run =
        CliRun.of(
            "archive",
            url(),
            "--password-file",
            passwordFile.toString(),
            "--archive-dir",
            archiveDir.toString());
    assertThat(run.exitCode()).as(run.describe()).isEqualTo(77);
    assertThat(run.err()).contains("--allow-plaintext");
  }

  @Test
  void unusableArchiveDirExits74AndDeletesNothing() throws IOException {
    deliver(2);
    Path notADirectory = tmp.resolve("plain-file");
    Files.writeString(notADirectory, "x");
    CliRun run =
        CliRun.of(
            "archive",
            url(),
            "--allow-plaintext",
            "--password-file",
            passwordFile.toString(),
            "--archive-dir",
            notADirectory.resolve("archive").toString(),
            "--delete");
    assertThat(run.exitCode()).as(run.describe()).isEqualTo(74);
    assertThat(run.err().lines()).as(run.describe()).hasSize(1);
    assertThat(greenMail.getReceivedMessages()).hasSize(2);
  }

  @Test
  void oneVShowsWhatTheRunDoesWithoutTheDialogue() {
    deliver(2);
    CliRun run = archive("-v");
    assertThat(run.exitCode()).as(run.describe()).isZero();
    assertThat(run.err())
        .contains("logged in to 127.0.0.1")
        .contains("2 to fetch")
        .contains("committed 2 messages")
        .doesNotContain("RETR");
  }

  @Test
  void verboseLogShowsTheDialogueButNeverThePassword() throws IOException {
    deliver(1);
    CliRun run = archive("-vv");
    assertThat(run.exitCode()).as(run.describe()).isZero();
    assertThat(run.err()).contains("UIDL").contains("RETR");
    assertThat(run.err() + run.out()).doesNotContain(PASSWORD);
    byte[] ledgerBytes = Files.readAllBytes(ledger());
    assertThat(new String(ledgerBytes, StandardCharsets.ISO_8859_1)).doesNotContain("s3cret");
  }
}
