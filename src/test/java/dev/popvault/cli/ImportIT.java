package dev.popvault.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.popvault.testsupport.CliRun;
import dev.popvault.testsupport.Corpus;
import dev.popvault.testsupport.CorpusMessage;
import dev.popvault.testsupport.DovecotServer;
import dev.popvault.testsupport.Getmail;
import dev.popvault.testsupport.ImapFolders;
import dev.popvault.testsupport.Mpop;
import dev.popvault.testsupport.PasswordFiles;
import dev.popvault.testsupport.TestRequirements;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code popvault import} of real files: an mbox written by the real mpop (plain, and compressed by
 * the real gzip, zstd and xz programs) and Dovecot's own Maildir. Imported messages come back (by
 * export) exactly as the POP3 server sends them; importing the same mail twice, or mail already
 * archived from the server, adds nothing; and imported messages never cause a DELE (M10).
 */
class ImportIT {
  private static final String PASSWORD = "dovecot-Pa55";
  private static DovecotServer dovecot;
  private static final Map<String, Integer> SENT = new HashMap<>();
  private static final Map<String, String> NAMES = new HashMap<>();
  private static final List<byte[]> WIRE = new ArrayList<>();
  private static int count;
  @TempDir static Path serverDir;
  @TempDir static Path work;
  private static Path mbox;

  @BeforeAll
  static void mpopDownloadsTheMailbox() throws Exception {
    TestRequirements.requireCommands("mpop", "gzip", "zstd", "xz");
    dovecot = DovecotServer.start(serverDir);
    dovecot.addUser("importer", PASSWORD);
    dovecot.addUser("m10user", PASSWORD);
    dovecot.addUser("getmailuser", PASSWORD);
    Thread.sleep(1100);
    List<CorpusMessage> corpus = new ArrayList<>(Corpus.bulk(41, 25, 2000));
    // From_ lines and their quoting, and dot lines: what an mbox writer must escape.
    for (CorpusMessage m : Corpus.standard(41, false)) {
      if (m.name().equals("c01-from-lines") || m.name().equals("c12-dot-lines")) {
        corpus.add(m);
      }
    }
    for (CorpusMessage m : corpus) {
      dovecot.deliver("importer", m.name(), m.content());
      dovecot.deliver("m10user", m.name(), m.content());
      SENT.merge(ImapFolders.sha256(Corpus.expectedWireBytes(m.content())), 1, Integer::sum);
      NAMES.put(ImapFolders.sha256(Corpus.expectedWireBytes(m.content())), m.name());
    }
    count = corpus.size();
    // getmail6 waits for its delivery child with a lost-wakeup race (a SIGCHLD before the wait
    // costs its whole timeout, then fails): a few messages only, From lines among them.
    for (CorpusMessage m : List.of(corpus.get(0), corpus.get(1), corpus.get(corpus.size() - 2))) {
      dovecot.deliver("getmailuser", m.name(), m.content());
      WIRE.add(Corpus.expectedWireBytes(m.content()));
    }
    PasswordFiles.write(work.resolve("pass"), PASSWORD + "\n");
    mbox = work.resolve("mpop.mbox");
    // mpop adds a Received header by default; the import keeps whatever the file holds, so
    // without it the imported bytes must be exactly the server's.
    Mpop.download(
        dovecot,
        "importer",
        work.resolve("pass"),
        mbox,
        work.resolve("uidls"),
        "--received-header=off");
    for (String[] tool : new String[][] {{"gzip", "-k"}, {"zstd", "-q", "-k"}, {"xz", "-k"}}) {
      List<String> argv = new ArrayList<>(List.of(tool));
      argv.add(mbox.toString());
      Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
      assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
      assertThat(p.exitValue()).as(new String(p.getInputStream().readAllBytes())).isZero();
    }
  }

  @AfterAll
  static void stop() {
    if (dovecot != null) {
      dovecot.close();
    }
  }

  private static CliRun popvault(String... args) {
    return in(work.resolve("archive"), args);
  }

  private static CliRun in(Path archive, String... args) {
    List<String> argv = new ArrayList<>(List.of(args));
    argv.addAll(List.of("--archive-dir", archive.toString()));
    return CliRun.of(argv.toArray(String[]::new));
  }

