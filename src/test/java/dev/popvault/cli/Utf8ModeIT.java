package dev.popvault.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.popvault.archive.ArchiveReader;
import dev.popvault.archive.Codec;
import dev.popvault.archive.EncodedMessage;
import dev.popvault.testsupport.CliRun;
import dev.popvault.testsupport.FakeMailbox;
import dev.popvault.testsupport.LedgerProbe;
import dev.popvault.testsupport.PasswordFiles;
import dev.popvault.testsupport.RawPop3;
import dev.popvault.testsupport.ScriptedPop3Server;
import java.io.IOException;
import java.io.InputStream;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * M8 (issue 9, item 3): what is archived is what the mailbox holds, not a server's stand-in. The
 * scripted server plays courier-pop 1.0.16: it offers UTF8 and, to a client that did not send it,
 * answers RETR of a message with raw UTF-8 headers with a "Cannot display Unicode content" notice
 * under the same UIDL. popvault must send UTF8 before any RETR, archive the original bytes, and
 * only then delete.
 */
class Utf8ModeIT {
  private static final String ACCOUNT = "courier";
  private static final byte[] UNICODE =
      ("From: Jörg Müller <joerg@example.test>\r\n"
              + "To: Zoë <zoe@example.test>\r\n"
              + "Subject: Grüße aus Köln – 東京\r\n"
              + "Message-ID: <unicode-1@example.test>\r\n"
              + "Content-Type: text/plain; charset=utf-8\r\n"
              + "\r\n"
              + "Ein Brief mit Umlauten im Kopf.\r\n")
          .getBytes(StandardCharsets.UTF_8);
  private static final byte[] ASCII =
      ("From: plain@example.test\r\nSubject: plain\r\nMessage-ID: <ascii-1@example.test>\r\n"
              + "\r\nplain body\r\n")
          .getBytes(StandardCharsets.US_ASCII);

  @TempDir Path tmp;
  private Path archiveDir;
  private Path passwordFile;

  @BeforeEach
  void setUp() throws IOException {
    archiveDir = tmp.resolve("archive");
    passwordFile = tmp.resolve("pass");
    PasswordFiles.write(passwordFile, "any-Pa55word\n");
  }

  /** A mailbox that behaves like courier-pop: CAPA as measured, stand-ins without UTF8. */
  private static FakeMailbox courier() {
    return new FakeMailbox()
        .capabilities(
            "SASL PLAIN LOGIN", "TOP", "UIDL", "PIPELINING", "UTF8 USER", "USER", "LOGIN-DELAY 10")
        .substitutesUnicodeUnlessUtf8()
        .add("uid-unicode", UNICODE)
        .add("uid-ascii", ASCII);
  }

  private static ScriptedPop3Server.Script tolerant(ScriptedPop3Server.Script script) {
    return c -> {
      try {
        script.run(c);
      } catch (SocketException e) {
        // The client hung up; that is its right.
      }
    };
  }

  private CliRun archive(ScriptedPop3Server server, String... extra) {
    List<String> args =
        new java.util.ArrayList<>(
            List.of(
                "archive",
                "pop3://" + ACCOUNT + "@127.0.0.1:" + server.port(),
                "--account",
                ACCOUNT,
                "--allow-plaintext",
                "--auth",
                "user",
                "--password-file",
                passwordFile.toString(),
                "--archive-dir",
                archiveDir.toString(),
                "--timeout",
                "5"));
    args.addAll(List.of(extra));
    return CliRun.of(args.toArray(String[]::new));
  }

