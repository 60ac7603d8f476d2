package dev.popvault.archive;

import static dev.popvault.archive.ArchiveFileTest.writeFrame;
import static dev.popvault.archive.Mboxrd.b;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.InputStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class FrameMessagesTest {
  @TempDir Path dir;

  private static final List<byte[]> MESSAGES =
      List.of(
          b("Subject: one\r\n\r\nFrom the start\r\n>From quoted\r\n"),
          b("Subject: two\r\n\r\nbare\rCR and NUL \0 here\r\n"),
          b("Subject: three\r\n\r\nno final newline"));

  private Path path;
  private Frame frame;

  private void write(Codec codec) throws Exception {
    path = dir.resolve("f" + codec.fileSuffix());
    try (ArchiveFile file = ArchiveFile.openForAppend(path, codec, 0)) {
      writeFrame(file, List.of(b("Subject: an earlier frame\r\n\r\nx\r\n")), Mboxrd.T0);
      frame = writeFrame(file, MESSAGES, Mboxrd.T0);
    }
  }

  @ParameterizedTest
  @EnumSource(Codec.class)
  void readsChosenMessagesOfOneFrameInOnePassExactly(Codec codec) throws Exception {
    write(codec);
    try (FrameMessages f = FrameMessages.open(path, codec, frame.offset(), frame.length())) {
      // The first is read only in part, the second skipped: the third still comes out whole.
      try (InputStream in = f.message(frame.messages().get(0))) {
        assertThat(in.readNBytes(5)).isEqualTo(b("Subje"));
      }
      assertThat(f.message(frame.messages().get(2)).readAllBytes()).isEqualTo(MESSAGES.get(2));
    }
    try (FrameMessages f = FrameMessages.open(path, codec, frame.offset(), frame.length())) {
      for (int i = 0; i < MESSAGES.size(); i++) {
        assertThat(f.message(frame.messages().get(i)).readAllBytes()).isEqualTo(MESSAGES.get(i));
      }
    }
  }

  @ParameterizedTest
  @EnumSource(Codec.class)
  void givesTheStoredFormCheckedAsItPasses(Codec codec) throws Exception {
    write(codec);
    try (FrameMessages f = FrameMessages.open(path, codec, frame.offset(), frame.length())) {
      byte[] stored = f.storedMessage(frame.messages().get(0)).readAllBytes();
      String text = new String(stored, StandardCharsets.ISO_8859_1);
      assertThat(text).startsWith("From ").contains("\n>From the start\n>>From quoted\n");
      assertThat((long) stored.length).isEqualTo(frame.messages().get(0).length());
    }
  }

  @Test
  void refusesToGoBackAndReportsADamagedMessage() throws Exception {
    write(Codec.NONE);
    try (FrameMessages f = FrameMessages.open(path, Codec.NONE, frame.offset(), frame.length())) {
      f.message(frame.messages().get(1)).readAllBytes();
      assertThatThrownBy(() -> f.message(frame.messages().get(0)))
          .isInstanceOf(IllegalArgumentException.class);
    }
    EncodedMessage second = frame.messages().get(1);
    try (RandomAccessFile raf = new RandomAccessFile(path.toFile(), "rw")) {
      long at = frame.offset() + second.offset() + second.length() - 3;
      raf.seek(at);
      int b = raf.read();
      raf.seek(at);
      raf.write(b ^ 0x01);
    }
    try (FrameMessages f = FrameMessages.open(path, Codec.NONE, frame.offset(), frame.length())) {
      assertThat(f.message(frame.messages().get(0)).readAllBytes()).isEqualTo(MESSAGES.get(0));
      assertThatThrownBy(() -> f.message(second).readAllBytes())
          .isInstanceOf(ArchiveCorruptException.class)
          .hasMessageContaining("SHA-256");
      assertThat(f.storedMessage(frame.messages().get(2)).readAllBytes())
          .as("the message after a damaged one")
          .isNotEmpty();
    }
    try (FrameMessages f = FrameMessages.open(path, Codec.NONE, frame.offset(), frame.length())) {
      assertThatThrownBy(() -> f.storedMessage(second).readAllBytes())
          .isInstanceOf(ArchiveCorruptException.class);
    }
  }
}
