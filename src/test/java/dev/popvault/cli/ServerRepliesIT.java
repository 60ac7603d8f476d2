package dev.popvault.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.popvault.testsupport.CliRun;
import dev.popvault.testsupport.FakeMailbox;
import dev.popvault.testsupport.LedgerProbe;
import dev.popvault.testsupport.PasswordFiles;
import dev.popvault.testsupport.ScriptedPop3Server;
import dev.popvault.testsupport.TestCertificates;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * What the server says decides the exit code (issue 9, item 7): RFC 2449 / RFC 3206 response codes
 * on the greeting, USER, PASS, AUTH and DELE; TLS handshakes that fail on the server's side (69)
 * versus a certificate popvault refuses (77); and the -vv log that hides what popvault sends
 * without rewriting what the server replies. Every run goes through the CLI against a scripted
 * server on loopback; every failure must leave the ledger, the archive files and the server's
 * mailbox as they were.
 */
class ServerRepliesIT {
  private static final String ACCOUNT = "replies";

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

  private static FakeMailbox mailbox() {
    FakeMailbox box = new FakeMailbox();
    for (int i = 1; i <= 3; i++) {
      box.add(
          "uid-" + i,
          ("From: a@example.test\r\nSubject: reply " + i + "\r\n\r\nbody " + i + "\r\n")
              .getBytes(StandardCharsets.US_ASCII));
    }
    return box;
  }

  /** Answers the exact client line {@code line} of {@code box} with {@code reply}. */
  private static FakeMailbox replying(FakeMailbox box, String line, String reply) {
    return box.fault(
        line,
        (l, c) -> {
          c.send(reply);
          return true;
        });
  }

  /** Wraps a script so that the client hanging up (or refusing TLS) is not a script failure. */
  private static ScriptedPop3Server.Script tolerant(ScriptedPop3Server.Script script) {
    return c -> {
      try {
        script.run(c);
      } catch (IOException e) {
        // The client gave up on this server, as it should.
      }
    };
  }

