package dev.popvault.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.popvault.testsupport.CliRun;
import dev.popvault.testsupport.DovecotServer;
import dev.popvault.testsupport.DovecotServer.TlsVariant;
import dev.popvault.testsupport.FakeMailbox;
import dev.popvault.testsupport.LedgerProbe;
import dev.popvault.testsupport.PasswordFiles;
import dev.popvault.testsupport.ScriptedPop3Server;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Security (issue 3, item 6): certificate trust against real Dovecot TLS (untrusted CA, wrong host
 * name, expired), STLS downgrade and plaintext refusal against a scripted server that records what
 * the client sent, the password in argv/{@code ps}/logs/files of a real child process, file modes,
 * and archive paths built from hostile account names.
 *
 * <p>Decision (pinning): {@code --fingerprint} trusts exactly one certificate, whatever its host
 * name and validity dates say. Pinning is an explicit user decision for self-signed or otherwise
 * unverifiable servers, and a pinned expired certificate is still the very key the user chose; so
 * WRONG_HOST and EXPIRED certificates are accepted when their fingerprint is pinned, and refused
 * with {@code --ca-file} alone.
 */
class SecurityIT {
  private static final String PASSWORD = "Secur1ty-Pw-7f3a";
  private static final Map<TlsVariant, DovecotServer> servers = new EnumMap<>(TlsVariant.class);
  private static final List<String> CASES =
      List.of("none-refused", "ca", "ca-refused", "pin", "wrongpin", "stls");

  @TempDir static Path serverDirs;
  @TempDir Path tmp;

  @BeforeAll
  static void startDovecots() throws Exception {
    DovecotServer.requireAvailable();
    // Dovecot's mail processes run as nobody and must traverse the work directories.
    Files.setPosixFilePermissions(serverDirs, PosixFilePermissions.fromString("rwxr-xr-x"));
    for (TlsVariant v : TlsVariant.values()) {
      DovecotServer d = DovecotServer.start(serverDirs.resolve(v.name()), v);
      servers.put(v, d);
      for (String c : CASES) {
        d.addUser(c, PASSWORD);
      }
      for (String c : CASES) {
        d.deliver(c, "msg-" + c, ("Subject: " + c + "\r\n\r\nbody\r\n").getBytes());
      }
    }
  }

  @AfterAll
  static void stopDovecots() {
    servers.values().forEach(DovecotServer::close);
  }

  private Path passwordFile() throws IOException {
    Path f = tmp.resolve("pass");
    if (!Files.exists(f)) {
      PasswordFiles.write(f, PASSWORD + "\n");
    }
    return f;
  }

  private CliRun archive(String url, Path archiveDir, String... extra) throws IOException {
    List<String> args =
        new ArrayList<>(
            List.of(
                "archive",
                url,
                "--password-file",
                passwordFile().toString(),
                "--archive-dir",
                archiveDir.toString()));
    args.addAll(List.of(extra));
    return CliRun.of(args.toArray(String[]::new));
  }

  private static void assertRefused77(CliRun r) {
    assertThat(r.exitCode()).as(r.describe()).isEqualTo(77);
    assertThat(r.err().lines()).as(r.describe()).hasSize(1);
    assertThat(r.err() + r.out()).doesNotContain(PASSWORD);
  }

  // ------------------------------------------------------------------------------------------
  // Certificates (real Dovecot, implicit TLS and STLS)

