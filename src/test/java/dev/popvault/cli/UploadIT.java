package dev.popvault.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.popvault.testsupport.CliRun;
import dev.popvault.testsupport.Corpus;
import dev.popvault.testsupport.CorpusMessage;
import dev.popvault.testsupport.DovecotServer;
import dev.popvault.testsupport.ImapFolders;
import dev.popvault.testsupport.ImapKillProxy;
import dev.popvault.testsupport.PasswordFiles;
import jakarta.mail.Folder;
import jakarta.mail.Message;
import jakarta.mail.Store;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code popvault upload} to a real Dovecot IMAP server: every archived message (the hostile corpus
 * included) fetched back with BODY[] is byte-identical; a second run adds nothing; and SIGKILL at
 * 15 points of an upload (before an APPEND, halfway through its message, before and after the
 * client hears the server's OK), followed by a plain re-run, leaves every message exactly once in
 * the folder: no duplicate, none missing.
 */
class UploadIT {
  private static final String PASSWORD = "dovecot-Pa55";
  private static final String TARGET_PASSWORD = "imap-Pa55";
  private static DovecotServer dovecot;

  /** SHA-256 → count of the bytes the folder must give back (see archiveTheCorpus). */
  private static final Map<String, Integer> SENT = new TreeMap<>();

  private static final Map<String, String> NAMES = new HashMap<>();
  @TempDir static Path serverDir;
  @TempDir static Path work;

  @BeforeAll
  static void archiveTheCorpus() throws Exception {
    dovecot = DovecotServer.start(serverDir);
    dovecot.addUser("mover", PASSWORD);
    dovecot.addUser("target", TARGET_PASSWORD);
    Thread.sleep(1100); // Dovecot re-reads its passwd-file about once a second.
    List<CorpusMessage> corpus = new ArrayList<>(Corpus.standard(21, false));
    corpus.add(
        new CorpusMessage(
            "dated",
            ("From: Dora <dora@example.org>\r\nSubject: dated\r\nMessage-ID: <dated@example.org>\r\n"
                    + "Date: Sun, 10 Mar 2024 10:00:00 +0000\r\n\r\nWhen.\r\n")
                .getBytes(StandardCharsets.US_ASCII)));
    for (CorpusMessage m : corpus) {
      dovecot.deliver("mover", m.name(), m.content());
      // IMAP4rev1 cannot carry NUL (RFC 3501 CHAR8): Dovecot keeps the uploaded bytes but gives
      // NUL back as 0x80 in BODY[]; every other byte must come back exactly.
      byte[] back = Corpus.expectedWireBytes(m.content());
      for (int i = 0; i < back.length; i++) {
        back[i] = back[i] == 0 ? (byte) 0x80 : back[i];
      }
      SENT.merge(sha256(back), 1, Integer::sum);
      NAMES.put(sha256(back), m.name());
    }
    PasswordFiles.write(work.resolve("pass"), PASSWORD + "\n");
    PasswordFiles.write(work.resolve("imap-pass"), TARGET_PASSWORD + "\n");
    CliRun archive =
        CliRun.archive(dovecot, "mover", work.resolve("pass"), work.resolve("archive"));
    assertThat(archive.exitCode()).as(archive.describe()).isZero();
  }

  @AfterAll
  static void stop() {
    if (dovecot != null) {
      dovecot.close();
    }
  }

  private static CliRun upload(String folder, String... more) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "upload",
                "--to",
                "imap://target@127.0.0.1:" + dovecot.imapPort() + "/" + folder,
                "--ca-file",
                dovecot.caFile().toString(),
                "--password-file",
                work.resolve("imap-pass").toString(),
                "--archive-dir",
                work.resolve("archive").toString()));
    args.addAll(List.of(more));
    return CliRun.of(args.toArray(String[]::new));
  }

  private static Map<String, Integer> folder(String name) throws Exception {
    return ImapFolders.digests(dovecot, "target", TARGET_PASSWORD, name);
  }

  private static Instant internalDateOf(String folderName, String messageId) throws Exception {
    Store store = ImapFolders.login(dovecot, "target", TARGET_PASSWORD);
    try {
      Folder f = store.getFolder(folderName);
      f.open(Folder.READ_ONLY);
      for (Message m : f.getMessages()) {
        String[] id = m.getHeader("Message-ID");
        if (id != null && id[0].equals(messageId)) {
          return m.getReceivedDate().toInstant();
        }
      }
      return null;
    } finally {
      store.close();
    }
  }

  @Test
  void everyMessageArrivesByteIdenticalOnceWithItsDate() throws Exception {
    CliRun first = upload("Moved");
    assertThat(first.exitCode()).as(first.describe()).isZero();
    assertThat(first.err()).contains("uploaded " + SENT.values().stream().mapToInt(i -> i).sum());
    assertThat(first.out()).contains(" -> Moved UID ");
    assertThat(first.err()).contains("c08-nul-bytes: the message holds NUL bytes");
    Map<String, Integer> moved = folder("Moved");
    List<String> missing = new ArrayList<>();
    for (String sha : SENT.keySet()) {
      if (!moved.containsKey(sha)) {
        missing.add(NAMES.get(sha));
      }
    }
    assertThat(missing).as("messages not byte-identical in the folder").isEmpty();
    assertThat(moved).isEqualTo(SENT);
    assertThat(internalDateOf("Moved", "<dated@example.org>"))
        .isEqualTo(Instant.parse("2024-03-10T10:00:00Z"));
    try (Connection c =
            DriverManager.getConnection("jdbc:sqlite:" + work.resolve("archive/ledger.db"));
        Statement s = c.createStatement();
        ResultSet r =
            s.executeQuery(
                "SELECT count(*), count(uid) FROM upload WHERE state = 'done'"
                    + " AND destination LIKE '%/Moved'")) {
      assertThat(r.getInt(1)).isEqualTo(SENT.values().stream().mapToInt(i -> i).sum());
      assertThat(r.getInt(2)).as("APPENDUID recorded").isEqualTo(r.getInt(1));
    }

    CliRun again = upload("Moved");
    assertThat(again.exitCode()).as(again.describe()).isZero();
    assertThat(again.err()).contains("uploaded 0 of");
    assertThat(folder("Moved")).isEqualTo(SENT);
  }

  @Test
  void aDryRunConnectsToNothingAndAWrongPasswordIs77() throws Exception {
    CliRun dry = upload("DryRun", "--dry-run");
    assertThat(dry.exitCode()).as(dry.describe()).isZero();
    assertThat(dry.out()).contains("would go to DryRun");
    assertThat(folder("DryRun")).isEmpty();

    PasswordFiles.write(work.resolve("wrong-pass"), "wrong\n");
    CliRun wrong =
        CliRun.of(
            "upload",
            "--to",
            "imap://target@127.0.0.1:" + dovecot.imapPort() + "/Wrong",
            "--ca-file",
            dovecot.caFile().toString(),
            "--password-file",
            work.resolve("wrong-pass").toString(),
            "--archive-dir",
            work.resolve("archive").toString());
    assertThat(wrong.exitCode()).as(wrong.describe()).isEqualTo(77);
    assertThat(wrong.err())
        .contains("login refused")
        .doesNotContain("Exception")
        .doesNotContain("wrong");
  }

  @Test
  void aQuerySelectsWhatGoesSeenSetsTheFlagAndAPinnedCertificateIsChecked() throws Exception {
    String url = "imap://target@127.0.0.1:" + dovecot.imapPort() + "/Pinned";
    String pass = work.resolve("imap-pass").toString();
    String archive = work.resolve("archive").toString();
    CliRun pinned =
        CliRun.of(
            "upload",
            "message-id:dated@example.org",
            "--seen",
            "--to",
            url,
            "--fingerprint",
            dovecot.certSha256(),
            "--password-file",
            pass,
            "--archive-dir",
            archive);
    assertThat(pinned.exitCode()).as(pinned.describe()).isZero();
    assertThat(pinned.err()).contains("uploaded 1 of 1");
    Store store = ImapFolders.login(dovecot, "target", TARGET_PASSWORD);
    try {
      Folder f = store.getFolder("Pinned");
      f.open(Folder.READ_ONLY);
      assertThat(f.getMessageCount()).isEqualTo(1);
      assertThat(f.getMessage(1).isSet(jakarta.mail.Flags.Flag.SEEN)).isTrue();
      f.close(false);
    } finally {
      store.close();
    }
    CliRun wrongPin =
        CliRun.of(
            "upload",
            "--to",
            url.replace("/Pinned", "/WrongPin"),
            "--fingerprint",
            "00".repeat(32),
            "--password-file",
            pass,
            "--archive-dir",
            archive);
    assertThat(wrongPin.exitCode()).as(wrongPin.describe()).isEqualTo(77);
    assertThat(wrongPin.err()).doesNotContain("Exception");
  }

  @Test
  void aKillAtAnyPointOfAnUploadThenARerunLeavesEveryMessageExactlyOnce() throws Exception {
    int points = 0;
    for (int nth : new int[] {1, 3, 7}) {
      for (ImapKillProxy.Point point : ImapKillProxy.Point.values()) {
        String folder = "Crash-" + point + "-" + nth;
        AtomicReference<Process> process = new AtomicReference<>();
        try (ImapKillProxy proxy =
            ImapKillProxy.start(
                dovecot.imapPort(), point, nth, () -> process.get().destroyForcibly())) {
          process.set(launch(proxy.port(), folder));
          assertThat(process.get().waitFor(120, TimeUnit.SECONDS)).isTrue();
          assertThat(proxy.killed()).as(folder + " reached its kill point").isTrue();
          assertThat(process.get().exitValue()).as(folder).isEqualTo(137);
          // The same destination (the proxy passes everything through now): the ledger knows it.
          Process rerun = launch(proxy.port(), folder);
          assertThat(rerun.waitFor(120, TimeUnit.SECONDS)).isTrue();
          String err = new String(rerun.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
          assertThat(rerun.exitValue()).as(folder + ": " + err).isZero();
        }
        assertThat(folder(folder)).as(folder + ": each message once").isEqualTo(SENT);
        points++;
      }
    }
    assertThat(points).isGreaterThanOrEqualTo(10);
  }

  /** Runs bin/popvault upload (a real process, so it can be killed) through the given port. */
  private static Process launch(int port, String folder) throws Exception {
    List<String> argv = new ArrayList<>();
    argv.add(Path.of(System.getProperty("popvault.basedir", "."), "bin", "popvault").toString());
    argv.addAll(
        List.of(
            "upload",
            "--to",
            "imap://target@127.0.0.1:" + port + "/" + folder,
            "--allow-plaintext",
            "--ca-file",
            dovecot.caFile().toString(),
            "--password-file",
            work.resolve("imap-pass").toString(),
            "--archive-dir",
            work.resolve("archive").toString(),
            "-q"));
    ProcessBuilder b = new ProcessBuilder(argv);
    b.redirectOutput(ProcessBuilder.Redirect.DISCARD);
    return b.start();
  }

  private static String sha256(byte[] bytes) {
    return ImapFolders.sha256(bytes);
  }
}
