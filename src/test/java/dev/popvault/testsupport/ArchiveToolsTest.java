package dev.popvault.testsupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.luben.zstd.Zstd;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tukaani.xz.LZMA2Options;
import org.tukaani.xz.XZOutputStream;

class ArchiveToolsTest {
  // Two messages as a server sent them (CRLF), hand-written.
  private static final String WIRE_1 =
      "Subject: one\r\n\r\nFrom the start\r\n>From quoted\r\nbare\rCR\r\n";
  private static final String WIRE_2 = "Subject: two\r\n\r\nlast line without newline";

  // What an mbox reader returns for them: LF, ">" added before ^>*From, final LF added.
  private static final String READER_1 =
      "Subject: one\n\n>From the start\n>>From quoted\nbare\rCR\n";
  private static final String READER_2 = "Subject: two\n\nlast line without newline\n";

  // The mbox file: separator lines, the messages, a blank line after each.
  private static final String FRAME_1 =
      "From MAILER-DAEMON Thu Jan  1 00:00:00 1970\n" + READER_1 + "\n";
  private static final String FRAME_2 =
      "From sender@example.org Mon Feb  2 10:00:00 2026\n" + READER_2 + "\n";

  @BeforeAll
  static void tools() {
    ArchiveTools.requireAvailable();
  }

  @Test
  void mboxrdExpectedConvertsCrlfQuotesFromAndTerminatesTheLastLine() {
    assertThat(text(ArchiveTools.mboxrdExpected(bytes(WIRE_1)))).isEqualTo(READER_1);
    assertThat(text(ArchiveTools.mboxrdExpected(bytes(WIRE_2)))).isEqualTo(READER_2);
    assertThat(text(ArchiveTools.mboxrdExpected(bytes("")))).isEqualTo("\n");
    assertThat(text(ArchiveTools.mboxrdExpected(bytes("a\nFrom x\r\n>>>From y\r\nFromage\r\n"))))
        .isEqualTo("a\n>From x\n>>>>From y\nFromage\n");
  }

  @Test
  void cliToolsDecodeEveryConcatenatedFrame(@TempDir Path dir) throws IOException {
    byte[] plain = bytes(FRAME_1 + FRAME_2);
    Path mbox = write(dir.resolve("a.mbox"), plain);
    Path gz = write(dir.resolve("a.mbox.gz"), concat(gzip(bytes(FRAME_1)), gzip(bytes(FRAME_2))));
    Path zst =
        write(
            dir.resolve("a.mbox.zst"),
            concat(Zstd.compress(bytes(FRAME_1), 3), Zstd.compress(bytes(FRAME_2), 3)));
    Path xz = write(dir.resolve("a.mbox.xz"), concat(xz(bytes(FRAME_1)), xz(bytes(FRAME_2))));
    for (Path file : List.of(mbox, gz, zst, xz)) {
      assertThat(ArchiveTools.decompressWithCli(file)).as(file.toString()).isEqualTo(plain);
    }
  }

  @Test
  void cliToolFailureIsAnAssertionWithTheToolsMessage(@TempDir Path dir) throws IOException {
    byte[] gz = gzip(bytes(FRAME_1));
    Path torn = write(dir.resolve("torn.mbox.gz"), Arrays.copyOf(gz, gz.length - 6));
    assertThatThrownBy(() -> ArchiveTools.decompressWithCli(torn))
        .isInstanceOf(AssertionError.class)
        .hasMessageStartingWith("zcat exited with");
  }

  @Test
  void pythonMailboxReturnsStoredBytesWithoutFromLineAndWithoutUnquoting(@TempDir Path dir)
      throws IOException {
    Path mbox = write(dir.resolve("b.mbox"), bytes(FRAME_1 + FRAME_2));
    Path zst =
        write(
            dir.resolve("b.mbox.zst"),
            concat(Zstd.compress(bytes(FRAME_1), 3), Zstd.compress(bytes(FRAME_2), 3)));
    Path gz = write(dir.resolve("b.mbox.gz"), concat(gzip(bytes(FRAME_1)), gzip(bytes(FRAME_2))));
    for (Path file : List.of(mbox, zst, gz)) {
      List<byte[]> messages = ArchiveTools.readWithPythonMailbox(file);
      assertThat(messages).as(file.toString()).hasSize(2);
      assertThat(text(messages.get(0))).isEqualTo(READER_1);
      assertThat(text(messages.get(1))).isEqualTo(READER_2);
    }
  }

  @Test
  void pythonReadsWhatMboxrdExpectedPredictsForTheCorpus(@TempDir Path dir) throws IOException {
    List<CorpusMessage> corpus = Corpus.standard(7, false);
    ByteArrayOutputStream mbox = new ByteArrayOutputStream();
    for (CorpusMessage message : corpus) {
      mbox.writeBytes(bytes("From MAILER-DAEMON Thu Jan  1 00:00:00 1970\n"));
      mbox.writeBytes(ArchiveTools.mboxrdExpected(Corpus.expectedWireBytes(message.content())));
      mbox.writeBytes(bytes("\n"));
    }
    List<byte[]> read =
        ArchiveTools.readWithPythonMailbox(write(dir.resolve("corpus.mbox"), mbox.toByteArray()));
    assertThat(read).hasSize(corpus.size());
    for (int i = 0; i < corpus.size(); i++) {
      byte[] expected =
          ArchiveTools.mboxrdExpected(Corpus.expectedWireBytes(corpus.get(i).content()));
      assertThat(read.get(i)).as(corpus.get(i).name()).isEqualTo(expected);
    }
  }

  private static byte[] gzip(byte[] data) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
      gz.write(data);
    }
    return out.toByteArray();
  }

  private static byte[] xz(byte[] data) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (XZOutputStream xz = new XZOutputStream(out, new LZMA2Options())) {
      xz.write(data);
    }
    return out.toByteArray();
  }

  private static Path write(Path file, byte[] content) throws IOException {
    return Files.write(file, content);
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] both = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, both, a.length, b.length);
    return both;
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  private static String text(byte[] bytes) {
    return new String(bytes, StandardCharsets.UTF_8);
  }
}