  /**
   * Each variant × trust option: {@code ca} = --ca-file of the test CA, {@code pin} = --fingerprint
   * of the presented certificate, {@code wrongpin} = the fingerprint of another certificate.
   */
  @ParameterizedTest(name = "{0} with {1} -> {2}")
  @CsvSource({
    "SERVER, none, 77",
    "SERVER, ca, 0",
    "SERVER, pin, 0",
    "SERVER, wrongpin, 77",
    "WRONG_HOST, none, 77",
    "WRONG_HOST, ca, 77",
    "WRONG_HOST, pin, 0",
    "WRONG_HOST, wrongpin, 77",
    "EXPIRED, none, 77",
    "EXPIRED, ca, 77",
    "EXPIRED, pin, 0",
    "EXPIRED, wrongpin, 77",
  })
  void certificateTrust(TlsVariant variant, String trust, int expected) throws Exception {
    DovecotServer d = servers.get(variant);
    String user =
        switch (trust) {
          case "none" -> "none-refused";
          case "ca" -> expected == 0 ? "ca" : "ca-refused";
          default -> trust;
        };
    Path archiveDir = tmp.resolve("archive");
    List<String> extra = new ArrayList<>();
    switch (trust) {
      case "ca" -> extra.addAll(List.of("--ca-file", d.caFile().toString()));
      case "pin" -> extra.addAll(List.of("--fingerprint", d.certSha256()));
      case "wrongpin" -> {
        TlsVariant other = variant == TlsVariant.SERVER ? TlsVariant.EXPIRED : TlsVariant.SERVER;
        extra.addAll(List.of("--fingerprint", servers.get(other).certSha256()));
      }
      default -> {}
    }
    extra.add("--delete");
    CliRun r =
        archive(
            "pop3s://" + user + "@127.0.0.1:" + d.pop3sPort(),
            archiveDir,
            extra.toArray(String[]::new));
    if (expected == 0) {
      assertThat(r.exitCode()).as(r.describe()).isZero();
      assertThat(r.out()).as(r.describe()).contains(": 1 new, 0 skipped, 1 deleted");
      assertThat(d.remainingMessages(user)).isEmpty();
      // Put the message back for a repeated run of this class in the same JVM.
      d.deliver(user, "msg-" + user + "-again", "Subject: again\r\n\r\nbody\r\n".getBytes());
    } else {
      assertRefused77(r);
      assertThat(r.err())
          .as(r.describe())
          .contains("not trusted")
          .contains("--fingerprint")
          .contains(d.certSha256());
      assertThat(d.remainingMessages(user)).as("nothing deleted").containsExactly("msg-" + user);
      assertThat(
              Files.exists(archiveDir.resolve("ledger.db"))
                  && LedgerProbe.number(
                          archiveDir.resolve("ledger.db"), "select count(*) from message")
                      > 0)
          .as("nothing archived")
          .isFalse();
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"WRONG_HOST", "EXPIRED"})
  void stlsChecksTheCertificateTooAndNeverFallsBackToPlaintext(TlsVariant variant)
      throws Exception {
    DovecotServer d = servers.get(variant);
    CliRun r =
        archive(
            "pop3://stls@127.0.0.1:" + d.pop3Port(),
            tmp.resolve("archive"),
            "--ca-file",
            d.caFile().toString(),
            "--allow-plaintext",
            "--delete");
    assertRefused77(r);
    assertThat(r.err()).contains("not trusted");
    assertThat(d.remainingMessages("stls")).containsExactly("msg-stls");
  }

  // ------------------------------------------------------------------------------------------
  // Downgrade, plaintext, APOP (scripted server that records every line the client sent)

  private static boolean sentCredentials(ScriptedPop3Server s) {
    return s.received().stream()
        .anyMatch(
            l -> {
              String u = l.toUpperCase(java.util.Locale.ROOT);
              return u.startsWith("USER")
                  || u.startsWith("PASS")
                  || u.startsWith("APOP")
                  || u.startsWith("AUTH")
                  || l.contains(PASSWORD);
            });
  }

  private static FakeMailbox mailbox() {
    return new FakeMailbox().add("u1", "Subject: one\r\n\r\nbody\r\n").password(PASSWORD);
  }

  @Test
  void aServerThatDropsStlsFromCapaIsRefusedAndNeverSeesThePassword() throws Exception {
    FakeMailbox box = mailbox().capabilities("USER", "UIDL", "TOP", "PIPELINING");
    try (ScriptedPop3Server s = ScriptedPop3Server.start(box)) {
      CliRun r =
          archive("pop3://mallory@127.0.0.1:" + s.port(), tmp.resolve("archive"), "--delete");
      assertRefused77(r);
      assertThat(r.err()).contains("STLS").contains("--allow-plaintext");
      assertThat(sentCredentials(s)).as("lines sent: " + s.received()).isFalse();
      assertThat(s.received()).doesNotContain("RETR 1", "DELE 1");
      assertThat(box.committedDeletions()).isEmpty();
    }
  }

