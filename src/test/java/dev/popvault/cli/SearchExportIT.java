package dev.popvault.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.popvault.testsupport.ArchiveTools;
import dev.popvault.testsupport.CliRun;
import dev.popvault.testsupport.Corpus;
import dev.popvault.testsupport.CorpusMessage;
import dev.popvault.testsupport.DovecotServer;
import dev.popvault.testsupport.PasswordFiles;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code search} and {@code export} against an archive made from Dovecot: field terms, phrases,
 * date ranges and body text find the right messages; every export format gives back the exact bytes
 * (SHA-256), including the hostile messages of the corpus (bare CR, NUL, no final newline); a
 * damaged frame is named and nothing of it exported; and a ledger from before the catalog kept To
 * and Cc is completed from the archive.
 */
class SearchExportIT {
  private static final String PASSWORD = "dovecot-Pa55";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static DovecotServer dovecot;
  private static List<CorpusMessage> corpus;
  private static final Map<String, byte[]> SENT = new HashMap<>();
  @TempDir static Path serverDir;
  @TempDir static Path work;

  private static final String[][] CRAFTED = {
    {
      "alice-invoice",
      "Alice Smith <alice@example.org>",
      "bob@example.org",
      "carol@example.net",
      "Invoice 2024-03 for March",
      "Sun, 10 Mar 2024 10:00:00 +0000",
      "Please find the wire transfer details."
    },
    {
      "alice-lunch",
      "Alice Smith <alice@example.org>",
      "team@example.org",
      null,
      "Lunch on Friday?",
      "Tue, 14 May 2024 12:00:00 +0200",
      "Pizza or sushi."
    },
    {
      "bob-report",
      "Bob <bob@example.org>",
      "alice@example.org",
      "dave@example.com",
      "Quarterly report",
      "Mon, 01 May 2023 09:30:00 -0400",
      "The numbers are in."
    },
    {
      "erin-grusse",
      "=?UTF-8?Q?Erin_M=C3=BCller?= <erin@example.de>",
      "alice@example.org",
      null,
      "=?UTF-8?Q?Gr=C3=BC=C3=9Fe_aus_K=C3=B6ln?=",
      "Fri, 20 Dec 2024 18:00:00 +0100",
      "Frohe Feiertage."
    },
  };

  @BeforeAll
  static void archiveTheCorpus() throws Exception {
    dovecot = DovecotServer.start(serverDir);
    dovecot.addUser("searcher", PASSWORD);
    corpus = Corpus.standard(12, false);
    for (CorpusMessage m : corpus) {
      dovecot.deliver("searcher", m.name(), m.content());
      SENT.put(m.name(), Corpus.expectedWireBytes(m.content()));
    }
    for (String[] c : CRAFTED) {
      StringBuilder text = new StringBuilder();
      text.append("From: ").append(c[1]).append("\r\nTo: ").append(c[2]).append("\r\n");
      if (c[3] != null) {
        text.append("Cc: ").append(c[3]).append("\r\n");
      }
      text.append("Subject: ").append(c[4]).append("\r\nDate: ").append(c[5]).append("\r\n");
      text.append("Message-ID: <").append(c[0]).append("@example.org>\r\n\r\n");
      text.append(c[6]).append("\r\n");
      byte[] bytes = text.toString().getBytes(StandardCharsets.UTF_8);
      dovecot.deliver("searcher", c[0], bytes);
      SENT.put(c[0], Corpus.expectedWireBytes(bytes));
    }
    PasswordFiles.write(work.resolve("pass"), PASSWORD + "\n");
    // Small batches: several frames, so that reading frame by frame is exercised.
    CliRun archive =
        CliRun.archive(
            dovecot,
            "searcher",
            work.resolve("pass"),
            work.resolve("archive"),
            "--batch-size",
            "3");
    assertThat(archive.exitCode()).as(archive.describe()).isZero();
  }

  @AfterAll
  static void stop() {
    if (dovecot != null) {
      dovecot.close();
    }
  }

