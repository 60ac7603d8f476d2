package dev.popvault.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.popvault.archive.ArchiveReader;
import dev.popvault.archive.Codec;
import dev.popvault.archive.EncodedMessage;
import dev.popvault.testsupport.CliRun;
import dev.popvault.testsupport.DeleAudit;
import dev.popvault.testsupport.FakeMailbox;
import dev.popvault.testsupport.LedgerProbe;
import dev.popvault.testsupport.LyingDisk;
import dev.popvault.testsupport.PasswordFiles;
import dev.popvault.testsupport.ScriptedPop3Server;
import java.io.IOException;
import java.io.InputStream;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Drives the CLI against hostile and broken POP3 servers ({@link ScriptedPop3Server} + {@link
 * FakeMailbox}, plain POP3 with --allow-plaintext): each fault ends with the documented exit code
 * and one line on stderr, no stack trace, nothing deleted that is not archived (the fake server's
 * committed deletions and the ledger are checked), and an archive that still verifies.
 */
class HostileServerIT {
  private static final String ACCOUNT = "hostile";

  @TempDir Path tmp;
  private Path archiveDir;
  private Path passwordFile;

  @BeforeEach
  void setUp() throws IOException {
    archiveDir = tmp.resolve("archive");
    passwordFile = tmp.resolve("pass");
    PasswordFiles.write(passwordFile, "any-Pa55word\n");
  }

  // ---------------------------------------------------------------- helpers

  /** A small RFC 5322 message with lines that need mboxrd quoting and dot-stuffing. */
  private static byte[] message(int i, int bodyLines) {
    StringBuilder sb =
        new StringBuilder()
            .append("From: sender")
            .append(i)
            .append("@example.test\r\nSubject: hostile ")
            .append(i)
            .append("\r\nMessage-ID: <")
            .append(i)
            .append("@hostile.test>\r\n\r\n");
    for (int l = 0; l < bodyLines; l++) {
      sb.append(l % 3 == 0 ? "From the line " : l % 3 == 1 ? ".dot line " : ">From quoted ")
          .append(i)
          .append('/')
          .append(l)
          .append("\r\n");
    }
    return sb.toString().getBytes(StandardCharsets.ISO_8859_1);
  }

  private static FakeMailbox mailbox(int count) {
    FakeMailbox box = new FakeMailbox();
    for (int i = 1; i <= count; i++) {
      box.add("uid-" + i, message(i, i + 2));
    }
    return box;
  }

  /** Wraps a script so that the client hanging up in the middle of a reply is not a failure. */
  private static ScriptedPop3Server.Script tolerant(ScriptedPop3Server.Script script) {
    return c -> {
      try {
        script.run(c);
      } catch (SocketException e) {
        // The client gave up on this server, as it should.
      }
    };
  }