  private CliRun archive(String url, String... extra) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "archive",
                url,
                "--account",
                ACCOUNT,
                "--password-file",
                passwordFile.toString(),
                "--archive-dir",
                archiveDir.toString(),
                "--connect-timeout",
                "3",
                "--timeout",
                "3"));
    args.addAll(List.of(extra));
    return CliRun.of(args.toArray(String[]::new));
  }

  private CliRun archivePlain(ScriptedPop3Server server, String... extra) {
    List<String> args = new ArrayList<>(List.of("--allow-plaintext"));
    args.addAll(List.of(extra));
    return archive(
        "pop3://" + ACCOUNT + "@127.0.0.1:" + server.port(), args.toArray(String[]::new));
  }

  /** Checks exit code, one stderr line holding {@code fragments}, no class name, no trace. */
  private static void assertOneLineError(CliRun run, int exitCode, String... fragments) {
    assertThat(run.exitCode()).as(run.describe()).isEqualTo(exitCode);
    String err = run.err().strip();
    assertThat(err.lines().count()).as("one line on stderr: " + run.describe()).isEqualTo(1);
    assertThat(err).as(run.describe()).startsWith("popvault: ");
    assertThat(err)
        .as(run.describe())
        .doesNotContain("\tat ", "Exception", "dev.popvault", "javax.", "internal error");
    for (String f : fragments) {
      assertThat(err).as(run.describe()).contains(f);
    }
  }

  /** The ledger's messages and the archive files' sizes: what a failed run must not change. */
  private Map<String, Object> state() throws IOException {
    Map<String, Object> state = new TreeMap<>();
    state.put(
        "messages",
        LedgerProbe.column(
            archiveDir.resolve("ledger.db"),
            "select uidl || ' ' || hex(sha256) || ' ' || ifnull(deleted_at, '-') from message"
                + " order by uidl"));
    try (Stream<Path> files = Files.walk(archiveDir.resolve(ACCOUNT))) {
      for (Path f : files.filter(Files::isRegularFile).toList()) {
        state.put(archiveDir.relativize(f).toString(), Files.size(f));
      }
    }
    return state;
  }

  /** Archives the whole mailbox without deleting, so later failures have a state to keep. */
  private void archiveEverything() throws IOException {
    try (ScriptedPop3Server server = ScriptedPop3Server.start(tolerant(mailbox()))) {
      CliRun run = archivePlain(server);
      assertThat(run.exitCode()).as(run.describe()).isZero();
    }
  }

  // ---------------------------------------------------------------- response codes

  /**
   * Each response code on the reply it belongs to ends the run with its exit code and the server's
   * text, leaves the ledger and archive untouched, and deletes nothing although --delete was given.
   */
  @ParameterizedTest(name = "{0} answered ''{1}'' -> {2}")
  @CsvSource(
      delimiter = '|',
      value = {
        "PASS | -ERR [IN-USE] Unable to lock maildrop: in use by another session | 75"
            + " | mailbox is in use by another session; try again later",
        "PASS | -ERR [LOGIN-DELAY] Minimum time between logins not yet reached | 75"
            + " | allows one login every 900 s; try again later",
        "PASS | -ERR [SYS/TEMP] Mail store temporarily unavailable | 75"
            + " | temporary failure on the server; try again later",
        "PASS | -ERR [SYS/TEMP/DISK] Mail store full, try later | 75 | try again later",
        "PASS | -ERR [SYS/PERM] Mailbox is corrupt, contact support | 69"
            + " | permanent failure on the server",
        "PASS | -ERR [AUTH] Invalid login or password | 77 | authentication failed for replies",
        "PASS | -ERR Invalid login or password | 77 | authentication failed for replies",
        "PASS | -ERR [UNKNOWN-CODE] Invalid login or password | 77 | authentication failed",
        "USER | -ERR [SYS/TEMP] User database temporarily unavailable | 75 | try again later",
        "USER | -ERR [LOGIN-DELAY] Wait before logging in again | 75 | try again later",
        "USER | -ERR [AUTH] Plaintext authentication disallowed | 77 | authentication failed",
        "DELE 2 | -ERR [SYS/TEMP] Cannot delete now | 75 | nothing was deleted",
        "DELE 2 | -ERR [SYS/PERM] Mailbox is read-only | 69 | nothing was deleted",
        "DELE 2 | -ERR Cannot delete now | 76 | nothing was deleted",
      })
  void responseCodeDecidesTheExitCodeAndNothingChanges(
      String command, String reply, int exitCode, String hint) throws Exception {
    archiveEverything();
    Map<String, Object> before = state();
    String line =
        switch (command) {
          case "PASS" -> "PASS any-Pa55word";
          case "USER" -> "USER " + ACCOUNT;
          default -> command;
        };
    FakeMailbox box =
        replying(
            mailbox().capabilities("USER", "UIDL", "TOP", "PIPELINING", "LOGIN-DELAY 900"),
            line,
            reply);
    CliRun run;
    try (ScriptedPop3Server server = ScriptedPop3Server.start(tolerant(box))) {
      run = archivePlain(server, "--delete");
    }
    String serverText = reply.substring("-ERR ".length());
    assertOneLineError(run, exitCode, serverText, hint);
    assertThat(box.committedDeletions()).as("nothing deleted: " + run.describe()).isEmpty();
    assertThat(state()).as(run.describe()).isEqualTo(before);
  }

  @Test
  void errGreetingWithSysTempIsTemporaryAndWithoutACodeIsUnavailable() throws Exception {
    for (String[] c :
        new String[][] {
          {"-ERR [SYS/TEMP] Too many connections, try later", "75"},
          {"-ERR [IN-USE] Maildrop locked", "75"},
          {"-ERR [SYS/PERM] Service retired", "69"},
          {"-ERR Go away", "69"},
        }) {
      CliRun run;
      try (ScriptedPop3Server server =
          ScriptedPop3Server.start(tolerant(conv -> conv.send(c[0])))) {
        run = archivePlain(server);
        assertThat(server.received()).as("no credential sent").noneMatch(l -> l.startsWith("PASS"));
      }
      assertOneLineError(run, Integer.parseInt(c[1]), "refused the session", c[0].substring(5));
    }
  }

  @Test
  void inUseAfterAuthPlainIsTemporary() throws Exception {
    FakeMailbox box =
        replying(
            mailbox().capabilities("USER", "UIDL", "SASL PLAIN"),
            "AUTH PLAIN " + plainResponse(),
            "-ERR [IN-USE] Mailbox locked by another POP3 session");
    CliRun run;
    try (ScriptedPop3Server server = ScriptedPop3Server.start(tolerant(box))) {
      run = archivePlain(server, "--delete");
    }
    assertOneLineError(
        run,
        75,
        "server refused the login for replies: [IN-USE] Mailbox locked by another POP3 session",
        "try again later");
  }

  private static String plainResponse() {
    return java.util.Base64.getEncoder()
        .encodeToString(("\0" + ACCOUNT + "\0any-Pa55word").getBytes(StandardCharsets.UTF_8));
  }

  // ---------------------------------------------------------------- TLS

  @Test
  void plaintextPop3PortUsedWithPop3sIsUnavailableWithAHint() throws Exception {
    try (ScriptedPop3Server server = ScriptedPop3Server.start(tolerant(mailbox()))) {
      CliRun run = archive("pop3s://" + ACCOUNT + "@127.0.0.1:" + server.port(), "--delete");
      assertOneLineError(
          run, 69, "TLS handshake with 127.0.0.1:" + server.port() + " failed", "POP3S port");
      assertThat(server.received()).noneMatch(l -> l.startsWith("PASS") || l.startsWith("USER"));
    }
  }

  @Test
  void serverClosingDuringTheHandshakeIsUnavailable() throws Exception {
    try (RawTlsServer server = RawTlsServer.closingAtOnce()) {
      CliRun run = archive("pop3s://" + ACCOUNT + "@127.0.0.1:" + server.port());
      assertOneLineError(run, 69, "TLS handshake with 127.0.0.1:" + server.port() + " failed");
    }
  }

  /**
   * The server refuses us with a fatal alert (it demands a client certificate we do not have): the
   * server's decision, not a credential, so 69. The pin makes popvault trust the certificate first,
   * so the failure is on the server's side only.
   */
  @Test
  void serverAlertDuringTheHandshakeIsUnavailable() throws Exception {
    try (RawTlsServer server =
        RawTlsServer.demandingClientCertificates(TestCertificates.serverContext("localhost"))) {
      CliRun run =
          archive(
              "pop3s://" + ACCOUNT + "@127.0.0.1:" + server.port(),
              "--fingerprint",
              TestCertificates.fingerprint("localhost"));
      // The client sees the alert, or the closed socket when its last flight crosses the alert.
      assertOneLineError(run, 69, "TLS handshake with 127.0.0.1:" + server.port() + " failed");
    }
  }

  @Test
  void untrustedSelfSignedCertificateIsStillRefusedWith77() throws Exception {
    SSLContext ctx = TestCertificates.serverContext("localhost");
    try (ScriptedPop3Server server =
        ScriptedPop3Server.startImplicitTls(ctx, tolerant(mailbox()))) {
      CliRun run = archive("pop3s://" + ACCOUNT + "@127.0.0.1:" + server.port());
      assertOneLineError(
          run,
          77,
          "certificate of 127.0.0.1 is not trusted",
          TestCertificates.fingerprint("localhost"));
      assertThat(server.received()).isEmpty();
    }
  }

  // ---------------------------------------------------------------- redaction

  /**
   * With a one-letter password, -vv shows every server line as the server sent it (the letter is in
   * most of its words) and hides only what popvault sent: PASS is logged as asterisks, and no
   * client line carries the password.
   */
  @Test
  void oneLetterPasswordIsHiddenInWhatPopvaultSendsAndServerTextStaysIntact() throws Exception {
    PasswordFiles.write(passwordFile, "e\n");
    String refusal = "-ERR [IN-USE] Unable to lock maildrop: see the other session";
    FakeMailbox box =
        mailbox()
            .password("e")
            .greeting("Welcome, the server is ready <17.42@fake.test>")
            .capabilities(
                "USER", "UIDL", "TOP", "PIPELINING", "IMPLEMENTATION Fake Server Edition");
    CliRun ok;
    try (ScriptedPop3Server server = ScriptedPop3Server.start(tolerant(box))) {
      ok = archivePlain(server, "-vv");
      assertThat(server.received()).as("the server got the password").contains("PASS e");
    }
    assertThat(ok.exitCode()).as(ok.describe()).isZero();
    List<String> sent = ok.err().lines().filter(l -> l.startsWith("popvault: C: ")).toList();
    assertThat(sent).as(ok.describe()).contains("popvault: C: PASS ********");
    assertThat(sent).as(ok.describe()).noneMatch(l -> l.matches("popvault: C: PASS .*e.*"));
    assertThat(ok.err())
        .as(ok.describe())
        .contains("popvault: S: +OK Welcome, the server is ready <17.42@fake.test>")
        .contains("popvault: S: IMPLEMENTATION Fake Server Edition");

    FakeMailbox locked = replying(mailbox(), "PASS e", refusal);
    CliRun refused;
    try (ScriptedPop3Server server = ScriptedPop3Server.start(tolerant(locked))) {
      refused = archivePlain(server, "-vv");
    }
    assertThat(refused.exitCode()).as(refused.describe()).isEqualTo(75);
    assertThat(refused.err()).as(refused.describe()).contains("popvault: S: " + refusal);
    String last = refused.err().strip().lines().reduce((a, b) -> b).orElseThrow();
    assertThat(last)
        .as(refused.describe())
        .startsWith("popvault: server refused the login for replies: ")
        .contains(refusal.substring(5));
  }

  /** A bare TLS listener for the handshake failures a scripted POP3 script cannot stage. */
  private static final class RawTlsServer implements AutoCloseable {
    private final ServerSocket listener;
    private final Thread thread;

    private RawTlsServer(SSLContext ctx) throws IOException {
      listener = new ServerSocket();
      listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
      thread =
          new Thread(
              () -> {
                while (!listener.isClosed()) {
                  try (Socket s = listener.accept()) {
                    if (ctx == null) {
                      // Take the ClientHello, then hang up without a word.
                      s.getInputStream().read(new byte[512]);
                    } else {
                      SSLSocket tls =
                          (SSLSocket)
                              ctx.getSocketFactory()
                                  .createSocket(s, "127.0.0.1", s.getPort(), true);
                      tls.setUseClientMode(false);
                      // TLS 1.2, so that the alert arrives inside the client's handshake.
                      tls.setEnabledProtocols(new String[] {"TLSv1.2"});
                      tls.setNeedClientAuth(true);
                      tls.startHandshake();
                    }
                  } catch (IOException e) {
                    // The handshake is meant to fail; the next client gets the same.
                  }
                }
              },
              "raw-tls-server");
      thread.setDaemon(true);
      thread.start();
    }

    /** Accepts and closes every connection at once, before any TLS byte. */
    static RawTlsServer closingAtOnce() throws IOException {
      return new RawTlsServer(null);
    }

    /** Handshakes with {@code ctx} but demands a client certificate, failing with an alert. */
    static RawTlsServer demandingClientCertificates(SSLContext ctx) throws IOException {
      return new RawTlsServer(ctx);
    }

    int port() {
      return listener.getLocalPort();
    }

    @Override
    public void close() throws IOException {
      listener.close();
    }
  }
}
