package dev.popvault.archive;

import static dev.popvault.archive.Mboxrd.b;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class ArchiveFileTest {
  @TempDir Path dir;

  static byte[] readMessage(Path file, Codec codec, Frame f, EncodedMessage m) throws IOException {
    try (InputStream in = ArchiveReader.openMessage(file, codec, f.offset(), f.length(), m)) {
      return in.readAllBytes();
    }
  }

  static Frame writeFrame(ArchiveFile file, List<byte[]> inputs, Instant t) throws IOException {
    FrameWriter w = file.beginFrame();
    for (byte[] input : inputs) {
      w.append(new ByteArrayInputStream(input), t);
    }
    return w.finishAndVerify();
  }

  static byte[] decompressWhole(Path file, Codec codec) throws IOException {
    try (InputStream in = codec.decompressor(Files.newInputStream(file))) {
      return in.readAllBytes();
    }
  }

  @ParameterizedTest
  @EnumSource(Codec.class)
  void roundTripsAwkwardMessagesOverSeveralFrames(Codec codec) throws Exception {
    Path path = dir.resolve("a" + codec.fileSuffix());
    List<byte[]> inputs = new ArrayList<>();
    for (Object[] o : Mboxrd.awkward()) {
      inputs.add((byte[]) o[1]);
    }
    List<Frame> frames = new ArrayList<>();
    ByteArrayOutputStream expectedMbox = new ByteArrayOutputStream();
    try (ArchiveFile file = ArchiveFile.openForAppend(path, codec, 0)) {
      assertThat(file.truncatedBytes()).isZero();
      for (int from = 0; from < inputs.size(); from += 7) {
        List<byte[]> batch = inputs.subList(from, Math.min(inputs.size(), from + 7));
        Frame f = writeFrame(file, batch, Mboxrd.T0);
        assertThat(f.offset())
            .isEqualTo(frames.isEmpty() ? 0 : last(frames).offset() + last(frames).length());
        assertThat(file.length()).isEqualTo(f.offset() + f.length());
        assertThat(f.messages()).hasSize(batch.size());
        frames.add(f);
        batch.forEach(in -> expectedMbox.writeBytes(Mboxrd.entry(in, Mboxrd.T0)));
      }
      assertThat(Files.size(path)).isEqualTo(file.length());
    }
    int k = 0;
    for (Frame f : frames) {
      long expectedOffset = 0;
      for (EncodedMessage m : f.messages()) {
        assertThat(m.offset()).isEqualTo(expectedOffset);
        expectedOffset += m.length();
        assertThat(readMessage(path, codec, f, m)).as("message %d", k).isEqualTo(inputs.get(k));
        k++;
      }
    }
    assertThat(decompressWhole(path, codec)).isEqualTo(expectedMbox.toByteArray());
    assertThat(ArchiveReader.verify(path, codec, Files.size(path), expected(frames)).problems())
        .isEmpty();
  }

  @ParameterizedTest
  @EnumSource(Codec.class)
  void roundTripsATenMegabyteLine(Codec codec) throws Exception {
    Path path = dir.resolve("big" + codec.fileSuffix());
    byte[] big = Mboxrd.concat(b("From "), Mboxrd.repeat("0123456789abcdef>From \r", 10 << 20));
    try (ArchiveFile file = ArchiveFile.openForAppend(path, codec, 0)) {
      Frame f = writeFrame(file, List.of(b("small\r\n"), big), Instant.EPOCH);
      assertThat(readMessage(path, codec, f, f.messages().get(1))).isEqualTo(big);
      assertThat(f.messages().get(1).noFinalNewline()).isTrue();
    }
  }

  static <T> T last(List<T> l) {
    return l.get(l.size() - 1);
  }

  static List<ExpectedFrame> expected(List<Frame> frames) {
    List<ExpectedFrame> out = new ArrayList<>();
    for (Frame f : frames) {
      List<ExpectedMessage> ms = new ArrayList<>();
      for (int i = 0; i < f.messages().size(); i++) {
        ms.add(new ExpectedMessage("m" + i, f.messages().get(i)));
      }
      out.add(new ExpectedFrame(f.offset(), f.length(), ms));
    }
    return out;
  }

  @ParameterizedTest
  @EnumSource(Codec.class)
  void reopenCutsTheTornTailOfAnUncommittedFrame(Codec codec) throws Exception {
    Path path = dir.resolve("t" + codec.fileSuffix());
    Frame committed;
    try (ArchiveFile file = ArchiveFile.openForAppend(path, codec, 0)) {
      committed = writeFrame(file, List.of(b("one\r\n")), Mboxrd.T0);
      // Written and verified, but the (simulated) ledger never recorded it: a crash before commit.
      writeFrame(file, List.of(b("two\r\n")), Mboxrd.T0);
    }
    long committedLength = committed.length();
    long tail = Files.size(path) - committedLength;
    assertThat(tail).isPositive();

    Frame next;
    try (ArchiveFile file = ArchiveFile.openForAppend(path, codec, committedLength)) {
      assertThat(file.truncatedBytes()).isEqualTo(tail);
      assertThat(file.length()).isEqualTo(committedLength);
      assertThat(Files.size(path)).isEqualTo(committedLength);
      next = writeFrame(file, List.of(b("three\r\n")), Mboxrd.T0);
      assertThat(next.offset()).isEqualTo(committedLength);
    }
    assertThat(readMessage(path, codec, next, next.messages().get(0))).isEqualTo(b("three\r\n"));
    assertThat(
            ArchiveReader.verify(path, codec, Files.size(path), expected(List.of(committed, next)))
                .ok())
        .isTrue();
  }

  @Test
  void reopenCutsGarbagePastTheCommittedLength() throws Exception {
    Path path = dir.resolve("g.mbox.zst");
    try (ArchiveFile file = ArchiveFile.openForAppend(path, Codec.ZSTD, 0)) {
      writeFrame(file, List.of(b("x\r\n")), Mboxrd.T0);
    }
    long committed = Files.size(path);
    Files.write(path, new byte[45], StandardOpenOption.APPEND);
    try (ArchiveFile file = ArchiveFile.openForAppend(path, Codec.ZSTD, committed)) {
      assertThat(file.truncatedBytes()).isEqualTo(45);
    }
    assertThat(Files.size(path)).isEqualTo(committed);
  }

  @Test
  void refusesAFileShorterThanCommitted() throws Exception {
    Path path = dir.resolve("s.mbox");
    try (ArchiveFile file = ArchiveFile.openForAppend(path, Codec.NONE, 0)) {
      writeFrame(file, List.of(b("x\r\n")), Mboxrd.T0);
    }
    long size = Files.size(path);
    assertThatThrownBy(() -> ArchiveFile.openForAppend(path, Codec.NONE, size + 10))
        .isInstanceOf(ArchiveCorruptException.class)
        .hasMessageContaining("10 bytes shorter than committed length");
    assertThat(Files.size(path)).isEqualTo(size);

    Path missing = dir.resolve("missing/m.mbox");
    assertThatThrownBy(() -> ArchiveFile.openForAppend(missing, Codec.NONE, 5))
        .isInstanceOf(ArchiveCorruptException.class)
        .hasMessageContaining("missing");
    assertThat(missing.getParent()).doesNotExist();
  }

  @Test
  void createsFilesPrivateAndParentsPrivate() throws Exception {
    Path shared = Files.createDirectory(dir.resolve("shared"));
    Files.setPosixFilePermissions(shared, PosixFilePermissions.fromString("rwxr-xr-x"));
    Path path = shared.resolve("acct/2024/2024-02.mbox.zst");
    try (ArchiveFile file = ArchiveFile.openForAppend(path, Codec.ZSTD, 0)) {
      writeFrame(file, List.of(b("x\r\n")), Mboxrd.T0);
    }
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(path)))
        .isEqualTo("rw-------");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(path.getParent())))
        .isEqualTo("rwx------");
    assertThat(
            PosixFilePermissions.toString(
                Files.getPosixFilePermissions(path.getParent().getParent())))
        .isEqualTo("rwx------");
    // Existing directories are not ours to change.
    assertThat(Files.getPosixFilePermissions(dir)).isEqualTo(Files.getPosixFilePermissions(dir));
  }

  @Test
  void abortCutsTheFrameAndAllowsANewOne() throws Exception {
    Path path = dir.resolve("ab.mbox.gz");
    try (ArchiveFile file = ArchiveFile.openForAppend(path, Codec.GZIP, 0)) {
      Frame first = writeFrame(file, List.of(b("a\r\n")), Mboxrd.T0);
      FrameWriter w = file.beginFrame();
      w.append(new ByteArrayInputStream(Mboxrd.repeat("lots of data\r\n", 300_000)), Mboxrd.T0);
      w.abort();
      w.abort();
      assertThat(Files.size(path)).isEqualTo(first.length());
      assertThat(file.length()).isEqualTo(first.length());
      Frame second = writeFrame(file, List.of(b("b\r\n")), Mboxrd.T0);
      assertThat(second.offset()).isEqualTo(first.length());
      assertThat(readMessage(path, Codec.GZIP, second, second.messages().get(0)))
          .isEqualTo(b("b\r\n"));
    }
  }

  @Test
  void aFailedAppendLeavesOnlyAbort() throws Exception {
    Path path = dir.resolve("f.mbox.xz");
    try (ArchiveFile file = ArchiveFile.openForAppend(path, Codec.XZ, 0)) {
      FrameWriter w = file.beginFrame();
      w.append(new ByteArrayInputStream(b("ok\r\n")), Mboxrd.T0);
      InputStream dropped =
          new InputStream() {
            int n;

            @Override
            public int read() throws IOException {
              if (n++ > 1000) {
                throw new IOException("connection reset");
              }
              return 'x';
            }
          };
      assertThatThrownBy(() -> w.append(dropped, Mboxrd.T0)).hasMessage("connection reset");
      assertThatThrownBy(() -> w.append(new ByteArrayInputStream(b("y")), Mboxrd.T0))
          .isInstanceOf(IllegalStateException.class);
      assertThatThrownBy(w::finishAndVerify).isInstanceOf(IllegalStateException.class);
      w.abort();
      assertThat(Files.size(path)).isZero();
    }
  }

  @Test
  void closeWithAnOpenFrameCutsIt() throws Exception {
    Path path = dir.resolve("c.mbox.zst");
    long committed;
    try (ArchiveFile file = ArchiveFile.openForAppend(path, Codec.ZSTD, 0)) {
      committed = writeFrame(file, List.of(b("a\r\n")), Mboxrd.T0).length();
      FrameWriter w = file.beginFrame();
      byte[] big = Mboxrd.repeat("z\r\n", 1 << 20);
      w.append(new ByteArrayInputStream(big), Mboxrd.T0);
      assertThat(w.messageCount()).isEqualTo(1);
      assertThat(w.uncompressedBytes()).isEqualTo(Mboxrd.entry(big, Mboxrd.T0).length);
      assertThatThrownBy(file::beginFrame).isInstanceOf(IllegalStateException.class);
    }
    assertThat(Files.size(path)).isEqualTo(committed);
  }

  @Test
  void anEmptyFrameIsValid() throws Exception {
    Path path = dir.resolve("e.mbox.zst");
    try (ArchiveFile file = ArchiveFile.openForAppend(path, Codec.ZSTD, 0)) {
      Frame f = file.beginFrame().finishAndVerify();
      assertThat(f.messages()).isEmpty();
      assertThat(ArchiveReader.verify(path, Codec.ZSTD, file.length(), expected(List.of(f))).ok())
          .isTrue();
    }
  }

  @ParameterizedTest
  @EnumSource(
      value = Codec.class,
      names = {"ZSTD", "NONE"})
  void appendsAndReadsBackAHugeLineInBoundedMemory(Codec codec) throws Exception {
    Path path = dir.resolve("huge" + codec.fileSuffix());
    long size = 64L << 20;
    try (ArchiveFile file = ArchiveFile.openForAppend(path, codec, 0)) {
      // Warm up class loading and native libraries so the measurement sees steady state only.
      writeFrame(file, List.of(b("warm\r\n")), Mboxrd.T0);
      long before = Generated.allocatedByThisThread();
      FrameWriter w = file.beginFrame();
      EncodedMessage m = w.append(new Generated(">From x\ry", size), Mboxrd.T0);
      Frame f = w.finishAndVerify();
      long read = 0;
      byte[] buf = new byte[64 * 1024];
      try (InputStream in = ArchiveReader.openMessage(path, codec, f.offset(), f.length(), m)) {
        int n;
        while ((n = in.read(buf)) != -1) {
          read += n;
        }
      }
      long allocated = Generated.allocatedByThisThread() - before;
      assertThat(read).isEqualTo(size);
      assertThat(m.wireLength()).isEqualTo(size);
      assertThat(allocated).as("bytes allocated for a %d byte line", size).isLessThan(8L << 20);
    }
  }

  // GZIP and NONE write through as they go; zstd holds output on its worker thread until finish, so
  // it cannot
  // be caught with bytes on disk mid-frame. The re-read logic is the same for every codec.
  @ParameterizedTest
  @EnumSource(
      value = Codec.class,
      names = {"GZIP", "NONE"})
  void finishAndVerifyRereadsTheDiskAndRefusesWhatChangedThere(Codec codec) throws Exception {
    Path path = dir.resolve("disk" + codec.fileSuffix());
    byte[] body = Mboxrd.repeat("abcdefgh", 2 << 20);
    new Random(1).nextBytes(body);
    for (int i = 0; i < body.length; i++) {
      // Random letters: incompressible enough that most of the frame reaches the file before
      // finish.
      body[i] = (byte) ('a' + (body[i] & 0x0f));
    }
    try (ArchiveFile file = ArchiveFile.openForAppend(path, codec, 0)) {
      Frame first = writeFrame(file, List.of(b("a\r\n")), Mboxrd.T0);
      FrameWriter w = file.beginFrame();
      w.append(new ByteArrayInputStream(body), Mboxrd.T0);
      assertThat(Files.size(path)).isGreaterThan(first.length() + 1000);
      // Another writer damages bytes already on disk; only a re-read from the file can notice.
      try (FileChannel other = FileChannel.open(path, StandardOpenOption.WRITE)) {
        other.write(ByteBuffer.wrap(b("Z")), w.frameOffset() + 500);
      }
      assertThatThrownBy(w::finishAndVerify)
          .isInstanceOf(ArchiveVerifyException.class)
          .satisfies(e -> assertThat(((ArchiveVerifyException) e).problems()).isNotEmpty())
          .hasMessageContaining("frame at offset " + w.frameOffset());
      w.abort();
      assertThat(file.length()).isEqualTo(first.length());
      assertThat(Files.size(path)).isEqualTo(first.length());
    }
  }

  // The archive run verifies frame N on another thread while frame N+1 is written; on a failure
  // both must be cut back, later one first.
  @Test
  void aFinishedFrameVerifiesWhileTheNextIsWrittenAndBothCutBackInOrder() throws Exception {
    Path path = dir.resolve("overlap.mbox.zst");
    try (ArchiveFile file = ArchiveFile.openForAppend(path, Codec.ZSTD, 0)) {
      Frame committed = writeFrame(file, List.of(b("a\r\n")), Mboxrd.T0);
      FrameWriter first = file.beginFrame();
      first.append(new ByteArrayInputStream(b("Subject: 1\r\n\r\none\r\n")), Mboxrd.T0);
      first.finish();
      FrameWriter second = file.beginFrame();
      assertThat(second.frameOffset()).isEqualTo(file.length()).isGreaterThan(committed.length());
      ExecutorService other = Executors.newSingleThreadExecutor();
      try {
        Future<Frame> verified = other.submit(first::verify);
        second.append(new ByteArrayInputStream(b("Subject: 2\r\n\r\ntwo\r\n")), Mboxrd.T0);
        Frame v = verified.get();
        assertThat(v.offset()).isEqualTo(committed.length());
        assertThat(v.offset() + v.length()).isEqualTo(second.frameOffset());
      } finally {
        other.shutdown();
      }
      second.finish();
      assertThat(second.verify().messages()).hasSize(1);
      assertThatThrownBy(first::abort)
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("later frame");
      second.abort();
      first.abort();
      assertThat(file.length()).isEqualTo(committed.length());
      assertThat(Files.size(path)).isEqualTo(committed.length());
      Frame again = writeFrame(file, List.of(b("b\r\n")), Mboxrd.T0);
      assertThat(again.offset()).isEqualTo(committed.length());
    }
  }
}
