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
import org.apache.commons.compress.compressors.zstandard.ZstdCompressorInputStream;
import org.apache.commons.compress.compressors.zstandard.ZstdCompressorOutputStream;
import org.tukaani.xz.ArrayCache;
import org.tukaani.xz.BasicArrayCache;
import org.tukaani.xz.LZMA2Options;
import org.tukaani.xz.UnsupportedOptionsException;
import org.tukaani.xz.XZInputStream;
import org.tukaani.xz.XZOutputStream;

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
  /**
   * Compresses with xz preset 6 but a 4 MiB dictionary (see {@link #XZ_DICTIONARY}), one stream per
   * frame: smallest and slowest.
   */
  XZ("xz", ".mbox.xz"),
  /** Stores frames as plain mboxrd, uncompressed. */
  NONE("none", ".mbox");

  private static final int BUFFER = 64 * 1024;

  /**
   * The xz dictionary: 4 MiB instead of preset 6's 8 MiB. The encoder needs about 11.5 times its
   * dictionary (8 MiB: 93 MiB, one 64 MiB array among them), which cannot live beside anything else
   * in the launcher's 128 MiB heap; with 4 MiB it needs 47 MiB, plus 4 MiB for the decoder that
   * verifies the previous frame meanwhile. Measured on 32 MiB of distinct text, the output grows by
   * 1% (2 MiB: 2.3%; an 8 MiB hash-chain match finder, which needs 60 MiB: 8%).
   */
  static final int XZ_DICTIONARY = 4 << 20;

  /**
   * Lends the xz encoder's and decoders' big arrays from one frame to the next, so a run allocates
   * them about once instead of once per frame (a frame may hold a single message). Thread-safe; it
   * holds idle arrays by soft reference only, so the collector may take them back.
   */
  private static final ArrayCache XZ_ARRAYS = new BasicArrayCache();

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
  public OutputStream compressor(OutputStream out) throws IOException {
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
        return new XZOutputStream(out, xzOptions(), org.tukaani.xz.XZ.CHECK_CRC64, XZ_ARRAYS);
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
  public InputStream decompressor(InputStream in) throws IOException {
    switch (this) {
      case ZSTD:
        return new ZstdCompressorInputStream(in);
      case GZIP:
        return GzipCompressorInputStream.builder()
            .setInputStream(in)
            .setDecompressConcatenated(true)
            .get();
      case XZ:
        // Reads concatenated streams (one per frame); the arrays go back to the cache at each
        // stream's end, and at close.
        return new XZInputStream(in, -1, true, XZ_ARRAYS);
      case NONE:
        return in;
    }
    throw new AssertionError(this);
  }

  private static LZMA2Options xzOptions() throws UnsupportedOptionsException {
    LZMA2Options options = new LZMA2Options(6);
    options.setDictSize(XZ_DICTIONARY);
    return options;
  }

  /**
   * Buffers {@code in} for decoders that read small pieces (xz reads control bytes one at a time).
   */
  static InputStream buffered(InputStream in) {
    return new BufferedInputStream(in, BUFFER);
  }
}