  private static CliRun run(String command, String... args) {
    List<String> argv = new ArrayList<>(List.of(command));
    argv.addAll(List.of(args));
    argv.addAll(List.of("--archive-dir", work.resolve("archive").toString()));
    return CliRun.of(argv.toArray(String[]::new));
  }

  /** The UIDLs (Dovecot's are the maildir names here) a search finds, in its order. */
  private static List<String> found(String... query) throws Exception {
    List<String> args = new ArrayList<>(List.of(query));
    args.add("--json");
    CliRun r = run("search", args.toArray(String[]::new));
    assertThat(r.exitCode()).as(r.describe()).isZero();
    List<String> names = new ArrayList<>();
    for (JsonNode m : JSON.readTree(r.out()).get("messages")) {
      names.add(nameOf(m.get("uidl").asText()));
    }
    return names;
  }

  private static String nameOf(String uidl) {
    for (String name : SENT.keySet()) {
      if (uidl.equals(name) || uidl.startsWith(name)) {
        return name;
      }
    }
    return uidl;
  }

  @Test
  void fieldTermsPhrasesAndDateRangesFindTheRightMessages() throws Exception {
    assertThat(found("from:alice")).containsExactly("alice-invoice", "alice-lunch");
    assertThat(found("from:alice@example.org subject:invoice")).containsExactly("alice-invoice");
    assertThat(found("from:alice after:2024-04-01")).containsExactly("alice-lunch");
    assertThat(found("after:2024-01-01 before:2024-06-01", "from:alice"))
        .containsExactly("alice-invoice", "alice-lunch");
    assertThat(found("subject:\"quarterly report\"")).containsExactly("bob-report");
    assertThat(found("cc:carol")).containsExactly("alice-invoice");
    assertThat(found("to:alice")).containsExactly("bob-report", "erin-grusse");
    assertThat(found("subject:koln", "from:muller"))
        .as("accents folded")
        .containsExactly("erin-grusse", "c02-utf8-headers");
    assertThat(found("quarter*")).as("prefix").containsExactly("bob-report");
    assertThat(found("message-id:alice-lunch@example.org")).containsExactly("alice-lunch");
    assertThat(found("from:nobody-at-all")).isEmpty();
  }

  @Test
  void bodyTextIsFoundByReadingTheSelectedMessages() throws Exception {
    assertThat(found("--body", "WIRE TRANSFER")).containsExactly("alice-invoice");
    assertThat(found("from:bob", "--body", "wire transfer")).isEmpty();
  }

  @Test
  void aBadQueryIsAUsageError() {
    CliRun unknown = run("search", "form:alice");
    assertThat(unknown.exitCode()).isEqualTo(64);
    assertThat(unknown.err()).contains("unknown search field 'form:'").doesNotContain("Exception");
    CliRun date = run("search", "after:yesterday");
    assertThat(date.exitCode()).isEqualTo(64);
    assertThat(date.err()).contains("is not a date");
  }

