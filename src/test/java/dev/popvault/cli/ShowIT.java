package dev.popvault.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.popvault.testsupport.ArchiveTools;
import dev.popvault.testsupport.CliRun;
import dev.popvault.testsupport.Corpus;
import dev.popvault.testsupport.CorpusMessage;
import dev.popvault.testsupport.DovecotServer;
import dev.popvault.testsupport.PasswordFiles;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code popvault show} gives back exactly the bytes Dovecot sent, for every hostile message of the
 * corpus (bare CR, NUL, no final newline, "From " lines, dots), through the real launcher so that
 * standard output is compared byte for byte; and a damaged copy is refused.
 */
class ShowIT {
  private static final String PASSWORD = "dovecot-Pa55";
  private static DovecotServer dovecot;
  private static List<CorpusMessage> corpus;
  @TempDir static Path serverDir;
  @TempDir static Path work;

  @BeforeAll
  static void archiveTheCorpus() throws Exception {
    dovecot = DovecotServer.start(serverDir);
    dovecot.addUser("shower", PASSWORD);
    corpus = Corpus.standard(11, false);
    for (CorpusMessage m : corpus) {
      dovecot.deliver("shower", m.name(), m.content());
    }
    dovecot.deliver(
        "shower",
        "with-id",
        "Message-ID: <show.1@example.org>\r\nSubject: by id\r\n\r\nFrom the id\r\n"
            .getBytes(StandardCharsets.US_ASCII));
    PasswordFiles.write(work.resolve("pass"), PASSWORD + "\n");
    CliRun archive =
        CliRun.archive(dovecot, "shower", work.resolve("pass"), work.resolve("archive"));
    assertThat(archive.exitCode()).as(archive.describe()).isZero();
  }

  @AfterAll
  static void stop() {
    if (dovecot != null) {
      dovecot.close();
    }
  }

  /** Runs bin/popvault show and returns exit code, standard output bytes and standard error. */
  private record Shown(int exitCode, byte[] out, String err) {}

  private static Shown show(Path archive, String... args) throws Exception {
    List<String> argv = new ArrayList<>();
    argv.add(Path.of(System.getProperty("popvault.basedir", "."), "bin", "popvault").toString());
    argv.add("show");
    argv.addAll(List.of(args));
    argv.addAll(List.of("--archive-dir", archive.toString()));
    Path out = Files.createTempFile(work, "out", ".bin");
    Path err = Files.createTempFile(work, "err", ".txt");
    Process p =
        new ProcessBuilder(argv).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    return new Shown(p.exitValue(), Files.readAllBytes(out), Files.readString(err));
  }

  private static String sha256(byte[] bytes) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
  }

  @Test
  void everyMessageComesBackExactlyAsTheServerSentIt() throws Exception {
    for (CorpusMessage m : corpus) {
      Shown shown = show(work.resolve("archive"), m.name());
      assertThat(shown.exitCode()).as(m.name() + ": " + shown.err()).isZero();
      assertThat(sha256(shown.out()))
          .as(m.name())
          .isEqualTo(sha256(Corpus.expectedWireBytes(m.content())));
    }
  }

  @Test
  void aMessageIsFoundByItsMessageIdWithOrWithoutBrackets() throws Exception {
    byte[] expected =
        Corpus.expectedWireBytes(
            "Message-ID: <show.1@example.org>\r\nSubject: by id\r\n\r\nFrom the id\r\n"
                .getBytes(StandardCharsets.US_ASCII));
    assertThat(show(work.resolve("archive"), "<show.1@example.org>").out()).isEqualTo(expected);
    assertThat(show(work.resolve("archive"), "show.1@example.org").out()).isEqualTo(expected);
  }

  @Test
  void mboxGivesTheStoredFormWithItsFromLineAndQuoting() throws Exception {
    Shown stored = show(work.resolve("archive"), "with-id", "--mbox");
    assertThat(stored.exitCode()).as(stored.err()).isZero();
    String text = new String(stored.out(), StandardCharsets.ISO_8859_1);
    assertThat(text).startsWith("From ").contains("\n>From the id");
  }

  @Test
  void anUnknownMessageIsAUsageErrorAndADamagedCopyExits65() throws Exception {
    Shown unknown = show(work.resolve("archive"), "no-such-uidl");
    assertThat(unknown.exitCode()).isEqualTo(64);
    assertThat(unknown.err()).contains("no archived message").doesNotContain("Exception");

    // A copy of the archive with one byte changed inside the frame that holds the message.
    Path copy = work.resolve("damaged");
    ArchiveTools.copyTree(work.resolve("archive"), copy);
    Path mbox;
    try (Stream<Path> files = Files.walk(copy)) {
      mbox = files.filter(p -> p.toString().endsWith(".mbox.zst")).findFirst().orElseThrow();
    }
    byte[] bytes = Files.readAllBytes(mbox);
    bytes[bytes.length - 20] ^= 0x01;
    Files.write(mbox, bytes);
    Shown damaged = show(copy, "with-id");
    assertThat(damaged.exitCode()).as(damaged.err()).isEqualTo(65);
    assertThat(damaged.err()).doesNotContain("Exception");
  }
}
