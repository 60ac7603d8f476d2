package dev.popvault.archive;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;
import org.apache.commons.compress.compressors.xz.XZCompressorInputStream;
import org.apache.commons.compress.compressors.xz.XZCompressorOutputStream;
import org.apache.commons.compress.compressors.zstandard.ZstdCompressorInputStream;
import org.apache.commons.compress.compressors.zstandard.ZstdCompressorOutputStream;
import org.tukaani.xz.LZMA2Options;

/**
 * Names the compression of an archive file. Each frame is one independent zstd frame, gzip member
 * or xz stream, so {@code zstdcat}, {@code zcat} and {@code xzcat} read a whole file as the
 * concatenation.
 */
public enum Codec {
  /**
   * Compresses with Zstandard level 3 and a content checksum per frame: fast and small; the
   * default.
   */
  ZSTD("zstd", ".mbox.zst"),
  /** Compresses with gzip (deflate level 6), one member per frame. */
  GZIP("gzip", ".mbox.gz"),
  /** Compresses with xz preset 6, one stream per frame: smallest and slowest. */
  XZ("xz", ".mbox.xz"),
  /** Stores frames as plain mboxrd, uncompressed. */
  NONE("none", ".mbox");

  private static final int BUFFER = 64 * 1024;

  private final String cliName;
  private final String fileSuffix;

  Codec(String cliName, String fileSuffix) {
    this.cliName = cliName;
    this.fileSuffix = fileSuffix;
  }

  /**
   * Returns the codec named {@code name} ("zstd", "gzip", "xz" or "none", in any case).
   *
   * @throws IllegalArgumentException naming the valid names if {@code name} is none of them
   */
  public static Codec parse(String name) {
    if (name != null) {
      for (Codec c : values()) {
        if (c.cliName.equals(name.toLowerCase(Locale.ROOT))) {
          return c;
        }
      }
    }
    throw new IllegalArgumentException(
        "unknown codec '"
            + name
            + "'; valid: "
            + Arrays.stream(values()).map(Codec::cliName).collect(Collectors.joining(", ")));
  }

  /** Returns the name used on the command line and in the ledger, e.g. "zstd". */
  public String cliName() {
    return cliName;
  }

  /** Returns the file name suffix, e.g. ".mbox.zst". */
  public String fileSuffix() {
    return fileSuffix;
  }

  /**
   * Wraps {@code out} in a compressor that writes one complete frame when closed. Closing the
   * returned stream closes {@code out}.
   */
  OutputStream compressor(OutputStream out) throws IOException {
    switch (this) {
      case ZSTD:
        return ZstdCompressorOutputStream.builder()
            .setOutputStream(out)
            .setLevel(3)
            .setChecksum(true)
            // One zstd worker thread compresses while the caller reads the network, encodes and
            // hashes: the two cores overlap instead of taking turns.
            .setWorkers(1)
            // In 1 MiB jobs: at level 3 zstd's default job is 8 MiB, so a smaller frame (a batch of
            // small messages) reached the worker only when it closed. 1.5x faster on 8 MiB frames,
            // same ratio (bench/jmh, CodecBench).
            .setJobSize(1 << 20)
            .get();
      case GZIP:
        return new GZIPOutputStream(out, BUFFER);
      case XZ:
        return XZCompressorOutputStream.builder()
            .setOutputStream(out)
            .setLzma2Options(new LZMA2Options(6))
            .get();
      case NONE:
        return out;
    }
    throw new AssertionError(this);
  }

  /**
   * Wraps {@code in} in a decompressor that reads concatenated frames to the end of {@code in}.
   * Data that is not a valid frame makes reads fail with an IOException. Closing the returned
   * stream closes {@code in}.
   */
  InputStream decompressor(InputStream in) throws IOException {
    switch (this) {
      case ZSTD:
        return new ZstdCompressorInputStream(in);
      case GZIP:
        return GzipCompressorInputStream.builder()
            .setInputStream(in)
            .setDecompressConcatenated(true)
            .get();
      case XZ:
        return XZCompressorInputStream.builder()
            .setInputStream(in)
            .setDecompressConcatenated(true)
            .get();
      case NONE:
        return in;
    }
    throw new AssertionError(this);
  }

  /**
   * Buffers {@code in} for decoders that read small pieces (xz reads control bytes one at a time).
   */
  static InputStream buffered(InputStream in) {
    return new BufferedInputStream(in, BUFFER);
  }
}