  private CliRun archive(ScriptedPop3Server server, String... extra) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "archive",
                "pop3://" + ACCOUNT + "@127.0.0.1:" + server.port(),
                "--account",
                ACCOUNT,
                "--allow-plaintext",
                "--password-file",
                passwordFile.toString(),
                "--archive-dir",
                archiveDir.toString(),
                "--connect-timeout",
                "3"));
    if (!List.of(extra).contains("--timeout")) {
      args.addAll(List.of("--timeout", "3"));
    }
    args.addAll(List.of(extra));
    return CliRun.of(args.toArray(String[]::new));
  }

  /** Runs the CLI once against {@code box} and stops the server. */
  private CliRun runAgainst(FakeMailbox box, String... extra) throws IOException {
    try (ScriptedPop3Server server = ScriptedPop3Server.start(tolerant(box))) {
      return archive(server, extra);
    }
  }

  /** Checks exit code, one stderr line naming {@code fragments}, no stack trace. */
  private static void assertOneLineError(CliRun run, int exitCode, String... fragments) {
    assertThat(run.exitCode()).as(run.describe()).isEqualTo(exitCode);
    String err = run.err().strip();
    assertThat(err.lines().count()).as("one line on stderr: " + run.describe()).isEqualTo(1);
    assertThat(err).as(run.describe()).startsWith("popvault: ");
    assertThat(err).as(run.describe()).doesNotContain("\tat ", "Exception", "internal error");
    for (String f : fragments) {
      assertThat(err).as(run.describe()).contains(f);
    }
    assertThat(err.length()).as("bounded message").isLessThan(600);
  }

  private static void assertOk(CliRun run, String summary) {
    assertThat(run.exitCode()).as(run.describe()).isZero();
    assertThat(run.err()).as(run.describe()).isEmpty();
    assertThat(run.out()).as(run.describe()).contains(ACCOUNT + ": " + summary);
  }

  private Path ledger() {
    return archiveDir.resolve("ledger.db");
  }

  private long count(String sql) {
    return LedgerProbe.number(ledger(), sql);
  }

  private long archivedCount() {
    return count("select count(*) from message");
  }

  private long markedDeleted() {
    return count("select count(*) from message where deleted_at is not null");
  }

  /** Verifies the archive with the CLI: exit 0 is required. */
  private void assertVerifies() {
    CliRun verify = CliRun.of("verify", "--archive-dir", archiveDir.toString());
    assertThat(verify.exitCode()).as(verify.describe()).isZero();
  }

  /** Reads every archived message back from disk: "uidl size" → the exact bytes. */
  private Map<String, byte[]> archived() throws Exception {
    String sql =
        "select m.uidl, m.size, f.path, f.codec, fr.file_offset, fr.byte_length, m.frame_offset,"
            + " m.encoded_length, m.wire_length, m.sha256, m.raw_from_line, m.no_final_newline"
            + " from message m join frame fr on m.frame_id = fr.id"
            + " join archive_file f on fr.file_id = f.id order by m.id";
    Map<String, byte[]> out = new LinkedHashMap<>();
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + ledger());
        Statement s = c.createStatement();
        ResultSet r = s.executeQuery(sql)) {
      while (r.next()) {
        EncodedMessage m =
            new EncodedMessage(
                r.getLong(7),
                r.getLong(8),
                r.getLong(9),
                r.getBytes(10),
                r.getLong(11),
                r.getInt(12) == 1);
        try (InputStream in =
            ArchiveReader.openMessage(
                archiveDir.resolve(r.getString(3)),
                Codec.parse(r.getString(4)),
                r.getLong(5),
                r.getLong(6),
                m)) {
          out.put(r.getString(1) + " " + r.getLong(2), in.readAllBytes());
        }
      }
    }
    return out;
  }

  private static String listing(String... lines) {
    StringBuilder sb = new StringBuilder("+OK\r\n");
    for (String l : lines) {
      sb.append(l).append("\r\n");
    }
    return sb.append(".\r\n").toString();
  }

  private static List<String> dele(List<String> received) {
    return received.stream().filter(l -> l.startsWith("DELE")).toList();
  }

  // ---------------------------------------------------------------- DELE and QUIT

  @Test
  void errOnDeleUndoesTheMarksExits76AndTheNextRunDeletes() throws Exception {
    DeleAudit audit = new DeleAudit(ledger());
    FakeMailbox box =
        mailbox(3)
            .observe(audit)
            .fault(
                "DELE 2",
                (line, c) -> {
                  c.send("-ERR cannot delete now");
                  return true;
                });
    List<String> received;
    CliRun run;
    try (ScriptedPop3Server server = ScriptedPop3Server.start(tolerant(box))) {
      run = archive(server, "--delete");
      server.finish();
      received = server.received();
    }
    assertOneLineError(run, 76, "DELE 2", "cannot delete now", "nothing was deleted");
    assertThat(audit.unrecorded()).as("DELE before the ledger held the message").isEmpty();
    assertThat(received).contains("RSET", "QUIT");
    assertThat(received.indexOf("RSET")).isGreaterThan(received.indexOf("DELE 2"));
    assertThat(box.committedDeletions()).as("RSET undid every mark").isEmpty();
    assertThat(archivedCount()).as("archived before DELE").isEqualTo(3);
    assertThat(markedDeleted()).isZero();
    assertVerifies();

    CliRun again = runAgainst(mailbox(3), "--delete");
    assertOk(again, "0 new, 3 skipped, 3 deleted");
    assertThat(markedDeleted()).isEqualTo(3);
  }

  @Test
  void errOnQuitMeansNothingWasDeletedAndExits76() throws Exception {
    FakeMailbox box =
        mailbox(3)
            .fault(
                "QUIT",
                (line, c) -> {
                  c.send("-ERR some deleted messages not removed");
                  return false;
                });
    CliRun run = runAgainst(box, "--delete");
    assertOneLineError(run, 76, "QUIT", "did not commit deletions");
    assertThat(box.committedDeletions()).isEmpty();
    assertThat(archivedCount()).isEqualTo(3);
    assertThat(markedDeleted()).as("deleted_at only after QUIT +OK").isZero();
    assertVerifies();

    FakeMailbox healthy = mailbox(3);
    assertOk(runAgainst(healthy, "--delete"), "0 new, 3 skipped, 3 deleted");
    assertThat(healthy.committedDeletions()).containsExactlyInAnyOrder("uid-1", "uid-2", "uid-3");
    assertThat(markedDeleted()).isEqualTo(3);
  }

  // ---------------------------------------------------------------- listings

  @Test
  void duplicateUidlsAreAProtocolErrorAndNothingIsTouched() throws Exception {
    FakeMailbox box = new FakeMailbox().add("same", message(1, 3)).add("same", message(2, 4));
    CliRun run = runAgainst(box, "--delete");
    assertOneLineError(run, 76, "duplicate UIDL same");
    assertThat(box.committedDeletions()).isEmpty();
    assertThat(archivedCount()).isZero();
    assertThat(count("select count(*) from run where outcome = 'failed' and exit_code = 76"))
        .isEqualTo(1);
  }

  static Stream<Arguments> invalidUidls() {
    return Stream.of(
        Arguments.of("71 chars", "u".repeat(71), "length 71"),
        Arguments.of("control byte", "ab\u0001cd", "0x1"),
        Arguments.of("escape sequence", "ab\u001b[2Jcd", "0x1b"),
        Arguments.of("DEL", "ab\u007fcd", "0x7f"),
        Arguments.of("8-bit", "caf\u00e9", "0xe9"),
        Arguments.of("NUL", "a\u0000b", "0x0"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalidUidls")
  void invalidUidlIsAProtocolError(String name, String uidl, String detail) throws Exception {
    FakeMailbox box = new FakeMailbox().add("fine", message(1, 2)).add(uidl, message(2, 2));
    CliRun run = runAgainst(box, "--delete");
    assertOneLineError(run, 76, "invalid UIDL", detail);
    // The bad id is never echoed raw: control bytes could rewrite the user's terminal.
    assertThat(run.err()).doesNotContain("\u001b", "\u0001", "\u0000", "\u007f");
    assertThat(box.committedDeletions()).isEmpty();
    assertThat(archivedCount()).isZero();
  }

  @Test
  void uidlOfExactly70PrintableCharactersIsArchived() throws Exception {
    String longest = "!" + "x".repeat(68) + "~";
    FakeMailbox box = new FakeMailbox().add(longest, message(1, 2));
    assertOk(runAgainst(box, "--delete"), "1 new, 0 skipped, 1 deleted");
    assertThat(box.committedDeletions()).containsExactly(longest);
    assertThat(archived()).containsOnlyKeys(longest + " " + message(1, 2).length);
    assertVerifies();
  }

  static Stream<Arguments> badNumbers() {
    return Stream.of(
        Arguments.of("UIDL lists message 0", "UIDL", listing("0 uid-1", "1 uid-2"), "out of range"),
        Arguments.of(
            "UIDL lists a message LIST does not",
            "UIDL",
            listing("1 uid-1", "2 uid-2", "3 uid-3"),
            "message 3 in UIDL but not in LIST"),
        Arguments.of(
            "LIST lists a message UIDL does not",
            "LIST",
            listing("1 100", "2 120", "3 140"),
            "message 3 in LIST but not in UIDL"),
        Arguments.of(
            "duplicate message number",
            "LIST",
            listing("1 100", "1 120"),
            "duplicate message number 1"),
        Arguments.of(
            "number beyond int", "UIDL", listing("1 uid-1", "99999999999 uid-2"), "out of range"),
        Arguments.of("negative number", "LIST", listing("1 100", "-2 120"), "invalid"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badNumbers")
  void messageNumbersOutOfRangeAreAProtocolError(
      String name, String command, String reply, String detail) throws Exception {
    FakeMailbox box =
        mailbox(2)
            .fault(
                command,
                (line, c) -> {
                  c.sendRaw(reply);
                  return true;
                });
    CliRun run = runAgainst(box, "--delete");
    assertOneLineError(run, 76, detail);
    assertThat(box.committedDeletions()).isEmpty();
    assertThat(archivedCount()).isZero();
  }

  @Test
  void retrOfAListedNumberAnsweredWithErrKeepsEarlierBatchesAndDeletesNothing() throws Exception {
    FakeMailbox box =
        mailbox(3)
            .fault(
                "RETR 3",
                (line, c) -> {
                  c.send("-ERR no such message");
                  return true;
                });
    CliRun run = runAgainst(box, "--delete", "--batch-size", "1");
    assertOneLineError(run, 76, "RETR 3", "no such message");
    assertThat(box.committedDeletions()).isEmpty();
    assertThat(archived().keySet())
        .containsExactly("uid-1 " + message(1, 3).length, "uid-2 " + message(2, 4).length);
    assertVerifies();
  }

  // ---------------------------------------------------------------- sizes

  /**
   * Decision (docs/design.md "Exactness"): what RETR delivers is what is archived, byte for byte;
   * the ledger keeps the LIST size (part of the message's identity) and the wire length apart. A
   * mismatch is normal on some servers (Dovecot adds CRLF to a message without a final newline), so
   * it is no error, and the message is deleted like any other: its delivered bytes are verified on
   * disk.
   */
  @Test
  void listSizeMismatchArchivesExactlyWhatWasSent() throws Exception {
    byte[] m1 = message(1, 3);
    byte[] m2 = message(2, 40);
    String lies = listing("1 " + (m1.length + 500), "2 " + (m2.length / 2));
    FakeMailbox box =
        new FakeMailbox()
            .add("uid-1", m1)
            .add("uid-2", m2)
            .fault(
                "LIST",
                (line, c) -> {
                  c.sendRaw(lies);
                  return true;
                });
    assertOk(runAgainst(box, "--delete"), "2 new, 0 skipped, 2 deleted");
    Map<String, byte[]> back = archived();
    assertThat(back).containsOnlyKeys("uid-1 " + (m1.length + 500), "uid-2 " + (m2.length / 2));
    assertThat(back.get("uid-1 " + (m1.length + 500))).isEqualTo(m1);
    assertThat(back.get("uid-2 " + (m2.length / 2))).isEqualTo(m2);
    assertThat(LedgerProbe.column(ledger(), "select wire_length from message order by id"))
        .containsExactly(Integer.toString(m1.length), Integer.toString(m2.length));
    assertThat(box.committedDeletions()).containsExactlyInAnyOrder("uid-1", "uid-2");
    assertVerifies();
  }

  @ParameterizedTest(name = "LIST size {0}")
  @ValueSource(strings = {"-5", "99999999999999999999", "1099511627777", "12abc", "0x10", "+7"})
  void negativeOrHugeSizesAreAProtocolError(String size) throws Exception {
    FakeMailbox box =
        mailbox(2)
            .fault(
                "LIST",
                (line, c) -> {
                  c.sendRaw(listing("1 100", "2 " + size));
                  return true;
                });
    CliRun run = runAgainst(box, "--delete");
    assertOneLineError(run, 76, "size of message 2");
    assertThat(box.committedDeletions()).isEmpty();
    assertThat(archivedCount()).isZero();
  }

  @Test
  void hugeButPlausibleListSizeStillStreamsTheRealMessage() throws Exception {
    byte[] m1 = message(1, 5);
    FakeMailbox box =
        new FakeMailbox()
            .add("uid-1", m1)
            .fault(
                "LIST",
                (line, c) -> {
                  c.sendRaw(listing("1 1099511627776"));
                  return true;
                });
    assertOk(runAgainst(box), "1 new, 0 skipped, 0 deleted");
    assertThat(archived()).containsOnlyKeys("uid-1 1099511627776");
    assertThat(archived().get("uid-1 1099511627776")).isEqualTo(m1);
    assertVerifies();
  }

  // ---------------------------------------------------------------- truncated and endless replies

  @Test
  void retrWithoutTerminatorThenEofKeepsCommittedBatchesOnly() throws Exception {
    byte[] m2 = message(2, 4);
    FakeMailbox box =
        mailbox(3)
            .fault(
                "RETR 2",
                (line, c) -> {
                  c.send("+OK " + m2.length + " octets");
                  c.sendRaw(Arrays.copyOf(m2, m2.length / 2));
                  return false; // EOF: the connection closes without the terminator
                });
    CliRun run = runAgainst(box, "--delete", "--batch-size", "1");
    assertOneLineError(run, 75, "connection lost during RETR 2");
    assertThat(box.committedDeletions()).isEmpty();
    assertThat(archived()).containsOnlyKeys("uid-1 " + message(1, 3).length);
    assertVerifies();

    FakeMailbox healthy = mailbox(3);
    assertOk(runAgainst(healthy, "--delete"), "2 new, 1 skipped, 3 deleted");
    Map<String, byte[]> back = archived();
    assertThat(back).hasSize(3);
    assertThat(back.get("uid-2 " + m2.length)).isEqualTo(m2);
    assertVerifies();
  }

  @Test
  void aTenMegabyteLineInsideAMessageIsArchivedExactly() throws Exception {
    byte[] huge = tenMegabyteLineMessage();
    FakeMailbox box = new FakeMailbox().add("uid-1", message(1, 2)).add("uid-big", huge);
    assertOk(runAgainst(box, "--delete"), "2 new, 0 skipped, 2 deleted");
    assertThat(archived().get("uid-big " + huge.length)).isEqualTo(huge);
    assertVerifies();
  }

  private static byte[] tenMegabyteLineMessage() {
    byte[] head = "Subject: one long line\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
    byte[] huge = new byte[head.length + 10 * 1024 * 1024 + 2];
    System.arraycopy(head, 0, huge, 0, head.length);
    for (int i = head.length; i < huge.length - 2; i++) {
      huge[i] = (byte) ('a' + i % 26);
    }
    huge[huge.length - 2] = '\r';
    huge[huge.length - 1] = '\n';
    return huge;
  }

  static Stream<Arguments> tenMegabyteLines() {
    return Stream.of(
        Arguments.of("greeting", null, "in reply to greeting"),
        Arguments.of("CAPA", "CAPA", "in reply to CAPA"),
        Arguments.of("UIDL status", "UIDL", "in reply to UIDL"),
        Arguments.of("LIST entry", "LIST", "in reply to LIST"),
        Arguments.of("RETR status", "RETR 1", "in reply to RETR 1"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("tenMegabyteLines")
  void aTenMegabyteLineWhereALineIsExpectedIsAProtocolError(
      String name, String command, String detail) throws Exception {
    byte[] line = new byte[10 * 1024 * 1024 + 2];
    Arrays.fill(line, (byte) 'x');
    line[line.length - 2] = '\r';
    line[line.length - 1] = '\n';
    if ("LIST".equals(command)) {
      byte[] prefix = "+OK\r\n1 ".getBytes(StandardCharsets.US_ASCII);
      System.arraycopy(prefix, 0, line, 0, prefix.length);
    } else {
      line[0] = '+';
      line[1] = 'O';
      line[2] = 'K';
      line[3] = ' ';
    }
    ScriptedPop3Server.Script script;
    FakeMailbox box = mailbox(2);
    if (command == null) {
      script = c -> c.sendRaw(line);
    } else {
      box.fault(
          command,
          (l, c) -> {
            c.sendRaw(line);
            return true;
          });
      script = box;
    }
    CliRun run;
    try (ScriptedPop3Server server = ScriptedPop3Server.start(tolerant(script))) {
      run = archive(server, "--delete");
    }
    assertOneLineError(run, 76, "line longer than 8192 bytes", detail);
    assertThat(box.committedDeletions()).isEmpty();
    if (Files.exists(ledger())) {
      assertThat(archivedCount()).isZero();
    }
  }

  /**
   * Memory stays bounded: the real launcher with a 16 MiB heap archives a 30 MiB message made of
   * three 10 MiB lines (buffering a line or the message would not fit).
   */
  @Test
  void tenMegabyteLinesStreamThroughASixteenMegabyteHeap() throws Exception {
    byte[] oneLine = tenMegabyteLineMessage();
    byte[] body = new byte[oneLine.length * 3];
    for (int k = 0; k < 3; k++) {
      System.arraycopy(oneLine, 0, body, k * oneLine.length, oneLine.length);
    }
    FakeMailbox box = new FakeMailbox().add("uid-big", body);
    Path launcher = Path.of(System.getProperty("popvault.basedir", "."), "bin", "popvault");
    Path log = tmp.resolve("child.log");
    int exit;
    try (ScriptedPop3Server server = ScriptedPop3Server.start(tolerant(box))) {
      ProcessBuilder pb =
          new ProcessBuilder(
              launcher.toString(),
              "archive",
              "pop3://" + ACCOUNT + "@127.0.0.1:" + server.port(),
              "--account",
              ACCOUNT,
              "--allow-plaintext",
              "--archive-dir",
              archiveDir.toString(),
              "--delete");
      pb.environment().put("POPVAULT_PASSWORD", "any-Pa55word");
      pb.environment().put("POPVAULT_JAVA_OPTS", "-Xmx16m -XX:+UseSerialGC");
      pb.redirectErrorStream(true);
      pb.redirectOutput(log.toFile());
      Process child = pb.start();
      assertThat(child.waitFor(120, TimeUnit.SECONDS)).as("child finished").isTrue();
      exit = child.exitValue();
    }
    String output = Files.readString(log);
    assertThat(exit).as(output).isZero();
    assertThat(output).contains("1 new, 0 skipped, 1 deleted").doesNotContain("OutOfMemory");
    assertThat(box.committedDeletions()).containsExactly("uid-big");
    byte[] back = archived().get("uid-big " + body.length);
    assertThat(back).isNotNull();
    assertThat(HexFormat.of().formatHex(sha256(back)))
        .isEqualTo(HexFormat.of().formatHex(sha256(body)));
    assertVerifies();
  }

  private static byte[] sha256(byte[] b) throws Exception {
    return java.security.MessageDigest.getInstance("SHA-256").digest(b);
  }

  // ---------------------------------------------------------------- pipelining

  /**
   * A server that advertises PIPELINING and then puts the status line of RETR 2 inside the reply to
   * RETR 1: the client notices the reply to RETR 2 is not a status line, commits nothing of the
   * batch (its frame could hold mixed-up bytes) and deletes nothing.
   */
  @Test
  void pipelinedRepliesOutOfTurnAreAProtocolErrorAndTheBatchIsDropped() throws Exception {
    byte[] m1 = message(1, 3);
    byte[] m2 = message(2, 4);
    FakeMailbox box =
        new FakeMailbox()
            .add("uid-1", m1)
            .add("uid-2", m2)
            .add("uid-3", message(3, 5))
            .fault(
                "RETR 1",
                (line, c) -> {
                  c.send("+OK " + m1.length + " octets");
                  c.send("+OK " + m2.length + " octets"); // RETR 2's status, out of turn
                  c.sendRaw(FakeMailbox.stuffed(m1));
                  return true;
                })
            .fault(
                "RETR 2",
                (line, c) -> {
                  c.sendRaw(FakeMailbox.stuffed(m2)); // the body, without its status line
                  return true;
                });
    List<String> received;
    CliRun run;
    try (ScriptedPop3Server server = ScriptedPop3Server.start(tolerant(box))) {
      run = archive(server, "--delete");
      server.finish();
      received = server.received();
    }
    assertOneLineError(run, 76, "unexpected reply to RETR 2", "From: sender2@example.test");
    assertThat(received).as("RETRs were pipelined").contains("RETR 1", "RETR 2", "RETR 3");
    assertThat(dele(received)).isEmpty();
    assertThat(box.committedDeletions()).isEmpty();
    assertThat(archivedCount()).isZero();
    assertThat(Files.exists(archiveDir.resolve(ACCOUNT)) ? sizeOfArchives() : 0L)
        .as("the aborted frame was cut back")
        .isZero();
  }

  private long sizeOfArchives() throws IOException {
    try (Stream<Path> files = Files.walk(archiveDir.resolve(ACCOUNT))) {
      long total = 0;
      for (Path p : files.filter(Files::isRegularFile).toList()) {
        total += Files.size(p);
      }
      return total;
    }
  }

  /**
   * A server that advertises PIPELINING but answers only the first of several pipelined commands:
   * the client hits its read timeout and names the command that got no answer.
   */
  @Test
  void pipelinedCommandsLeftUnansweredHitTheReadTimeoutNamingTheCommand() throws Exception {
    FakeMailbox box = mailbox(3);
    for (String ignored : List.of("RETR 2", "RETR 3")) {
      box.fault(ignored, (line, c) -> true);
    }
    long start = System.nanoTime();
    CliRun run = runAgainst(box, "--delete", "--timeout", "2");
    long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start);
    assertOneLineError(run, 75, "did not answer RETR 2 within 2 s");
    assertThat(seconds).as("timeout, not a hang").isLessThan(30);
    assertThat(box.committedDeletions()).isEmpty();
    assertThat(archivedCount()).isZero();
  }

  /**
   * Known limit (docs/design.md): pipelined replies sent in another order than asked cannot be told
   * apart by the client. Nothing is lost: every delivered message is archived exactly and verifies,
   * only under the other UIDL.
   */
  @Test
  void pipelinedRepliesInAnotherOrderStillLoseNothing() throws Exception {
    byte[] m1 = message(1, 3);
    byte[] m2 = message(2, 9);
    FakeMailbox box =
        new FakeMailbox()
            .add("uid-1", m1)
            .add("uid-2", m2)
            .fault("RETR 1", (line, c) -> true) // held back, answered after RETR 2
            .fault(
                "RETR 2",
                (line, c) -> {
                  c.send("+OK");
                  c.sendRaw(FakeMailbox.stuffed(m2));
                  c.send("+OK");
                  c.sendRaw(FakeMailbox.stuffed(m1));
                  return true;
                });
    assertOk(runAgainst(box, "--delete"), "2 new, 0 skipped, 2 deleted");
    HexFormat hex = HexFormat.of();
    assertThat(archived().values().stream().map(hex::formatHex).toList())
        .containsExactlyInAnyOrder(hex.formatHex(m1), hex.formatHex(m2));
    assertThat(box.committedDeletions()).containsExactlyInAnyOrder("uid-1", "uid-2");
    assertVerifies();
  }

  // ---------------------------------------------------------------- authentication

  @Test
  void apopAskedButTheGreetingHasNoTimestampRefusesWithoutSendingCredentials() throws Exception {
    FakeMailbox box = mailbox(2).greeting("POP3 ready, no timestamp here");
    List<String> received;
    CliRun run;
    try (ScriptedPop3Server server = ScriptedPop3Server.start(tolerant(box))) {
      run = archive(server, "--auth", "apop", "--delete");
      server.finish();
      received = server.received();
    }
    assertOneLineError(run, 77, "no APOP timestamp");
    assertThat(received).noneMatch(l -> l.startsWith("APOP") || l.startsWith("PASS"));
    assertThat(run.err()).doesNotContain("any-Pa55word");
    assertThat(box.committedDeletions()).isEmpty();
  }

  // ---------------------------------------------------------------- UIDL reuse

  /**
   * Run 1 archives X under UIDL u (without deleting). Run 2 finds another message Y, with another
   * size, under the same u: Y is a new message, archived as a second row, and DELEd only after its
   * own row is committed; X stays archived.
   */
  @Test
  void aReusedUidlWithAnotherSizeIsArchivedAsANewMessageBeforeAnyDelete() throws Exception {
    byte[] x = message(1, 3);
    byte[] y = message(9, 12);
    assertOk(runAgainst(new FakeMailbox().add("u", x)), "1 new, 0 skipped, 0 deleted");

    // Run 2 fails while fetching Y: no DELE may be sent for u, whose (u, size) is not archived.
    FakeMailbox failing =
        new FakeMailbox()
            .add("u", y)
            .fault(
                "RETR 1",
                (line, c) -> {
                  c.send("+OK");
                  c.sendRaw(Arrays.copyOf(y, 20));
                  c.cut();
                  return false;
                });
    List<String> received;
    CliRun cut;
    try (ScriptedPop3Server server = ScriptedPop3Server.start(tolerant(failing))) {
      cut = archive(server, "--delete");
      server.finish();
      received = server.received();
    }
    assertOneLineError(cut, 75, "RETR 1");
    assertThat(dele(received)).as("never deleted unseen").isEmpty();
    assertThat(failing.committedDeletions()).isEmpty();

    DeleAudit audit = new DeleAudit(ledger());
    FakeMailbox reused = new FakeMailbox().add("u", y).observe(audit);
    try (ScriptedPop3Server server = ScriptedPop3Server.start(tolerant(reused))) {
      CliRun run = archive(server, "--delete");
      server.finish();
      assertOk(run, "1 new, 0 skipped, 1 deleted");
      received = server.received();
    }
    assertThat(received.indexOf("DELE 1")).isGreaterThan(received.indexOf("RETR 1"));
    assertThat(audit.unrecorded()).as("DELE of Y before (u, size of Y) was committed").isEmpty();
    assertThat(audit.deleted()).containsExactly("u");
    assertThat(reused.committedDeletions()).containsExactly("u");
    Map<String, byte[]> back = archived();
    assertThat(back).containsOnlyKeys("u " + x.length, "u " + y.length);
    assertThat(back.get("u " + x.length)).isEqualTo(x);
    assertThat(back.get("u " + y.length)).isEqualTo(y);
    assertThat(count("select count(*) from message where uidl = 'u' and deleted_at is not null"))
        .as("only Y was deleted from the server")
        .isEqualTo(1);
    assertThat(
            LedgerProbe.column(ledger(), "select size from message where deleted_at is not null"))
        .containsExactly(Integer.toString(y.length));
    assertVerifies();
  }

  /**
   * Only what the ledger holds with the same (UIDL, size) is ever DELEd, checked at the instant
   * each DELE reaches the server. Y under the reused UIDL u is fetched and written, but its frame
   * does not read back from disk ({@link LyingDisk}): (u, size of Y) never enters the ledger, the
   * run fails, and no DELE may go out — not for u, and not for v either (the run failed).
   */
  @Test
  void deleteSkipsAReusedUidlThatIsNotYetArchived() throws Exception {
    byte[] x = message(1, 3);
    byte[] y = message(9, 12);
    assertOk(
        runAgainst(new FakeMailbox().add("u", x).add("v", message(2, 2))),
        "2 new, 0 skipped, 0 deleted");
    DeleAudit audit = new DeleAudit(ledger());
    LyingDisk lie = LyingDisk.at("RETR 1", archiveDir, 2);
    FakeMailbox box =
        new FakeMailbox().add("u", y).add("v", message(2, 2)).observe(audit).observe(lie);
    CliRun run = runAgainst(box, "--delete");
    assertThat(lie.fired()).as("the disk lied").isTrue();
    assertThat(audit.unrecorded()).as("DELE for a message the ledger did not hold").isEmpty();
    assertThat(count("select count(*) from message where uidl = 'u'"))
        .as("(u, size of Y) is not committed: its frame did not read back")
        .isEqualTo(1);
    assertOneLineError(run, 65, "verify after write failed");
    assertThat(audit.deleted()).as("a failed run sends no DELE").isEmpty();
    assertThat(box.committedDeletions()).isEmpty();
    assertThat(count("select count(*) from message where uidl = 'u'")).isEqualTo(1);
    assertVerifies();

    // With an honest disk Y is archived first, then both go, each DELE after its row committed.
    FakeMailbox honest = new FakeMailbox().add("u", y).add("v", message(2, 2)).observe(audit);
    CliRun again = runAgainst(honest, "--delete");
    assertThat(audit.unrecorded()).as("DELE for a message the ledger did not hold").isEmpty();
    assertOk(again, "1 new, 1 skipped, 2 deleted");
    assertThat(audit.deleted()).containsExactly("u", "v");
    assertThat(honest.committedDeletions()).containsExactlyInAnyOrder("u", "v");
    assertThat(count("select count(*) from message where uidl = 'u'")).isEqualTo(2);
    assertVerifies();
  }
}
