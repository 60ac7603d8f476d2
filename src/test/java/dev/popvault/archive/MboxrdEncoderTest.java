package dev.popvault.archive;

import static dev.popvault.archive.Mboxrd.b;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class MboxrdEncoderTest {

  static Stream<Arguments> awkward() {
    return Mboxrd.awkward().stream().map(Arguments::of);
  }

  /**
   * Encodes with the given buffer size, feeding the input in short reads of at most {@code chunk}.
   */
  private static Encoded encode(byte[] input, int bufferSize, int chunk) throws IOException {
    ByteArrayOutputStream sink = new ByteArrayOutputStream();
    BulkOutput out = new BulkOutput(sink, Math.max(bufferSize, 1));
    MboxrdEncoder enc = new MboxrdEncoder(out, bufferSize);
    MboxrdEncoder.Result r = enc.encode(new ChunkedInput(input, chunk), Mboxrd.T0);
    out.flush();
    return new Encoded(sink.toByteArray(), r);
  }

  private record Encoded(byte[] bytes, MboxrdEncoder.Result result) {
    EncodedMessage message() {
      return new EncodedMessage(
          0,
          result.encodedLength(),
          result.wireLength(),
          result.sha256(),
          result.rawFromLine(),
          result.noFinalNewline());
    }
  }

  private static byte[] decode(EncodedMessage m, byte[] stored, int chunk) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    MboxrdDecoder d = new MboxrdDecoder(m, out);
    for (int i = 0; i < stored.length; i += chunk) {
      d.feed(stored, i, Math.min(chunk, stored.length - i));
    }
    d.finish();
    return out.toByteArray();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("awkward")
  void encodesAsTheModelSaysAndDecodesExactly(String name, byte[] input) throws Exception {
    for (int size : new int[] {1, 2, 3, 5, 7, 64 * 1024}) {
      Encoded e = encode(input, size, size == 1 ? 1 : 3 * size + 1);
      assertThat(e.bytes())
          .as("%s, buffer %d", name, size)
          .isEqualTo(Mboxrd.entry(input, Mboxrd.T0));
      assertThat(e.result().encodedLength()).isEqualTo(e.bytes().length);
      assertThat(e.result().wireLength()).isEqualTo(input.length);
      assertThat(e.result().sha256()).isEqualTo(MessageDigest.getInstance("SHA-256").digest(input));
      for (int chunk : new int[] {1, 2, 5, 4096}) {
        assertThat(decode(e.message(), e.bytes(), chunk))
            .as("%s, buffer %d, decode chunk %d", name, size, chunk)
            .isEqualTo(input);
      }
    }
  }

  @Test
  void recordsTheFirstBareLfLineAndMissingFinalNewline() throws Exception {
    Encoded crlf = encode(b("a\r\nb\r\n"), 64, 64);
    assertThat(crlf.result().rawFromLine()).isEqualTo(-1);
    assertThat(crlf.result().noFinalNewline()).isFalse();

    Encoded mixed = encode(b("a\r\nb\r\nc\nd\r\n"), 64, 64);
    assertThat(mixed.result().rawFromLine()).isEqualTo(2);
    assertThat(mixed.bytes()).endsWith(b("a\nb\nc\nd\r\n\n"));

    Encoded noNl = encode(b("a\r\nb"), 64, 64);
    assertThat(noNl.result().noFinalNewline()).isTrue();
    assertThat(noNl.bytes()).endsWith(b("\na\nb\n\n"));

    Encoded endsCr = encode(b("a\r"), 64, 64);
    assertThat(endsCr.result().noFinalNewline()).isTrue();
    assertThat(endsCr.bytes()).endsWith(b("\na\r\n\n"));
  }

  @Test
  void quotesFromLinesOnStoredContent() throws Exception {
    Encoded e = encode(b("From a\r\n>From b\r\n>>From c\r\nFrom\r\nx From d\r\n"), 4, 3);
    assertThat(e.bytes())
        .isEqualTo(
            b(
                "From MAILER-DAEMON Thu Feb 29 13:05:09 2024\n"
                    + ">From a\n>>From b\n>>>From c\nFrom\nx From d\n\n"));
  }

  @Test
  void encodesAnEmptyMessageAsSeparatorAndBlankLine() throws Exception {
    Encoded e = encode(new byte[0], 16, 16);
    assertThat(e.bytes()).isEqualTo(b("From MAILER-DAEMON Thu Feb 29 13:05:09 2024\n\n"));
    assertThat(decode(e.message(), e.bytes(), 1)).isEmpty();
  }

  @Test
  void formatsTheSeparatorDateLikeAsctime() {
    assertThat(MboxrdEncoder.asctime(Instant.EPOCH)).isEqualTo("Thu Jan  1 00:00:00 1970");
    assertThat(MboxrdEncoder.asctime(Instant.parse("2025-12-07T23:59:59Z")))
        .isEqualTo("Sun Dec  7 23:59:59 2025");
    assertThat(MboxrdEncoder.asctime(Instant.parse("2024-02-29T13:05:09.999Z")))
        .isEqualTo("Thu Feb 29 13:05:09 2024");
  }

  @Test
  void roundTripsRandomMessagesAtRandomBoundaries() throws Exception {
    Random r = new Random(20240229);
    for (int i = 0; i < 3000; i++) {
      byte[] input = Mboxrd.random(r, 60);
      int size = 1 + r.nextInt(9);
      Encoded e = encode(input, size, 1 + r.nextInt(11));
      assertThat(e.bytes()).as("input #%d", i).isEqualTo(Mboxrd.entry(input, Mboxrd.T0));
      assertThat(decode(e.message(), e.bytes(), 1 + r.nextInt(7)))
          .as("input #%d", i)
          .isEqualTo(input);
    }
  }

  @Test
  void streamsATenMegabyteLine() throws Exception {
    byte[] input = Mboxrd.concat(b(">From "), Mboxrd.repeat("x>From y\r", 10 << 20), b("\r\n"));
    Encoded e = encode(input, 64 * 1024, 64 * 1024);
    assertThat(e.bytes()).isEqualTo(Mboxrd.entry(input, Mboxrd.T0));
    assertThat(decode(e.message(), e.bytes(), 64 * 1024)).isEqualTo(input);
  }

  @Test
  void decoderRejectsWhatTheEncoderCannotProduce() throws Exception {
    Encoded e = encode(b("a\r\nb\r\n"), 64, 64);
    EncodedMessage m = e.message();
    String sep = "From MAILER-DAEMON Thu Feb 29 13:05:09 2024\n";
    List<String> bad =
        List.of(
            "X" + sep.substring(1) + "a\nb\n\n",
            sep + "From\nb\n\n".replace("From\n", "From \n"),
            sep + "a\nb\nxx",
            sep + "a\nbbbb\n");
    for (String s : bad) {
      byte[] stored = b(s);
      EncodedMessage same =
          new EncodedMessage(0, stored.length, m.wireLength(), m.sha256(), -1, false);
      assertThatThrownBy(() -> decode(same, stored, 3))
          .as(s)
          .isInstanceOf(ArchiveCorruptException.class);
    }
    assertThatThrownBy(() -> decode(m, Arrays.copyOf(e.bytes(), e.bytes().length - 1), 4))
        .isInstanceOf(ArchiveCorruptException.class)
        .hasMessageContaining("truncated");
  }

  /** Hands out its bytes in reads of at most {@code chunk}, like a network stream. */
  private static final class ChunkedInput extends InputStream {
    private final ByteArrayInputStream in;
    private final int chunk;

    ChunkedInput(byte[] data, int chunk) {
      this.in = new ByteArrayInputStream(data);
      this.chunk = chunk;
    }

    @Override
    public int read() {
      return in.read();
    }

    @Override
    public int read(byte[] b, int off, int len) {
      return in.read(b, off, Math.min(len, chunk));
    }
  }
}
