package dev.popvault.pop3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class WireReaderTest {

  /** Yields at most {@code chunk} random-sized bytes per read, to move reads across boundaries. */
  private static final class ChoppyStream extends InputStream {
    private final ByteArrayInputStream in;
    private final Random random;
    private final int chunk;

    ChoppyStream(byte[] data, Random random, int chunk) {
      this.in = new ByteArrayInputStream(data);
      this.random = random;
      this.chunk = chunk;
    }

    @Override
    public int read() {
      return in.read();
    }

    @Override
    public int read(byte[] b, int off, int len) {
      return in.read(b, off, Math.min(len, 1 + random.nextInt(chunk)));
    }
  }

  /** Dot-stuffs at every line start (after LF) and appends the terminator; adds CRLF if needed. */
  static byte[] wire(byte[] body) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    boolean lineStart = true;
    for (byte b : body) {
      if (lineStart && b == '.') {
        out.write('.');
      }
      out.write(b);
      lineStart = b == '\n';
    }
    if (!lineStart) {
      out.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
    }
    out.writeBytes(".\r\n".getBytes(StandardCharsets.US_ASCII));
    return out.toByteArray();
  }

  private static byte[] readAll(InputStream body, Random random) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] buf = new byte[70_000];
    while (true) {
      if (random.nextInt(8) == 0) {
        int b = body.read();
        if (b < 0) {
          break;
        }
        out.write(b);
      } else {
        int n = body.read(buf, 0, 1 + random.nextInt(buf.length));
        if (n < 0) {
          break;
        }
        out.write(buf, 0, n);
      }
    }
    return out.toByteArray();
  }

  private static byte[] randomBody(Random random) {
    int len = random.nextInt(random.nextBoolean() ? 200 : 200_000);
    byte[] alphabet = ".\r\n\0a\u00ff".getBytes(StandardCharsets.ISO_8859_1);
    byte[] body = new byte[len];
    for (int i = 0; i < len; i++) {
      body[i] = random.nextInt(3) == 0 ? alphabet[random.nextInt(alphabet.length)] : (byte) 'x';
    }
    return body;
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 2, 3, 7, 100, 70_000})
  void randomBodiesSurviveAnyChunkingAndReadPattern(int chunk) throws IOException {
    Random random = new Random(42 + chunk);
    for (int round = 0; round < 40; round++) {
      byte[][] bodies = {randomBody(random), randomBody(random), randomBody(random)};
      ByteArrayOutputStream stream = new ByteArrayOutputStream();
      for (byte[] b : bodies) {
        stream.writeBytes(wire(b));
      }
      stream.writeBytes("+OK after\r\n".getBytes(StandardCharsets.US_ASCII));
      WireReader reader =
          new WireReader(
              new ChoppyStream(stream.toByteArray(), random, chunk), Duration.ofSeconds(1));
      for (byte[] expected : bodies) {
        byte[] got = readAll(reader.body(), random);
        byte[] want = expected;
        if (expected.length > 0 && expected[expected.length - 1] != '\n') {
          want = concat(expected, "\r\n".getBytes(StandardCharsets.US_ASCII));
        }
        assertThat(got).as("round %d", round).isEqualTo(want);
      }
      assertThat(reader.readLine(100)).isEqualTo("+OK after");
    }
  }

  @Test
  void terminatorOnlyYieldsEmptyBody() throws IOException {
    WireReader reader = reader(".\r\n");
    assertThat(reader.body().readAllBytes()).isEmpty();
  }

  @Test
  void dotLineWithBareLfIsUnstuffedNotTerminator() throws IOException {
    WireReader reader = reader("a\r\n.\nb\r\n..\r\n.\r\n");
    assertThat(new String(reader.body().readAllBytes(), StandardCharsets.ISO_8859_1))
        .isEqualTo("a\r\n\nb\r\n.\r\n");
  }

  @Test
  void eofInsideBodyIsConnectionLost() {
    WireReader reader = reader("line\r\nmore");
    reader.command("RETR 17");
    assertThatThrownBy(() -> reader.body().readAllBytes())
        .isInstanceOfSatisfying(
            Pop3Exception.class,
            e -> assertThat(e.kind()).isEqualTo(Pop3Exception.Kind.CONNECTION_LOST))
        .hasMessage("connection lost during RETR 17");
  }

  @Test
  void statusLineIsBounded() {
    WireReader reader = reader("+OK " + "x".repeat(10_000) + "\r\n");
    reader.command("STAT");
    assertThatThrownBy(() -> reader.readLine(8192))
        .isInstanceOfSatisfying(
            Pop3Exception.class, e -> assertThat(e.kind()).isEqualTo(Pop3Exception.Kind.PROTOCOL))
        .hasMessageContaining("longer than 8192");
  }

  @Test
  void lineOfExactlyTheBoundIsAccepted() throws IOException {
    String line = "y".repeat(8192);
    assertThat(reader(line + "\r\n").readLine(8192)).isEqualTo(line);
  }

  @Test
  void streamRefusesUseAfterInvalidation() throws IOException {
    WireReader reader = reader("abc\r\n.\r\n");
    WireReader.BodyStream body = reader.body();
    body.drain(new byte[16]);
    body.invalidate();
    assertThatThrownBy(body::read).isInstanceOf(IOException.class);
  }

  private static WireReader reader(String latin1) {
    return new WireReader(
        new ByteArrayInputStream(latin1.getBytes(StandardCharsets.ISO_8859_1)),
        Duration.ofSeconds(1));
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] r = new byte[a.length + b.length];
    System.arraycopy(a, 0, r, 0, a.length);
    System.arraycopy(b, 0, r, a.length, b.length);
    return r;
  }
}