  @Test
  void aServerThatAdvertisesStlsButRefusesItNeverSeesThePassword() throws Exception {
    FakeMailbox box =
        mailbox()
            .capabilities("USER", "UIDL", "STLS")
            .fault(
                "STLS",
                (line, c) -> {
                  c.send("-ERR TLS not available right now");
                  return true;
                });
    try (ScriptedPop3Server s = ScriptedPop3Server.start(box)) {
      CliRun r =
          archive(
              "pop3://mallory@127.0.0.1:" + s.port(),
              tmp.resolve("archive"),
              "--allow-plaintext",
              "--delete");
      assertThat(r.exitCode()).as(r.describe()).isIn(76, 77);
      assertThat(r.err().lines()).as(r.describe()).hasSize(1);
      assertThat(sentCredentials(s)).as("lines sent: " + s.received()).isFalse();
      assertThat(box.committedDeletions()).isEmpty();
    }
  }

  @Test
  void plaintextOnlyWithAllowPlaintext() throws Exception {
    FakeMailbox box = mailbox().capabilities("USER", "UIDL");
    try (ScriptedPop3Server s = ScriptedPop3Server.start(box)) {
      String url = "pop3://alice@127.0.0.1:" + s.port();
      assertRefused77(archive(url, tmp.resolve("archive")));
      assertThat(sentCredentials(s)).isFalse();

      CliRun allowed = archive(url, tmp.resolve("archive"), "--allow-plaintext", "--delete");
      assertThat(allowed.exitCode()).as(allowed.describe()).isZero();
      assertThat(allowed.out()).contains(": 1 new, 0 skipped, 1 deleted");
      // The recording works: with the user's consent the password did cross in clear text.
      assertThat(s.received()).contains("PASS " + PASSWORD);
      assertThat(box.committedDeletions()).containsExactly("u1");
    }
  }

  @Test
  void apopIsNeverAReasonToSkipTls() throws Exception {
    FakeMailbox box = mailbox().capabilities("USER", "UIDL");
    try (ScriptedPop3Server s = ScriptedPop3Server.start(box)) {
      CliRun r =
          archive(
              "pop3://alice@127.0.0.1:" + s.port(),
              tmp.resolve("archive"),
              "--auth",
              "apop",
              "--delete");
      assertRefused77(r);
      assertThat(r.err()).contains("--allow-plaintext");
      assertThat(sentCredentials(s)).as("lines sent: " + s.received()).isFalse();
      assertThat(box.committedDeletions()).isEmpty();
    }
  }

  // ------------------------------------------------------------------------------------------
  // The password in argv, ps, logs, exception messages and files; file modes

