package dev.popvault.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.popvault.testsupport.CliRun;
import dev.popvault.testsupport.FakeMailbox;
import dev.popvault.testsupport.LedgerProbe;
import dev.popvault.testsupport.ScriptedPop3Server;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One mailbox, one account (issue 9 item 6): a mailbox already archived is recognised under a URL,
 * refused under a new name before any credential is sent, movable with {@code popvault rename}
 * (also after an interrupted rename); another port is another mailbox unless named; and an account
 * keeps the codec of its current file unless {@code --codec} says otherwise.
 */
class AccountIdentityIT {
  private static final String DERIVED = "alice@127.0.0.1";

  @TempDir Path tmp;
  private Path archiveDir;
  private FakeMailbox box;

  @BeforeEach
  void setUp() {
    archiveDir = tmp.resolve("archive");
    box = new FakeMailbox();
    for (int i = 1; i <= 3; i++) {
      add(i);
    }
  }

  private void add(int i) {
    box.add("u" + i, "Message-ID: <m" + i + "@x>\r\nSubject: message " + i + "\r\n\r\nbody\r\n");
  }

  private CliRun archive(int port, String... extra) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "archive",
                "pop3://alice@127.0.0.1:" + port,
                "--allow-plaintext",
                "--archive-dir",
                archiveDir.toString(),
                "--password-command",
                "printf pw"));
    args.addAll(Arrays.asList(extra));
    return CliRun.of(args.toArray(String[]::new));
  }

  private CliRun popvault(String... args) {
    List<String> all = new ArrayList<>(Arrays.asList(args));
    all.addAll(List.of("--archive-dir", archiveDir.toString()));
    return CliRun.of(all.toArray(String[]::new));
  }

  private Path ledger() {
    return archiveDir.resolve("ledger.db");
  }

  private List<String> accounts() {
    return LedgerProbe.column(ledger(), "select name || ' ' || port from account order by name");
  }

  /** Every regular file under the archive directory but the ledger and locks, with its size. */
  private Map<String, Long> archiveFiles() throws IOException {
    Map<String, Long> files = new TreeMap<>();
    if (!Files.isDirectory(archiveDir)) {
      return files;
    }
    try (Stream<Path> walk = Files.walk(archiveDir)) {
      for (Path p : walk.filter(Files::isRegularFile).toList()) {
        String rel = archiveDir.relativize(p).toString();
        if (rel.contains(".mbox")) {
          files.put(rel, Files.size(p));
        }
      }
    }
    return files;
  }

  private static List<String> loginsAndFetches(List<String> received) {
    return received.stream()
        .filter(l -> l.matches("(?i)(USER|PASS|AUTH|APOP|UIDL|LIST|RETR|DELE|TOP)( .*)?"))
        .toList();
  }

  @Test
  void aKnownMailboxUnderANewNameIsRefusedBeforeLogin() throws Exception {
    try (ScriptedPop3Server server = ScriptedPop3Server.start(box)) {
      CliRun first = archive(server.port());
      assertThat(first.exitCode()).as(first.describe()).isZero();
      assertThat(first.out()).contains(DERIVED + ": 3 new");
      Map<String, Long> files = archiveFiles();
      int before = server.received().size();

      CliRun renamed = archive(server.port(), "--account", "work", "--delete");
      assertThat(renamed.exitCode()).as(renamed.describe()).isEqualTo(78);
      assertThat(renamed.err().lines()).as(renamed.describe()).hasSize(1);
      assertThat(renamed.err())
          .contains("is already archived as account \"" + DERIVED + "\" (3 messages)")
          .contains("--account " + DERIVED)
          .contains("popvault rename " + DERIVED + " work");

      Path config = tmp.resolve("config.toml");
      Files.writeString(
          config,
          "[work]\nurl = \"pop3://alice@127.0.0.1:"
              + server.port()
              + "\"\nallow-plaintext = true\npassword-command = \"printf pw\"\ndelete = true\n");
      CliRun fromFile = popvault("archive", "work", "--config", config.toString());
      assertThat(fromFile.exitCode()).as(fromFile.describe()).isEqualTo(78);
      assertThat(fromFile.err()).contains("popvault rename " + DERIVED + " work");

      server.finish();
      assertThat(loginsAndFetches(server.received().subList(before, server.received().size())))
          .as("no credential, listing or download after the refusal")
          .isEmpty();
      assertThat(box.committedDeletions()).as("nothing deleted").isEmpty();
      assertThat(accounts()).containsExactly(DERIVED + " " + server.port());
      assertThat(archiveFiles()).as("no file written").isEqualTo(files);
      assertThat(Files.exists(archiveDir.resolve("work"))).isFalse();
    }
  }

  @Test
  void aUrlRunArchivesIntoTheAccountThatAlreadyHoldsItsMailbox() throws Exception {
    try (ScriptedPop3Server server = ScriptedPop3Server.start(box)) {
      CliRun named = archive(server.port(), "--account", "work");
      assertThat(named.exitCode()).as(named.describe()).isZero();
      add(4);
      CliRun url = archive(server.port(), "-v");
      assertThat(url.exitCode()).as(url.describe()).isZero();
      assertThat(url.out()).contains("work: 1 new, 3 skipped");
      assertThat(url.err()).contains("is archived as account \"work\"");
      server.finish();
      assertThat(server.received().stream().filter(l -> l.startsWith("RETR")).count())
          .as("each message downloaded once")
          .isEqualTo(4);
    }
    assertThat(accounts()).hasSize(1);
    assertThat(Files.exists(archiveDir.resolve(DERIVED))).isFalse();
  }

  @Test
  void anotherPortIsAnotherMailboxUnlessItIsNamed() throws Exception {
    FakeMailbox other = new FakeMailbox().add("u1", "Subject: other\r\n\r\nother\r\n");
    try (ScriptedPop3Server first = ScriptedPop3Server.start(box);
        ScriptedPop3Server second = ScriptedPop3Server.start(other)) {
      assertThat(archive(first.port()).exitCode()).isZero();

      CliRun unnamed = archive(second.port());
      assertThat(unnamed.exitCode()).as(unnamed.describe()).isEqualTo(78);
      assertThat(unnamed.err())
          .contains("port " + second.port() + " counts as another mailbox")
          .contains("--account NAME");
      second.finish();
      assertThat(loginsAndFetches(second.received())).isEmpty();
    }
    try (ScriptedPop3Server second = ScriptedPop3Server.start(new FakeMailbox().add("u1", "x"))) {
      CliRun separate = archive(second.port(), "--account", "second");
      assertThat(separate.exitCode()).as(separate.describe()).isZero();
      assertThat(separate.out()).contains("second: 1 new");
      assertThat(accounts()).hasSize(2).contains("second " + second.port());
    }
  }

  @Test
  void namingTheAccountMovesItToAnotherPortWithoutDownloadingAgain() throws Exception {
    int oldPort;
    try (ScriptedPop3Server first = ScriptedPop3Server.start(box)) {
      oldPort = first.port();
      assertThat(archive(oldPort).exitCode()).isZero();
    }
    try (ScriptedPop3Server moved = ScriptedPop3Server.start(box)) {
      CliRun run = archive(moved.port(), "--account", DERIVED, "-v");
      assertThat(run.exitCode()).as(run.describe()).isZero();
      assertThat(run.out()).contains(DERIVED + ": 0 new, 3 skipped");
      assertThat(run.err()).contains("now archives alice@127.0.0.1:" + moved.port());
      assertThat(accounts()).containsExactly(DERIVED + " " + moved.port());
      assertThat(moved.port()).isNotEqualTo(oldPort);
    }
  }

  @Test
  void renameMovesTheFilesAndTheLedgerAndTheNextRunDownloadsNothing() throws Exception {
    try (ScriptedPop3Server server = ScriptedPop3Server.start(box)) {
      assertThat(archive(server.port()).exitCode()).isZero();
      Map<String, Long> before = archiveFiles();
      assertThat(before).hasSize(1);

      Files.createDirectories(archiveDir.resolve("busy"));
      Files.writeString(archiveDir.resolve("busy").resolve("x"), "x");
      CliRun dirExists = popvault("rename", DERIVED, "busy");
      assertThat(dirExists.exitCode()).as(dirExists.describe()).isEqualTo(78);
      assertThat(dirExists.err()).contains("exists already");
      assertThat(LedgerProbe.number(ledger(), "select count(*) from account_rename")).isZero();
      assertThat(archiveFiles()).isEqualTo(before);

      CliRun rename = popvault("rename", DERIVED, "work");
      assertThat(rename.exitCode()).as(rename.describe()).isZero();
      assertThat(rename.out()).contains("renamed account \"" + DERIVED + "\" to \"work\"");

      Map<String, Long> expected = new TreeMap<>();
      before.forEach((k, v) -> expected.put(k.replaceFirst("^[^/]+/", "work/"), v));
      assertThat(archiveFiles()).isEqualTo(expected);
      assertThat(Files.exists(archiveDir.resolve(DERIVED))).isFalse();
      assertThat(accounts()).containsExactly("work " + server.port());
      assertThat(LedgerProbe.column(ledger(), "select path from archive_file"))
          .allMatch(p -> p.startsWith("work/"));
      assertThat(LedgerProbe.number(ledger(), "select count(*) from account_rename")).isZero();

      CliRun next = archive(server.port(), "--account", "work", "--delete");
      assertThat(next.exitCode()).as(next.describe()).isZero();
      assertThat(next.out()).contains("work: 0 new, 3 skipped, 3 deleted");
      server.finish();
      assertThat(server.received().stream().filter(l -> l.startsWith("RETR")).count())
          .as("downloaded once, before the rename")
          .isEqualTo(3);
    }
    CliRun verify = popvault("verify");
    assertThat(verify.exitCode()).as(verify.describe()).isZero();
    assertThat(verify.out()).contains("3 message(s): OK");
  }

  /**
   * The states a rename killed part-way leaves: the ledger has recorded the unfinished rename, and
   * the directory has moved or not. Archive runs refuse both names; the same rename finishes it.
   */
  @Test
  void anInterruptedRenameIsFinishedByRunningItAgain() throws Exception {
    for (boolean moved : new boolean[] {true, false}) {
      Path dir = tmp.resolve(moved ? "moved" : "not-moved");
      archiveDir = dir;
      try (ScriptedPop3Server server = ScriptedPop3Server.start(box)) {
        assertThat(archive(server.port()).exitCode()).isZero();
        Map<String, Long> before = archiveFiles();
        simulateKilledRename(DERIVED, "work", moved);
        Map<String, Long> halfway = archiveFiles();

        for (String[] extra : new String[][] {{}, {"--account", DERIVED}, {"--account", "work"}}) {
          CliRun refused = archive(server.port(), extra);
          assertThat(refused.exitCode()).as(moved + " " + refused.describe()).isEqualTo(78);
          assertThat(refused.err())
              .as(refused.describe())
              .contains("did not finish")
              .contains("popvault rename " + DERIVED + " work");
        }
        assertThat(archiveFiles()).as("nothing written meanwhile").isEqualTo(halfway);

        CliRun again = popvault("rename", DERIVED, "work");
        assertThat(again.exitCode()).as(again.describe()).isZero();
        Map<String, Long> expected = new TreeMap<>();
        before.forEach((k, v) -> expected.put(k.replaceFirst("^[^/]+/", "work/"), v));
        assertThat(archiveFiles()).isEqualTo(expected);
        assertThat(accounts()).containsExactly("work " + server.port());

        CliRun next = archive(server.port());
        assertThat(next.exitCode()).as(next.describe()).isZero();
        assertThat(next.out()).contains("work: 0 new, 3 skipped");
        CliRun verify = popvault("verify");
        assertThat(verify.exitCode()).as(verify.describe()).isZero();
      }
    }
  }

  @Test
  void renameRecognisesADirectoryTheUserMovedByHand() throws Exception {
    try (ScriptedPop3Server server = ScriptedPop3Server.start(box)) {
      assertThat(archive(server.port()).exitCode()).isZero();
      Files.move(archiveDir.resolve(DERIVED), archiveDir.resolve("work"));
      CliRun rename = popvault("rename", DERIVED, "work");
      assertThat(rename.exitCode()).as(rename.describe()).isZero();
      CliRun next = archive(server.port());
      assertThat(next.out()).as(next.describe()).contains("work: 0 new, 3 skipped");
    }
  }

  /** Leaves the ledger and the disk as a rename killed after its first step (or its second). */
  private void simulateKilledRename(String from, String to, boolean moveDirectory)
      throws Exception {
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + ledger());
        Statement s = c.createStatement()) {
      s.executeUpdate(
          "INSERT INTO account_rename(account_id, new_name, old_dir, new_dir)"
              + " SELECT id, '"
              + to
              + "', '"
              + from
              + "', '"
              + to
              + "' FROM account WHERE name = '"
              + from
              + "'");
    }
    if (moveDirectory) {
      Files.move(archiveDir.resolve(from), archiveDir.resolve(to));
    }
  }

  @Test
  void theCodecOfTheCurrentFileIsKeptUnlessAnotherIsChosen() throws Exception {
    try (ScriptedPop3Server server = ScriptedPop3Server.start(box)) {
      CliRun xz = archive(server.port(), "--codec", "xz");
      assertThat(xz.exitCode()).as(xz.describe()).isZero();
      add(4);
      CliRun plain = archive(server.port(), "-v");
      assertThat(plain.exitCode()).as(plain.describe()).isZero();
      assertThat(plain.out()).contains("1 new, 3 skipped");
      assertThat(plain.err()).contains("keeping codec xz");
      assertThat(archiveFiles().keySet()).hasSize(1).allMatch(p -> p.endsWith(".mbox.xz"));
      assertThat(LedgerProbe.column(ledger(), "select codec from archive_file"))
          .containsExactly("xz");

      add(5);
      CliRun gzip = archive(server.port(), "--codec", "gzip", "-v");
      assertThat(gzip.exitCode()).as(gzip.describe()).isZero();
      assertThat(archiveFiles().keySet())
          .hasSize(2)
          .anyMatch(p -> p.endsWith(".mbox.xz"))
          .anyMatch(p -> p.endsWith(".mbox.gz"));
      assertThat(gzip.err()).contains("codec gzip chosen; new mail goes to a new .mbox.gz file");

      add(6);
      CliRun after = archive(server.port());
      assertThat(after.exitCode()).as(after.describe()).isZero();
      assertThat(LedgerProbe.number(ledger(), "select count(*) from archive_file")).isEqualTo(2);
      assertThat(
              LedgerProbe.number(
                  ledger(),
                  "select count(*) from message m join frame f on m.frame_id = f.id"
                      + " join archive_file a on f.file_id = a.id where a.codec = 'gzip'"))
          .as("the gzip file continues")
          .isEqualTo(2);
    }
    CliRun verify = popvault("verify");
    assertThat(verify.exitCode()).as(verify.describe()).isZero();
    assertThat(verify.out()).contains("6 message(s): OK");
  }
}
