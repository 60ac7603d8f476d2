package dev.popvault.archive;

import static dev.popvault.archive.ArchiveFileTest.expected;
import static dev.popvault.archive.ArchiveFileTest.writeFrame;
import static dev.popvault.archive.Mboxrd.b;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.InstanceOfAssertFactories.STRING;

import java.io.InputStream;
import java.io.RandomAccessFile;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class ArchiveReaderTest {
  @TempDir Path dir;

  private Path path;
  private List<Frame> frames;

  /** Writes three frames of three messages each. */
  private void write(Codec codec) throws Exception {
    path = dir.resolve("v" + codec.fileSuffix());
    frames = new ArrayList<>();
    try (ArchiveFile file = ArchiveFile.openForAppend(path, codec, 0)) {
      for (int f = 0; f < 3; f++) {
        List<byte[]> batch = new ArrayList<>();
        for (int m = 0; m < 3; m++) {
          batch.add(b("Subject: frame " + f + " message " + m + "\r\n\r\nbody\r\n"));
        }
        frames.add(writeFrame(file, batch, Mboxrd.T0));
      }
    }
  }

  private VerifyReport verify(Codec codec, List<ExpectedFrame> expected) throws Exception {
    return ArchiveReader.verify(path, codec, committed(), expected);
  }

  private long committed() {
    Frame last = frames.get(frames.size() - 1);
    return last.offset() + last.length();
  }

  private void flipByteAt(long position) throws Exception {
    try (RandomAccessFile f = new RandomAccessFile(path.toFile(), "rw")) {
      f.seek(position);
      int b = f.read();
      f.seek(position);
      f.write(b ^ 0x01);
    }
  }

  @ParameterizedTest
  @EnumSource(Codec.class)
  void passesAnIntactFile(Codec codec) throws Exception {
    write(codec);
    VerifyReport r = verify(codec, expected(frames));
    assertThat(r.problems()).isEmpty();
    assertThat(r.ok()).isTrue();
    assertThat(r.framesChecked()).isEqualTo(3);
    assertThat(r.messagesChecked()).isEqualTo(9);
  }

  @Test
  void findsAFlippedByteInsideAMessage() throws Exception {
    write(Codec.NONE);
    Frame f = frames.get(1);
    EncodedMessage m = f.messages().get(2);
    // Inside "body": a content byte, so the frame still parses and only the hash can tell.
    flipByteAt(f.offset() + m.offset() + m.length() - 4);
    VerifyReport r = verify(Codec.NONE, expected(frames));
    assertThat(r.problems())
        .singleElement(STRING)
        .contains("frame #2 at offset " + f.offset())
        .contains("message m2")
        .contains("SHA-256 mismatch");
  }

  @ParameterizedTest
  @EnumSource(
      value = Codec.class,
      names = {"ZSTD", "GZIP", "XZ"})
  void findsAFlippedCompressedByteAndStillChecksLaterFrames(Codec codec) throws Exception {
    write(codec);
    Frame f = frames.get(0);
    flipByteAt(f.offset() + f.length() / 2);
    List<ExpectedFrame> expected = new ArrayList<>(expected(frames));
    // Also damage the ledger's view of the last frame: the check must still get there.
    ExpectedFrame last = expected.get(2);
    EncodedMessage m = last.messages().get(0).message();
    EncodedMessage wrong =
        new EncodedMessage(
            m.offset(), m.length(), m.wireLength(), new byte[32], m.rawFromLine(), false);
    List<ExpectedMessage> ms = new ArrayList<>(last.messages());
    ms.set(0, new ExpectedMessage("UIDL z (#7)", wrong));
    expected.set(2, new ExpectedFrame(last.offset(), last.length(), ms));

    VerifyReport r = verify(codec, expected);
    assertThat(r.framesChecked()).isEqualTo(3);
    assertThat(r.problems()).anyMatch(p -> p.contains("frame #1 at offset 0"));
    assertThat(r.problems()).noneMatch(p -> p.contains("frame #2"));
    assertThat(r.problems())
        .anyMatch(
            p -> p.contains("frame #3") && p.contains("UIDL z (#7)") && p.contains("SHA-256"));
  }

  @ParameterizedTest
  @EnumSource(Codec.class)
  void findsATruncatedFrame(Codec codec) throws Exception {
    write(codec);
    Frame f = frames.get(2);
    try (FileChannel c = FileChannel.open(path, StandardOpenOption.WRITE)) {
      c.truncate(f.offset() + f.length() - 7);
    }
    VerifyReport r = verify(codec, expected(frames));
    assertThat(r.problems())
        .anyMatch(p -> p.contains("file is 7 bytes shorter than committed length"));
    assertThat(r.problems()).anyMatch(p -> p.contains("frame #3") && p.contains("truncated"));
    assertThat(r.problems()).noneMatch(p -> p.contains("frame #1") || p.contains("frame #2"));
  }

  @Test
  void findsATornTail() throws Exception {
    write(Codec.ZSTD);
    Files.write(path, new byte[45], StandardOpenOption.APPEND);
    assertThat(verify(Codec.ZSTD, expected(frames)).problems())
        .containsExactly(path + ": torn tail: 45 bytes past committed length " + committed());
  }

  @ParameterizedTest
  @EnumSource(Codec.class)
  void findsExtraBytesAfterTheLastRecordedMessage(Codec codec) throws Exception {
    write(codec);
    List<ExpectedFrame> expected = new ArrayList<>(expected(frames));
    ExpectedFrame f = expected.get(1);
    expected.set(1, new ExpectedFrame(f.offset(), f.length(), f.messages().subList(0, 2)));
    long extra = frames.get(1).messages().get(2).length();
    assertThat(verify(codec, expected).problems())
        .singleElement(STRING)
        .contains("frame #2")
        .contains("frame holds " + extra + " extra bytes after its last message");
  }

  @ParameterizedTest
  @EnumSource(Codec.class)
  void findsAMissingMessage(Codec codec) throws Exception {
    write(codec);
    List<ExpectedFrame> expected = new ArrayList<>(expected(frames));
    ExpectedFrame f = expected.get(0);
    EncodedMessage lastOne = f.messages().get(2).message();
    EncodedMessage ghost =
        new EncodedMessage(
            lastOne.offset() + lastOne.length(), lastOne.length(), 10, new byte[32], -1, false);
    List<ExpectedMessage> ms = new ArrayList<>(f.messages());
    ms.add(new ExpectedMessage("UIDL ghost (#4)", ghost));
    expected.set(0, new ExpectedFrame(f.offset(), f.length(), ms));
    assertThat(verify(codec, expected).problems())
        .singleElement(STRING)
        .contains("frame #1")
        .contains("UIDL ghost (#4)")
        .contains("missing");
  }

  @Test
  void findsFramesThatDoNotTileTheFile() throws Exception {
    write(Codec.GZIP);
    List<ExpectedFrame> expected = new ArrayList<>(expected(frames));
    expected.remove(1);
    assertThat(verify(Codec.GZIP, expected).problems())
        .containsExactly(
            path
                + ": frames do not tile the file: gap at offset "
                + frames.get(1).offset()
                + " ("
                + frames.get(1).length()
                + " bytes before frame #2)");
  }

  @Test
  void reportsAMissingFile() throws Exception {
    Path nothing = dir.resolve("nothing.mbox.zst");
    VerifyReport r = ArchiveReader.verify(nothing, Codec.ZSTD, 100, List.of());
    assertThat(r.ok()).isFalse();
    assertThat(r.problems()).singleElement().asString().contains("missing");
  }

  @Test
  void openMessageChecksTheRecordedHash() throws Exception {
    write(Codec.ZSTD);
    Frame f = frames.get(1);
    EncodedMessage m = f.messages().get(1);
    EncodedMessage wrong =
        new EncodedMessage(
            m.offset(), m.length(), m.wireLength(), new byte[32], m.rawFromLine(), false);
    try (InputStream in =
        ArchiveReader.openMessage(path, Codec.ZSTD, f.offset(), f.length(), wrong)) {
      assertThatThrownBy(in::readAllBytes)
          .isInstanceOf(ArchiveCorruptException.class)
          .hasMessageContaining("SHA-256 mismatch");
    }
    EncodedMessage pastEnd =
        new EncodedMessage(f.messages().get(2).offset() + 1000, 10, 1, new byte[32], -1, false);
    assertThatThrownBy(
            () -> ArchiveReader.openMessage(path, Codec.ZSTD, f.offset(), f.length(), pastEnd))
        .isInstanceOf(ArchiveCorruptException.class);
    assertThatThrownBy(
            () -> ArchiveReader.openMessage(path, Codec.ZSTD, f.offset(), Files.size(path), m))
        .isInstanceOf(ArchiveCorruptException.class)
        .hasMessageContaining("but the file is");
  }
}