  private static String sha256(byte[] bytes) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
  }

  /** Reads every archived message back from the archive file: UIDL → bytes. */
  private Map<String, byte[]> archived() throws Exception {
    String sql =
        "select m.uidl, f.path, f.codec, fr.file_offset, fr.byte_length, m.frame_offset,"
            + " m.encoded_length, m.wire_length, m.sha256, m.raw_from_line, m.no_final_newline"
            + " from message m join frame fr on m.frame_id = fr.id"
            + " join archive_file f on fr.file_id = f.id order by m.id";
    Map<String, byte[]> out = new LinkedHashMap<>();
    try (Connection c =
            DriverManager.getConnection("jdbc:sqlite:" + archiveDir.resolve("ledger.db"));
        Statement s = c.createStatement();
        ResultSet r = s.executeQuery(sql)) {
      while (r.next()) {
        EncodedMessage m =
            new EncodedMessage(
                r.getLong(6),
                r.getLong(7),
                r.getLong(8),
                r.getBytes(9),
                r.getLong(10),
                r.getInt(11) == 1);
        try (InputStream in =
            ArchiveReader.openMessage(
                archiveDir.resolve(r.getString(2)),
                Codec.parse(r.getString(3)),
                r.getLong(4),
                r.getLong(5),
                m)) {
          out.put(r.getString(1), in.readAllBytes());
        }
      }
    }
    return out;
  }

  /** The scripted server is a faithful adversary: without UTF8 it really hands out a notice. */
  @Test
  void theScriptedCourierSubstitutesUnlessUtf8WasSent() throws Exception {
    FakeMailbox box = courier();
    try (ScriptedPop3Server server = ScriptedPop3Server.start(tolerant(box))) {
      try (RawPop3 raw = RawPop3.connect(server.port())) {
        raw.login(ACCOUNT, "any-Pa55word");
        String notice = new String(raw.retr(1), StandardCharsets.UTF_8);
        assertThat(notice).contains("Subject: Cannot display Unicode content");
        assertThat(raw.retr(2)).isEqualTo(ASCII);
        raw.command("QUIT");
      }
      try (RawPop3 raw = RawPop3.connect(server.port())) {
        raw.ok("UTF8");
        raw.login(ACCOUNT, "any-Pa55word");
        assertThat(raw.retr(1)).isEqualTo(UNICODE);
        raw.command("QUIT");
      }
    }
    assertThat(box.standInsSent()).isEqualTo(1);
  }

  /**
   * M8: popvault sends UTF8 before the first RETR, so the archive holds the original bytes (the
   * SHA-256 of the copy read back from the archive file and the ledger's SHA-256 both equal the
   * original's), and --delete removes messages whose originals are safe.
   */
  @Test
  void m8_utf8IsSentBeforeRetrAndTheArchiveHoldsTheOriginalBeforeDelete() throws Exception {
    FakeMailbox box = courier();
    CliRun run;
    List<String> received;
    try (ScriptedPop3Server server = ScriptedPop3Server.start(tolerant(box))) {
      run = archive(server, "--delete");
      server.finish();
      received = server.received();
    }
    assertThat(run.exitCode()).as(run.describe()).isZero();
    assertThat(box.standInsSent()).as("stand-ins the server had to send").isZero();
    assertThat(received).as("UTF8 sent").contains("UTF8");
    int firstRetr =
        received.indexOf(received.stream().filter(l -> l.startsWith("RETR")).findFirst().get());
    assertThat(received.indexOf("UTF8")).as(received.toString()).isLessThan(firstRetr);
    assertThat(received.indexOf("UTF8"))
        .as("RFC 6856: in the AUTHORIZATION state, before the credentials")
        .isLessThan(received.indexOf("USER " + ACCOUNT));

    Map<String, byte[]> archived = archived();
    assertThat(sha256(archived.get("uid-unicode"))).isEqualTo(sha256(UNICODE));
    assertThat(archived.get("uid-ascii")).isEqualTo(ASCII);
    assertThat(
            LedgerProbe.column(
                archiveDir.resolve("ledger.db"),
                "select lower(hex(sha256)) from message where uidl = 'uid-unicode'"))
        .containsExactly(sha256(UNICODE));
    assertThat(box.committedDeletions()).containsExactlyInAnyOrder("uid-unicode", "uid-ascii");
  }

  /**
   * A server that offers UTF8 and then refuses it could hand out stand-ins: the run stops before
   * any RETR with one line and exit 76, and nothing is archived or deleted.
   */
  @Test
  void utf8OfferedButRefusedStopsBeforeRetrWith76() throws Exception {
    FakeMailbox box =
        courier()
            .fault(
                "UTF8",
                (line, c) -> {
                  c.send("-ERR UTF8 not available for this mailbox");
                  return true;
                });
    CliRun run;
    List<String> received;
    try (ScriptedPop3Server server = ScriptedPop3Server.start(tolerant(box))) {
      run = archive(server, "--delete");
      server.finish();
      received = server.received();
    }
    assertThat(run.exitCode()).as(run.describe()).isEqualTo(76);
    assertThat(run.err().strip().lines().count()).as(run.describe()).isEqualTo(1);
    assertThat(run.err())
        .contains("server offers UTF8 (RFC 6856) but refused it")
        .contains("UTF8 not available for this mailbox")
        .doesNotContain("Exception");
    assertThat(received).noneMatch(l -> l.startsWith("RETR") || l.startsWith("DELE"));
    assertThat(received)
        .as("no credential after a refused UTF8")
        .noneMatch(l -> l.startsWith("PASS"));
    assertThat(box.committedDeletions()).isEmpty();
    assertThat(LedgerProbe.number(archiveDir.resolve("ledger.db"), "select count(*) from message"))
        .isZero();
  }

  /** A server that lists UTF8 only after login still gets it, before any RETR. */
  @Test
  void utf8OfferedOnlyAfterLoginIsSentThenBeforeRetr() throws Exception {
    FakeMailbox box = courier().capabilities("USER", "UIDL", "TOP");
    // The CAPA after PASS lists UTF8: switch the capability list once the password arrived.
    box.fault(
        "PASS any-Pa55word",
        (line, c) -> {
          box.capabilities("USER", "UIDL", "TOP", "UTF8");
          c.send("+OK logged in");
          return true;
        });
    CliRun run;
    List<String> received;
    try (ScriptedPop3Server server = ScriptedPop3Server.start(tolerant(box))) {
      run = archive(server);
      server.finish();
      received = server.received();
    }
    assertThat(run.exitCode()).as(run.describe()).isZero();
    assertThat(received.indexOf("UTF8")).isGreaterThan(received.indexOf("PASS any-Pa55word"));
    assertThat(received.indexOf("UTF8"))
        .isLessThan(
            received.indexOf(
                received.stream().filter(l -> l.startsWith("RETR")).findFirst().get()));
    assertThat(box.standInsSent()).isZero();
    assertThat(sha256(archived().get("uid-unicode"))).isEqualTo(sha256(UNICODE));
  }

  @Test
  void probeSaysWhetherUtf8IsOfferedAndEnabled() throws Exception {
    try (ScriptedPop3Server server = ScriptedPop3Server.start(tolerant(courier()))) {
      CliRun run =
          CliRun.of(
              "probe", "pop3://" + ACCOUNT + "@127.0.0.1:" + server.port(), "--allow-plaintext");
      assertThat(run.exitCode()).as(run.describe()).isZero();
      assertThat(run.out()).contains("UTF8:         offered and enabled");
      server.finish();
      assertThat(server.received()).contains("UTF8").noneMatch(l -> l.startsWith("PASS"));
    }
    try (ScriptedPop3Server server =
        ScriptedPop3Server.start(tolerant(courier().capabilities("USER", "UIDL")))) {
      CliRun run =
          CliRun.of(
              "probe", "pop3://" + ACCOUNT + "@127.0.0.1:" + server.port(), "--allow-plaintext");
      assertThat(run.exitCode()).as(run.describe()).isZero();
      assertThat(run.out().toLowerCase(Locale.ROOT)).contains("utf8:         not offered");
    }
  }
}