  @Test
  void everyFormatGivesBackTheExactBytes() throws Exception {
    for (String format : List.of("eml", "maildir")) {
      Path target = work.resolve("export-" + format);
      CliRun r = run("export", "--format", format, "--to", target.toString());
      assertThat(r.exitCode()).as(r.describe()).isZero();
      Path dir = format.equals("maildir") ? target.resolve("new") : target;
      List<Path> files;
      try (Stream<Path> s = Files.list(dir)) {
        files = s.toList();
      }
      assertThat(files).hasSize(SENT.size());
      Map<String, Integer> bySha = new HashMap<>();
      for (byte[] b : SENT.values()) {
        bySha.merge(sha256(b), 1, Integer::sum);
      }
      for (Path f : files) {
        assertThat(bySha).as(f.toString()).containsKey(sha256(Files.readAllBytes(f)));
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(f)))
            .isEqualTo("rw-------");
      }
      CliRun again = run("export", "--format", format, "--to", target.toString());
      assertThat(again.exitCode()).as(again.describe()).isZero();
      assertThat(again.err())
          .contains("exported 0 message(s)")
          .contains(SENT.size() + " were there");
    }
  }

  @Test
  void anMboxExportIsTheArchivesStoredFormReadableByZstd() throws Exception {
    Path target = work.resolve("alice.mbox.zst");
    CliRun r = run("export", "from:alice", "--to", target.toString());
    assertThat(r.exitCode()).as(r.describe()).isZero();
    Process zstd = new ProcessBuilder("zstd", "-dc", target.toString()).start();
    byte[] plain = zstd.getInputStream().readAllBytes();
    assertThat(zstd.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(zstd.exitValue()).isZero();
    String text = new String(plain, StandardCharsets.UTF_8);
    assertThat(text).startsWith("From ").contains("Subject: Invoice 2024-03 for March");
    assertThat(text.indexOf("Invoice 2024-03")).isLessThan(text.indexOf("Lunch on Friday"));
    assertThat(text.split("\nFrom ", -1)).hasSize(2);
    CliRun exists = run("export", "from:alice", "--to", target.toString());
    assertThat(exists.exitCode()).isEqualTo(64);
    assertThat(exists.err()).contains("exists already");
  }

  @Test
  void aDamagedFrameIsNamedAndNothingOfItIsExported() throws Exception {
    Path copy = work.resolve("damaged-archive");
    ArchiveTools.copyTree(work.resolve("archive"), copy);
    Path mbox;
    try (Stream<Path> files = Files.walk(copy)) {
      mbox = files.filter(p -> p.toString().endsWith(".mbox.zst")).findFirst().orElseThrow();
    }
    byte[] bytes = Files.readAllBytes(mbox);
    bytes[bytes.length - 20] ^= 0x01; // inside the last frame
    Files.write(mbox, bytes);
    Path target = work.resolve("export-from-damaged");
    CliRun r =
        CliRun.of(
            "export",
            "--format",
            "eml",
            "--to",
            target.toString(),
            "--archive-dir",
            copy.toString());
    assertThat(r.exitCode()).as(r.describe()).isEqualTo(65);
    assertThat(r.err()).contains("not exported (damaged copy").doesNotContain("Exception");
    List<Path> written;
    try (Stream<Path> s = Files.list(target)) {
      written = s.toList();
    }
    assertThat(written).isNotEmpty().hasSizeLessThan(SENT.size());
    for (Path f : written) {
      assertThat(f.getFileName().toString()).endsWith(".eml").doesNotStartWith(".");
      assertThat(SENT.values().stream().map(SearchExportIT::sha256).toList())
          .contains(sha256(Files.readAllBytes(f)));
    }
  }

  @Test
  void aLedgerFromBeforeToAndCcWereKeptIsCompletedFromTheArchive() throws Exception {
    Path archive = work.resolve("old-archive");
    ArchiveTools.copyTree(work.resolve("archive"), archive);
    Path ledger = archive.resolve("ledger.db");
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + ledger);
        Statement s = c.createStatement()) {
      s.executeUpdate("UPDATE message SET to_addr = NULL, cc_addr = NULL, cataloged = 0");
    }
    CliRun before = CliRun.of("search", "cc:carol", "--json", "--archive-dir", archive.toString());
    assertThat(before.exitCode()).as(before.describe()).isZero();
    assertThat(before.err()).contains("catalog: reading To and Cc of " + SENT.size());
    assertThat(JSON.readTree(before.out()).get("messages")).hasSize(1);
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + ledger);
        Statement s = c.createStatement();
        ResultSet r = s.executeQuery("SELECT count(*) FROM message WHERE cataloged = 0")) {
      assertThat(r.getLong(1)).isZero();
    }
    CliRun after = CliRun.of("search", "cc:carol", "--archive-dir", archive.toString());
    assertThat(after.err()).doesNotContain("catalog: reading");
  }

  @Test
  void exportingOneMessageReadsOnlyItsFrame() throws Exception {
    Path target = work.resolve("one");
    CliRun r =
        run(
            "export",
            "message-id:bob-report@example.org",
            "--format",
            "eml",
            "--to",
            target.toString(),
            "-v");
    assertThat(r.exitCode()).as(r.describe()).isZero();
    assertThat(r.err()).contains("read 1 message(s) from 1 archive frame(s)");
  }

  private static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
