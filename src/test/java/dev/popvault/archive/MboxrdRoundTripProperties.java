package dev.popvault.archive;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Property: whatever bytes a server sends, the mboxrd encoding stores them so that they come back
 * identical — through the streaming encoder/decoder at any buffer and chunk size, and through a
 * real archive file (FrameWriter → force → re-read → {@link ArchiveReader#openMessage}) with every
 * codec. The generators favour what breaks mbox: CR, LF, bare CR/LF, "From " and ">From " at line
 * starts, dots, and no final newline.
 */
class MboxrdRoundTripProperties {
  private static final byte[][] TOKENS = {
    b("From "),
    b(">From "),
    b(">>From "),
    b(">"),
    b("From"),
    b("\r\n"),
    b("\n"),
    b("\r"),
    b("\r\r\n"),
    b("."),
    b("\r\n.\r\n"),
    b("\n\n"),
    b(" "),
    b("x"),
    b("Subject: s"),
    {0},
    {(byte) 0xff},
    {(byte) 0x80},
  };

  private static Path dir;
  private static final AtomicInteger files = new AtomicInteger();

  private static byte[] b(String s) {
    return Mboxrd.b(s);
  }

  @BeforeContainer
  static void createDir() throws IOException {
    dir = Files.createTempDirectory("mboxrd-properties");
  }

  @AfterContainer
  static void deleteDir() throws IOException {
    try (Stream<Path> all = Files.walk(dir)) {
      for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }

  @Provide
  @SuppressWarnings("unchecked")
  Arbitrary<byte[]> mailBytes() {
    Arbitrary<byte[]> tokens =
        Arbitraries.of(TOKENS)
            .list()
            .ofMaxSize(300)
            .map(
                parts -> {
                  ByteArrayOutputStream out = new ByteArrayOutputStream();
                  parts.forEach(out::writeBytes);
                  return out.toByteArray();
                });
    Arbitrary<byte[]> raw = Arbitraries.bytes().array(byte[].class).ofMaxSize(3000);
    Arbitrary<byte[]> lineBytes =
        Arbitraries.of((byte) '\r', (byte) '\n', (byte) '>', (byte) 'F', (byte) '.', (byte) 'a')
            .array(byte[].class)
            .ofMaxSize(500);
    return Arbitraries.frequencyOf(Tuple.of(6, tokens), Tuple.of(2, raw), Tuple.of(2, lineBytes));
  }

  @Provide
  Arbitrary<List<byte[]>> frames() {
    return mailBytes().list().ofMinSize(1).ofMaxSize(6);
  }

  /** Hands the input over in reads of at most {@code chunk} bytes, as a socket would. */
  private static final class ChunkedInput extends InputStream {
    private final ByteArrayInputStream in;
    private final int chunk;

    ChunkedInput(byte[] bytes, int chunk) {
      this.in = new ByteArrayInputStream(bytes);
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

  @Property(tries = 1000)
  void streamingEncoderMatchesTheModelAndDecodesToTheSameBytes(
      @ForAll("mailBytes") byte[] input,
      @ForAll @IntRange(min = 1, max = 70) int bufferSize,
      @ForAll @IntRange(min = 1, max = 97) int chunk)
      throws Exception {
    ByteArrayOutputStream sink = new ByteArrayOutputStream();
    BulkOutput out = new BulkOutput(sink, bufferSize);
    MboxrdEncoder.Result r =
        new MboxrdEncoder(out, bufferSize).encode(new ChunkedInput(input, chunk), Mboxrd.T0);
    out.flush();
    byte[] stored = sink.toByteArray();
    assertThat(stored)
        .as("encoding follows the mboxrd model")
        .isEqualTo(Mboxrd.entry(input, Mboxrd.T0));
    assertThat(r.encodedLength()).isEqualTo(stored.length);
    assertThat(r.wireLength()).isEqualTo(input.length);
    assertThat(r.sha256()).isEqualTo(MessageDigest.getInstance("SHA-256").digest(input));

    EncodedMessage m =
        new EncodedMessage(
            0, r.encodedLength(), r.wireLength(), r.sha256(), r.rawFromLine(), r.noFinalNewline());
    ByteArrayOutputStream back = new ByteArrayOutputStream();
    MboxrdDecoder d = new MboxrdDecoder(m, back);
    for (int i = 0; i < stored.length; i += chunk) {
      d.feed(stored, i, Math.min(chunk, stored.length - i));
    }
    d.finish();
    assertThat(back.toByteArray()).isEqualTo(input);
  }

  @Property(tries = 150)
  void archiveFileRoundTripsEveryMessageOfAFrameWithEveryCodec(
      @ForAll("frames") List<byte[]> messages, @ForAll Codec codec) throws Exception {
    Path path = dir.resolve("f" + files.incrementAndGet() + codec.fileSuffix());
    Frame frame;
    try (ArchiveFile file = ArchiveFile.openForAppend(path, codec, 0)) {
      FrameWriter w = file.beginFrame();
      for (byte[] m : messages) {
        w.append(new ByteArrayInputStream(m), Mboxrd.T0);
      }
      frame = w.finishAndVerify();
    }
    assertThat(frame.messages()).hasSameSizeAs(messages);
    for (int i = 0; i < messages.size(); i++) {
      try (InputStream in =
          ArchiveReader.openMessage(
              path, codec, frame.offset(), frame.length(), frame.messages().get(i))) {
        assertThat(in.readAllBytes()).as("message %d", i).isEqualTo(messages.get(i));
      }
    }
    Files.delete(path);
  }
}
