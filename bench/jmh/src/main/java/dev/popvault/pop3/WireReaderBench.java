package dev.popvault.pop3;

import dev.popvault.jmh.Corpus;
import dev.popvault.jmh.Megabytes;
import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Reads one dot-stuffed RETR body of 1 MiB (76-character CRLF lines, some starting with '.') up to
 * its "CRLF.CRLF" terminator: popvault's {@link WireReader#body()}, which scans its buffer and
 * copies whole runs between line starts, against a byte-at-a-time reader over a
 * BufferedInputStream, the obvious way to write it.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 2)
public class WireReaderBench {
  private static final Duration TIMEOUT = Duration.ofSeconds(120);

  private byte[] body;
  private byte[] wire;
  private final byte[] sink = new byte[64 * 1024];

  /** Builds the input and checks that both readers return exactly the unstuffed body. */
  @Setup
  public void setUp() throws IOException {
    body = new Corpus(1).messageBody(1 << 20);
    wire = Corpus.dotStuffed(body);
    byte[] viaWireReader =
        drainToArray(new WireReader(new ByteArrayInputStream(wire), TIMEOUT).body());
    byte[] viaNaive = drainToArray(new NaiveDotReader(buffered(wire)));
    if (!Arrays.equals(viaWireReader, body) || !Arrays.equals(viaNaive, body)) {
      throw new IllegalStateException("a reader does not return the unstuffed body");
    }
  }

  /** Reads the body through popvault's buffered, run-copying reader. */
  @Benchmark
  public void wireReaderBody(Megabytes mb, Blackhole bh) throws IOException {
    WireReader reader = new WireReader(new ByteArrayInputStream(wire), TIMEOUT);
    bh.consume(drain(reader.body(), bh));
    mb.megabytes += wire.length / 1e6;
  }

  /** Reads the body one byte at a time with a line-start state machine. */
  @Benchmark
  public void naiveByteAtATime(Megabytes mb, Blackhole bh) throws IOException {
    bh.consume(drain(new NaiveDotReader(buffered(wire)), bh));
    mb.megabytes += wire.length / 1e6;
  }

  private long drain(InputStream in, Blackhole bh) throws IOException {
    long total = 0;
    int n;
    while ((n = in.read(sink, 0, sink.length)) != -1) {
      total += n;
    }
    bh.consume(sink);
    return total;
  }

  private static byte[] drainToArray(InputStream in) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    in.transferTo(out);
    return out.toByteArray();
  }

  private static InputStream buffered(byte[] wire) {
    return new BufferedInputStream(new ByteArrayInputStream(wire), 64 * 1024);
  }

  /**
   * Unstuffs a dot-terminated body one byte per {@link #read()} call; bulk reads fall back to
   * InputStream's default loop over read(), as in a straightforward implementation.
   */
  static final class NaiveDotReader extends InputStream {
    private final InputStream in;
    private boolean atLineStart = true;
    private boolean done;
    private int pending = -1;

    NaiveDotReader(InputStream in) {
      this.in = in;
    }

    @Override
    public int read() throws IOException {
      if (done) {
        return -1;
      }
      int c;
      if (pending >= 0) {
        c = pending;
        pending = -1;
      } else {
        c = next();
        if (atLineStart && c == '.') {
          c = next();
          if (c == '\r') {
            int d = next();
            if (d == '\n') {
              done = true;
              return -1;
            }
            pending = d;
          }
        }
      }
      atLineStart = c == '\n';
      return c;
    }

    private int next() throws IOException {
      int c = in.read();
      if (c < 0) {
        throw new EOFException("connection closed before the terminator");
      }
      return c;
    }
  }
}
