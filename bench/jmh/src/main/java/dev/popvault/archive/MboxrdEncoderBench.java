package dev.popvault.archive;

import dev.popvault.jmh.Corpus;
import dev.popvault.jmh.Megabytes;
import java.io.BufferedOutputStream;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
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
 * Encodes one 1 MiB message (CRLF lines, some "From " and ">From " lines) as mboxrd into a
 * discarding sink. {@link MboxrdEncoder#encode} also hashes the input with SHA-256, so the naive
 * per-byte encoder is measured both with the same bulk hashing (the fair comparison) and without;
 * {@link #sha256Only} shows what share of the encode cost is the hash.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 2)
public class MboxrdEncoderBench {
  private static final int BUFFER = 64 * 1024;
  private static final Instant RECEIVED = Instant.parse("2026-03-02T10:15:30Z");

  private byte[] body;
  private MboxrdEncoder encoder;
  private NaiveEncoder naive;
  private MessageDigest sha;

  /** Builds the input and checks that both encoders write the same mboxrd bytes and digest. */
  @Setup
  public void setUp() throws IOException {
    body = new Corpus(2).messageBody(1 << 20);
    encoder = new MboxrdEncoder(new BulkOutput(OutputStream.nullOutputStream(), BUFFER), BUFFER);
    naive = new NaiveEncoder(new BufferedOutputStream(OutputStream.nullOutputStream(), BUFFER));
    sha = MboxrdEncoder.sha256();

    ByteArrayOutputStream ours = new ByteArrayOutputStream();
    BulkOutput bulk = new BulkOutput(ours, BUFFER);
    MboxrdEncoder.Result r =
        new MboxrdEncoder(bulk, BUFFER).encode(new ByteArrayInputStream(body), RECEIVED);
    bulk.flush();
    ByteArrayOutputStream theirs = new ByteArrayOutputStream();
    NaiveEncoder check = new NaiveEncoder(theirs);
    byte[] digest = check.encode(new ByteArrayInputStream(body), RECEIVED, true);
    if (!Arrays.equals(ours.toByteArray(), theirs.toByteArray())
        || !Arrays.equals(r.sha256(), digest)
        || r.rawFromLine() != -1) {
      throw new IllegalStateException("the naive encoder does not match MboxrdEncoder");
    }
  }

  /** Encodes with popvault's encoder: line-start state machine, runs copied in bulk, SHA-256. */
  @Benchmark
  public void mboxrdEncoder(Megabytes mb, Blackhole bh) throws IOException {
    bh.consume(encoder.encode(new ByteArrayInputStream(body), RECEIVED));
    mb.megabytes += body.length / 1e6;
  }

  /** Encodes byte by byte into a BufferedOutputStream, hashing each read chunk: same work. */
  @Benchmark
  public void naivePerByteWithSha(Megabytes mb, Blackhole bh) throws IOException {
    bh.consume(naive.encode(new ByteArrayInputStream(body), RECEIVED, true));
    mb.megabytes += body.length / 1e6;
  }

  /** Encodes byte by byte without hashing: the per-byte cost alone. */
  @Benchmark
  public void naivePerByteNoSha(Megabytes mb, Blackhole bh) throws IOException {
    bh.consume(naive.encode(new ByteArrayInputStream(body), RECEIVED, false));
    mb.megabytes += body.length / 1e6;
  }

  /** Hashes the same bytes with SHA-256 and does nothing else. */
  @Benchmark
  public void sha256Only(Megabytes mb, Blackhole bh) {
    sha.reset();
    sha.update(body, 0, body.length);
    bh.consume(sha.digest());
    mb.megabytes += body.length / 1e6;
  }

  /**
   * Writes mboxrd one byte per {@code write(int)}: CRLF becomes LF and lines matching {@code
   * ^>*From } get one more '>'. Handles CRLF input only (all the corpus holds), which is what makes
   * it shorter than {@link MboxrdEncoder}.
   */
  static final class NaiveEncoder {
    private static final byte[] FROM = {'F', 'r', 'o', 'm', ' '};
    private final OutputStream out;
    private final byte[] in = new byte[BUFFER];
    private final MessageDigest sha = MboxrdEncoder.sha256();

    NaiveEncoder(OutputStream out) {
      this.out = out;
    }

    byte[] encode(InputStream body, Instant receivedAt, boolean hash) throws IOException {
      byte[] from =
          ("From MAILER-DAEMON " + MboxrdEncoder.asctime(receivedAt) + "\n")
              .getBytes(StandardCharsets.US_ASCII);
      for (byte b : from) {
        out.write(b);
      }
      sha.reset();
      boolean prefix = true;
      int gts = 0;
      int matched = 0;
      boolean pendingCr = false;
      int n;
      while ((n = body.read(in, 0, in.length)) != -1) {
        if (hash) {
          sha.update(in, 0, n);
        }
        for (int i = 0; i < n; i++) {
          int c = in[i];
          if (prefix) {
            if (matched == 0 && c == '>') {
              gts++;
              continue;
            }
            if (c == FROM[matched]) {
              if (++matched < FROM.length) {
                continue;
              }
              out.write('>');
            }
            for (int k = 0; k < gts; k++) {
              out.write('>');
            }
            for (int k = 0; k < matched; k++) {
              out.write(FROM[k]);
            }
            boolean consumed = matched == FROM.length;
            prefix = false;
            gts = 0;
            matched = 0;
            if (consumed) {
              continue;
            }
          }
          if (pendingCr) {
            pendingCr = false;
            if (c == '\n') {
              out.write('\n');
              prefix = true;
              continue;
            }
            out.write('\r');
          }
          if (c == '\r') {
            pendingCr = true;
          } else {
            out.write(c);
            if (c == '\n') {
              prefix = true;
            }
          }
        }
      }
      out.write('\n');
      out.flush();
      return hash ? sha.digest() : null;
    }
  }
}
