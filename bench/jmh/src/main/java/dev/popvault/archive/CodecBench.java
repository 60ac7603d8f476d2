package dev.popvault.archive;

import dev.popvault.jmh.Corpus;
import dev.popvault.jmh.Megabytes;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.apache.commons.compress.compressors.zstandard.ZstdCompressorOutputStream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Compresses one frame of ~8 MiB of mboxrd mail: zstd level 3 as {@link Codec#ZSTD} builds it (one
 * worker thread) and with workers=0 (compression on the caller's thread), gzip and xz as {@link
 * Codec} builds them. The {@code frameZstd*} pair runs the whole write path of {@link FrameWriter}
 * (mboxrd encode + SHA-256 + zstd) for frames of 8 and 32 MiB (32 MiB is the default batch), where
 * a worker thread could overlap with the caller. Each benchmark prints its compression ratio once,
 * at the end of its trial.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 2)
public class CodecBench {
  private static final int BUFFER = 64 * 1024;
  private static final int CHUNK = 16 * 1024;
  private static final Instant RECEIVED = Instant.parse("2026-03-02T10:15:30Z");

  private byte[] frame;
  private long lastInput;
  private long lastCompressed;

  /** Encodes ~8 MiB of messages into one mboxrd frame. */
  @Setup
  public void setUp() throws IOException {
    ByteArrayOutputStream mbox = new ByteArrayOutputStream(9 << 20);
    encode(new Corpus(3).messages(8 << 20), mbox, null);
    frame = mbox.toByteArray();
  }

  /** Prints the compressed size of the last frame against its input (once per benchmark). */
  @TearDown
  public void printRatio(BenchmarkParams params) {
    System.err.printf(
        Locale.ROOT,
        "%n%s: compressed %d of %d input bytes = %.1f%%%n",
        params.getBenchmark(),
        lastCompressed,
        lastInput,
        100.0 * lastCompressed / lastInput);
  }

  /** Compresses with popvault's zstd settings: level 3, checksum, one worker thread. */
  @Benchmark
  public long zstdWorkers1(Megabytes mb) throws IOException {
    mb.megabytes += frame.length / 1e6;
    return compress(Codec.ZSTD::compressor);
  }

  /** Compresses with zstd level 3, checksum, on the calling thread. */
  @Benchmark
  public long zstdWorkers0(Megabytes mb) throws IOException {
    mb.megabytes += frame.length / 1e6;
    return compress(CodecBench::zstdWorkers0);
  }

  /** Compresses with gzip level 6 (java.util.zip), as {@link Codec#GZIP}. */
  @Benchmark
  public long gzip(Megabytes mb) throws IOException {
    mb.megabytes += frame.length / 1e6;
    return compress(Codec.GZIP::compressor);
  }

  /** Compresses with xz preset 6 (pure Java), as {@link Codec#XZ}. */
  @Benchmark
  public long xz(Megabytes mb) throws IOException {
    mb.megabytes += frame.length / 1e6;
    return compress(Codec.XZ::compressor);
  }

  /** Holds the messages of one frame of {@code frameMiB} MiB for the write-path benchmarks. */
  @State(Scope.Benchmark)
  public static class Messages {
    @Param({"8", "32"})
    public int frameMiB;

    List<byte[]> messages;
    long bytes;

    /** Generates the frame's messages. */
    @Setup
    public void setUp() {
      messages = new Corpus(4).messages(frameMiB << 20);
      bytes = messages.stream().mapToLong(m -> m.length).sum();
    }
  }

  /** Encodes, hashes and compresses one frame as FrameWriter does: zstd with one worker. */
  @Benchmark
  @Warmup(iterations = 6, time = 2)
  public long frameZstdWorkers1(Messages in, Megabytes mb, Blackhole bh) throws IOException {
    mb.megabytes += in.bytes / 1e6;
    Counting sink = new Counting();
    encode(in.messages, Codec.ZSTD.compressor(sink), bh);
    lastInput = in.bytes;
    lastCompressed = sink.count;
    return sink.count;
  }

  /** Encodes, hashes and compresses one frame with zstd on the calling thread. */
  @Benchmark
  @Warmup(iterations = 6, time = 2)
  public long frameZstdWorkers0(Messages in, Megabytes mb, Blackhole bh) throws IOException {
    mb.megabytes += in.bytes / 1e6;
    Counting sink = new Counting();
    encode(in.messages, zstdWorkers0(sink), bh);
    lastInput = in.bytes;
    lastCompressed = sink.count;
    return sink.count;
  }

  /**
   * Encodes, hashes and compresses one frame with one zstd worker and 1 MiB jobs instead of zstd's
   * default (4 × the window: 8 MiB at level 3), so the worker starts before 8 MiB arrive.
   */
  @Benchmark
  @Warmup(iterations = 6, time = 2)
  public long frameZstdWorkers1Job1M(Messages in, Megabytes mb, Blackhole bh) throws IOException {
    mb.megabytes += in.bytes / 1e6;
    Counting sink = new Counting();
    OutputStream zstd =
        ZstdCompressorOutputStream.builder()
            .setOutputStream(sink)
            .setLevel(3)
            .setChecksum(true)
            .setWorkers(1)
            .setJobSize(1 << 20)
            .get();
    encode(in.messages, zstd, bh);
    lastInput = in.bytes;
    lastCompressed = sink.count;
    return sink.count;
  }

  /** Writes {@code messages} as mboxrd into {@code out}, then closes it (ending the frame). */
  private static void encode(List<byte[]> messages, OutputStream out, Blackhole bh)
      throws IOException {
    BulkOutput bulk = new BulkOutput(out, BUFFER);
    MboxrdEncoder encoder = new MboxrdEncoder(bulk, BUFFER);
    for (byte[] m : messages) {
      MboxrdEncoder.Result r = encoder.encode(new ByteArrayInputStream(m), RECEIVED);
      if (bh != null) {
        bh.consume(r);
      }
    }
    bulk.flush();
    out.close();
  }

  /** Returns the compressed size of {@link #frame}, written in 16 KiB chunks. */
  private long compress(Compressor codec) throws IOException {
    Counting sink = new Counting();
    OutputStream compressor = codec.wrap(sink);
    for (int off = 0; off < frame.length; off += CHUNK) {
      compressor.write(frame, off, Math.min(CHUNK, frame.length - off));
    }
    compressor.close();
    lastInput = frame.length;
    lastCompressed = sink.count;
    return sink.count;
  }

  private static OutputStream zstdWorkers0(OutputStream out) throws IOException {
    return ZstdCompressorOutputStream.builder()
        .setOutputStream(out)
        .setLevel(3)
        .setChecksum(true)
        .setWorkers(0)
        .get();
  }

  /** Wraps a sink in a compressor that writes one frame and closes the sink when closed. */
  private interface Compressor {
    OutputStream wrap(OutputStream out) throws IOException;
  }

  /** Counts and discards compressed bytes. */
  private static final class Counting extends OutputStream {
    long count;

    @Override
    public void write(int b) {
      count++;
    }

    @Override
    public void write(byte[] b, int off, int len) {
      count += len;
    }
  }
}