  /** SHA-256 → count of what export gives back for the account, as .eml files. */
  private static Map<String, Integer> exported(String account) throws Exception {
    Path dir = work.resolve("eml-" + account);
    CliRun export =
        popvault("export", "account:" + account, "--format", "eml", "--to", dir.toString());
    assertThat(export.exitCode()).as(export.describe()).isZero();
    Map<String, Integer> found = new HashMap<>();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path f : (Iterable<Path>) files::iterator) {
        found.merge(ImapFolders.sha256(Files.readAllBytes(f)), 1, Integer::sum);
      }
    }
    return found;
  }

  @Test
  void anMpopMboxImportsAsTheServerSentItAndEachCompressedCopyAddsNothing() throws Exception {
    CliRun first = popvault("import", mbox.toString(), "--account", "from-mpop");
    assertThat(first.exitCode()).as(first.describe()).isZero();
    assertThat(first.err()).contains("imported " + count + " of " + count);
    Map<String, Integer> back = exported("from-mpop");
    assertThat(SENT.keySet().stream().filter(k -> !back.containsKey(k)).map(NAMES::get))
        .as("messages that did not come back exactly")
        .isEmpty();
    assertThat(back).isEqualTo(SENT);
    CliRun again =
        popvault("import", mbox + ".gz", mbox + ".zst", mbox + ".xz", "--account", "from-mpop");
    assertThat(again.exitCode()).as(again.describe()).isZero();
    assertThat(again.err())
        .contains("imported 0 of " + 3 * count)
        .contains(3 * count + " were archived already");
    CliRun found = popvault("search", "account:from-mpop", "subject:\"From lines\"", "--json");
    assertThat(found.out()).contains("\"uidl\":\"imported ");
  }

  @Test
  void aGetmail6MboxrdImportsAsGetmailStoredIt(@TempDir Path getmailParent) throws Exception {
    // getmail adds Delivered-To and Received unless told not to; its mbox destination always adds
    // Return-Path. The import keeps what the file holds: the server's bytes after that header.
    Path dir =
        Getmail.download(
            dovecot,
            "getmailuser",
            PASSWORD,
            getmailParent,
            "delivered_to = false\nreceived = false\n");
    CliRun imported =
        popvault("import", dir.resolve("out.mbox").toString(), "--account", "getmail");
    assertThat(imported.exitCode()).as(imported.describe()).isZero();
    assertThat(imported.err()).contains("imported " + WIRE.size() + " of " + WIRE.size());
    Map<String, Integer> expected = new HashMap<>();
    for (byte[] wire : WIRE) {
      byte[] header = "Return-Path: <unknown>\r\n".getBytes(StandardCharsets.US_ASCII);
      byte[] stored = new byte[header.length + wire.length];
      System.arraycopy(header, 0, stored, 0, header.length);
      System.arraycopy(wire, 0, stored, header.length, wire.length);
      expected.merge(ImapFolders.sha256(stored), 1, Integer::sum);
    }
    assertThat(exported("getmail")).isEqualTo(expected);
  }

  @Test
  void dovecotsMaildirImportsAndMailArchivedFromTheServerIsNotImportedAgain() throws Exception {
    CliRun archive =
        CliRun.archive(
            dovecot,
            "importer",
            work.resolve("pass"),
            work.resolve("archive"),
            "--account",
            "both");
    assertThat(archive.exitCode()).as(archive.describe()).isZero();
    CliRun maildir =
        popvault("import", dovecot.maildir("importer").toString(), "--account", "both");
    assertThat(maildir.exitCode()).as(maildir.describe()).isZero();
    assertThat(maildir.err())
        .contains("imported 0 of " + count)
        .contains(count + " were archived already");
    CliRun fresh =
        popvault("import", dovecot.maildir("importer").toString(), "--account", "maildir");
    assertThat(fresh.exitCode()).as(fresh.describe()).isZero();
    assertThat(exported("maildir")).isEqualTo(SENT);
  }

  @Test
  void m10_importedMessagesNeverCauseADeletion() throws Exception {
    // Its own archive directory and ledger: the mailbox is archived under another name above.
    Path archive = work.resolve("archive-m10");
    // One message archived from the server, the rest only imported from mpop's mbox (of another
    // user with the same mail: the same bytes).
    CliRun one =
        CliRun.archive(
            dovecot,
            "m10user",
            work.resolve("pass"),
            archive,
            "--account",
            "m10",
            "--max-messages",
            "1");
    assertThat(one.exitCode()).as(one.describe()).isZero();
    CliRun imported = in(archive, "import", mbox.toString(), "--account", "m10");
    assertThat(imported.err()).contains("imported " + (count - 1) + " of " + count);
    CliRun delete =
        in(
            archive,
            "delete",
            "pop3://m10user@127.0.0.1:" + dovecot.pop3Port(),
            "--account",
            "m10",
            "--all",
            "--ca-file",
            dovecot.caFile().toString(),
            "--password-file",
            work.resolve("pass").toString());
    assertThat(delete.exitCode()).as(delete.describe()).isZero();
    assertThat(dovecot.remainingMessages("m10user")).hasSize(count - 1);
  }
}