  /** A mailbox whose UIDL reply waits until {@code release} opens, so a run can be inspected. */
  private static void awaitExists(Path file, Duration limit) throws InterruptedException {
    long deadline = System.nanoTime() + limit.toNanos();
    while (!Files.exists(file) && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
  }

  private static FakeMailbox stallingMailbox(CountDownLatch stalled, CountDownLatch release) {
    return mailbox()
        .fault(
            "UIDL",
            (line, c) -> {
              stalled.countDown();
              release.await(30, TimeUnit.SECONDS);
              c.sendMultiline("+OK", "1 u1");
              return true;
            });
  }

  private static String cmdline(long pid) {
    try {
      return new String(
              Files.readAllBytes(Path.of("/proc/" + pid + "/cmdline")), StandardCharsets.UTF_8)
          .replace('\0', ' ');
    } catch (IOException e) {
      return "";
    }
  }

  private static String psOutput() throws Exception {
    Process ps =
        new ProcessBuilder("ps", "-ww", "-eo", "pid,args").redirectErrorStream(true).start();
    String out = new String(ps.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    ps.waitFor(10, TimeUnit.SECONDS);
    return out;
  }

  @ParameterizedTest
  @ValueSource(strings = {"env", "file"})
  void thePasswordNeverAppearsInArgvPsLogsOrFiles(String source) throws Exception {
    CountDownLatch stalled = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    FakeMailbox box = stallingMailbox(stalled, release).capabilities("USER", "UIDL", "PIPELINING");
    Path archiveDir = tmp.resolve("archive");
    try (ScriptedPop3Server s = ScriptedPop3Server.start(box)) {
      Path launcher = Path.of(System.getProperty("popvault.basedir", "."), "bin", "popvault");
      List<String> command =
          new ArrayList<>(
              List.of(
                  launcher.toString(),
                  "archive",
                  "pop3://alice@127.0.0.1:" + s.port(),
                  "--allow-plaintext",
                  "--archive-dir",
                  archiveDir.toString(),
                  "-vv",
                  "--delete"));
      ProcessBuilder pb = new ProcessBuilder(command);
      pb.environment().remove("POPVAULT_PASSWORD");
      if (source.equals("env")) {
        pb.environment().put("POPVAULT_PASSWORD", PASSWORD);
      } else {
        command.addAll(List.of("--password-file", passwordFile().toString()));
        pb.command(command);
      }
      pb.redirectOutput(tmp.resolve("child.out").toFile());
      pb.redirectError(tmp.resolve("child.err").toFile());
      Process child = pb.start();
      try {
        assertThat(stalled.await(60, TimeUnit.SECONDS)).as("the child reached UIDL").isTrue();
        // The child is logged in and waiting for UIDL: everything the OS shows about it now.
        List<Long> pids = new ArrayList<>();
        pids.add(child.pid());
        child.descendants().forEach(p -> pids.add(p.pid()));
        StringBuilder argv = new StringBuilder();
        for (long pid : pids) {
          argv.append(cmdline(pid)).append('\n');
        }
        assertThat(argv.toString())
            .as("the java process is visible")
            .contains("popvault")
            .contains("archive");
        assertThat(argv.toString()).doesNotContain(PASSWORD);
        String ps = psOutput();
        assertThat(ps).contains("pop3://alice@127.0.0.1:" + s.port());
        assertThat(ps).doesNotContain(PASSWORD);
      } finally {
        release.countDown();
      }
      assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();
      String out = Files.readString(tmp.resolve("child.out"));
      String err = Files.readString(tmp.resolve("child.err"));
      assertThat(child.exitValue()).as(out + err).isZero();
      assertThat(err).as("the -v log shows the dialogue").contains("UIDL").contains("PASS");
      assertThat(out + err).doesNotContain(PASSWORD);
      assertThat(s.received()).as("the server did get the password").contains("PASS " + PASSWORD);
      assertThat(box.committedDeletions()).containsExactly("u1");
    }
    assertNoFileHolds(archiveDir, PASSWORD);
  }

  private static void assertNoFileHolds(Path dir, String secret) throws IOException {
    try (Stream<Path> all = Files.walk(dir)) {
      List<Path> files = all.filter(Files::isRegularFile).toList();
      assertThat(files).isNotEmpty();
      for (Path f : files) {
        assertThat(new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1))
            .as(f.toString())
            .doesNotContain(secret);
      }
    }
  }

  @Test
  void aServerEchoingThePasswordInItsErrorDoesNotPutItInTheMessage() throws Exception {
    FakeMailbox box =
        mailbox()
            .capabilities("USER", "UIDL")
            .fault(
                "PASS " + PASSWORD,
                (line, c) -> {
                  c.send("-ERR [AUTH] bad password " + PASSWORD + " for alice");
                  return true;
                });
    try (ScriptedPop3Server s = ScriptedPop3Server.start(box)) {
      CliRun r =
          archive(
              "pop3://alice@127.0.0.1:" + s.port(),
              tmp.resolve("archive"),
              "--allow-plaintext",
              "-vv");
      assertThat(r.exitCode()).as(r.describe()).isEqualTo(77);
      assertThat(r.err() + r.out()).as(r.describe()).doesNotContain(PASSWORD);
      Path ledger = tmp.resolve("archive").resolve("ledger.db");
      assertThat(LedgerProbe.column(ledger, "select coalesce(error, '') from run"))
          .allSatisfy(e -> assertThat(e).doesNotContain(PASSWORD));
    }
  }

  @Test
  void archiveAndLedgerFilesAre0600AndDirectories0700WhileARunIsInProgress() throws Exception {
    CountDownLatch stalled = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    FakeMailbox box = stallingMailbox(stalled, release).capabilities("USER", "UIDL");
    Path archiveDir = tmp.resolve("private");
    try (ScriptedPop3Server s = ScriptedPop3Server.start(box)) {
      CompletableFuture<CliRun> run =
          CompletableFuture.supplyAsync(
              () -> {
                try {
                  return archive(
                      "pop3://alice@127.0.0.1:" + s.port(), archiveDir, "--allow-plaintext");
                } catch (IOException e) {
                  throw new java.io.UncheckedIOException(e);
                }
              });
      try {
        assertThat(stalled.await(30, TimeUnit.SECONDS)).isTrue();
        // Mid-run: the server holds the UIDL reply, and the ledger (opened while the session opens)
        // is open in WAL mode with a run row written.
        // SQLite creates -wal and then -shm: wait for both, or the check races the second.
        awaitExists(archiveDir.resolve("ledger.db-wal"), Duration.ofSeconds(20));
        awaitExists(archiveDir.resolve("ledger.db-shm"), Duration.ofSeconds(20));
        for (String name : List.of("ledger.db", "ledger.db-wal", "ledger.db-shm")) {
          Path f = archiveDir.resolve(name);
          assertThat(f).as(name + " exists mid-run").exists();
          assertThat(mode(f)).as(name).isEqualTo("rw-------");
        }
        assertThat(mode(archiveDir)).isEqualTo("rwx------");
        assertThat(mode(archiveDir.resolve("locks"))).isEqualTo("rwx------");
        try (Stream<Path> locks = Files.list(archiveDir.resolve("locks"))) {
          for (Path lock : locks.toList()) {
            assertThat(mode(lock)).as(lock.toString()).isEqualTo("rw-------");
          }
        }
      } finally {
        release.countDown();
      }
      CliRun r = run.get(60, TimeUnit.SECONDS);
      assertThat(r.exitCode()).as(r.describe()).isZero();
    }
    try (Stream<Path> all = Files.walk(archiveDir)) {
      for (Path p : all.toList()) {
        assertThat(mode(p))
            .as(p.toString())
            .isEqualTo(Files.isDirectory(p) ? "rwx------" : "rw-------");
      }
    }
    try (Stream<Path> all = Files.walk(archiveDir)) {
      assertThat(all.filter(p -> p.toString().endsWith(".mbox.zst")).count()).isEqualTo(1);
    }
  }

  private static String mode(Path p) throws IOException {
    return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
  }

  // ------------------------------------------------------------------------------------------
  // Archive paths from hostile account names

  @ParameterizedTest
  @ValueSource(
      strings = {"../../etc", "/abs/path", "a/b/../../../c", "..", ".", ".hidden", "x\\..\\y", ""})
  void theArchivePathStaysInsideTheArchiveDir(String account) throws Exception {
    Path root = Files.createDirectories(tmp.resolve("root"));
    Path archiveDir = root.resolve("one").resolve("two").resolve("archive");
    try (ScriptedPop3Server s = ScriptedPop3Server.start(mailbox().capabilities("USER", "UIDL"))) {
      CliRun r =
          archive(
              "pop3://alice@127.0.0.1:" + s.port(),
              archiveDir,
              "--allow-plaintext",
              "--account",
              account);
      assertThat(r.exitCode()).as(r.describe()).isIn(0, 64);
      if (r.exitCode() == 0) {
        assertThat(r.out()).contains(": 1 new");
        Path ledger = archiveDir.resolve("ledger.db");
        assertThat(LedgerProbe.column(ledger, "select name from account")).containsExactly(account);
        for (String rel : LedgerProbe.column(ledger, "select path from archive_file")) {
          assertThat(rel).doesNotStartWith("/").doesNotContain("\\");
          for (Path part : Path.of(rel)) {
            assertThat(part.toString()).as(rel).isNotIn("..", ".").doesNotStartWith(".");
          }
          Path file = archiveDir.resolve(rel).normalize();
          assertThat(file.startsWith(archiveDir)).as(rel).isTrue();
          assertThat(file).exists();
        }
      } else {
        assertThat(r.err().lines()).as(r.describe()).hasSize(1);
        assertThat(r.err()).as(r.describe()).contains("bad account name");
      }
    }
    // Nothing was created outside the archive directory, and /abs/path was not touched.
    try (Stream<Path> all = Files.walk(root)) {
      for (Path p : all.toList()) {
        assertThat(p.startsWith(archiveDir) || archiveDir.startsWith(p))
            .as("created outside the archive dir: " + p)
            .isTrue();
      }
    }
    assertThat(Path.of("/abs")).doesNotExist();
    if (Files.exists(archiveDir)) {
      try (Stream<Path> top = Files.list(archiveDir)) {
        for (Path p : top.toList()) {
          assertThat(p.getFileName().toString()).doesNotStartWith(".");
        }
      }
    }
  }
}
