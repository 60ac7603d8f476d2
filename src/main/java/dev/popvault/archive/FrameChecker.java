package dev.popvault.archive;

import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.util.List;

/**
 * Re-reads one frame from a file and checks that its decompressed content is exactly the expected
 * messages, back to back: each decodes to its recorded length and SHA-256, nothing is missing,
 * nothing extra. Every problem is added as one line; a frame that fails to decompress is reported,
 * not thrown.
 */
final class FrameChecker {
  private static final int BUFFER = 64 * 1024;

  /** Marks a failure of the decompressor (as opposed to bad mboxrd inside a message). */
  private static final class DecompressFailure extends Exception {
    private static final long serialVersionUID = 1L;

    DecompressFailure(IOException cause) {
      super(cause);
    }
  }

  private final InputStream compressed;
  private final String where;
  private final List<String> problems;
  private final byte[] buf = new byte[BUFFER];
  private InputStream in;
  private int bufPos;
  private int bufLen;
  private long pos;

  private FrameChecker(InputStream compressed, String where, List<String> problems) {
    this.compressed = compressed;
    this.where = where;
    this.problems = problems;
  }

  /**
   * Checks the frame at {@code [frameOffset, frameOffset + frameLength)} of {@code channel}.
   *
   * @param where prefix of every problem line, naming the file and frame
   */
  static void check(
      FileChannel channel,
      Codec codec,
      long frameOffset,
      long frameLength,
      List<ExpectedMessage> messages,
      String where,
      List<String> problems) {
    InputStream compressed =
        Codec.buffered(new ChannelStreams.Source(channel, frameOffset, frameOffset + frameLength));
    FrameChecker c = new FrameChecker(compressed, where, problems);
    try {
      c.in = codec.decompressor(compressed);
    } catch (IOException e) {
      problems.add(where + ": truncated frame: decoder failed: " + describe(e));
      return;
    }
    try {
      c.run(messages);
    } finally {
      try {
        c.in.close();
      } catch (IOException e) {
        problems.add(where + ": closing the decoder failed: " + describe(e));
      }
    }
  }

  private void run(List<ExpectedMessage> messages) {
    int k = 0;
    try {
      for (; k < messages.size(); k++) {
        if (!checkMessage(messages.get(k))) {
          for (int rest = k + 1; rest < messages.size(); rest++) {
            problems.add(
                where
                    + ": message "
                    + messages.get(rest).label()
                    + " is missing: frame content ends at byte "
                    + pos);
          }
          return;
        }
      }
      long extra = drain();
      if (extra > 0) {
        problems.add(
            where
                + ": frame holds "
                + extra
                + " extra bytes after its last message (from decompressed byte "
                + (pos - extra)
                + ")");
      }
      int undecoded = compressed.available();
      if (undecoded > 0) {
        problems.add(where + ": " + undecoded + " bytes at the end of the frame were not decoded");
      }
    } catch (DecompressFailure e) {
      String during =
          k < messages.size() ? " while reading message " + messages.get(k).label() : "";
      problems.add(
          where
              + ": truncated frame: decoder failed at decompressed byte "
              + pos
              + during
              + ": "
              + describe((IOException) e.getCause()));
    } catch (IOException e) {
      problems.add(where + ": reading the frame failed: " + describe(e));
    }
  }

  /** Returns false if the frame ended before this message did. */
  private boolean checkMessage(ExpectedMessage expected) throws DecompressFailure, IOException {
    EncodedMessage m = expected.message();
    String what =
        where
            + ": message "
            + expected.label()
            + " (decompressed bytes "
            + m.offset()
            + "-"
            + (m.offset() + m.length())
            + ")";
    if (m.offset() < pos) {
      problems.add(what + ": overlaps the previous message, which ends at byte " + pos);
      return true;
    }
    if (m.offset() > pos) {
      long start = pos;
      skip(m.offset() - pos);
      if (pos < m.offset()) {
        problems.add(what + " is missing: frame content ends at byte " + pos);
        return false;
      }
      problems.add(
          where
              + ": "
              + (m.offset() - start)
              + " unexpected bytes at decompressed byte "
              + start
              + " before message "
              + expected.label());
    }
    DigestSink sink = new DigestSink();
    MboxrdDecoder decoder = new MboxrdDecoder(m, sink);
    String formatError = null;
    long need = m.length();
    while (need > 0) {
      int avail = fill();
      if (avail == 0 && need == m.length()) {
        problems.add(what + " is missing: frame content ends at byte " + pos);
        return false;
      }
      if (avail == 0) {
        problems.add(
            what
                + ": truncated: frame content ends after "
                + (m.length() - need)
                + " of its "
                + m.length()
                + " bytes");
        return false;
      }
      int take = (int) Math.min(avail, need);
      if (formatError == null) {
        try {
          decoder.feed(buf, bufPos, take);
        } catch (ArchiveCorruptException e) {
          formatError = e.getMessage();
        }
      }
      bufPos += take;
      pos += take;
      need -= take;
    }
    if (formatError == null) {
      try {
        decoder.finish();
      } catch (ArchiveCorruptException e) {
        formatError = e.getMessage();
      }
    }
    if (formatError != null) {
      problems.add(what + ": " + formatError);
    } else if (sink.count() != m.wireLength()) {
      problems.add(
          what
              + ": length mismatch: decodes to "
              + sink.count()
              + " bytes, recorded "
              + m.wireLength());
    } else if (!m.sha256Equals(sink.digest())) {
      problems.add(what + ": SHA-256 mismatch");
    }
    return true;
  }

  /** Returns how many bytes are buffered, reading more if none are; 0 means end of frame. */
  private int fill() throws DecompressFailure {
    if (bufPos == bufLen) {
      int n;
      try {
        n = in.read(buf, 0, buf.length);
      } catch (IOException e) {
        throw new DecompressFailure(e);
      }
      bufPos = 0;
      bufLen = Math.max(n, 0);
    }
    return bufLen - bufPos;
  }

  private void skip(long n) throws DecompressFailure {
    while (n > 0) {
      int avail = fill();
      if (avail == 0) {
        return;
      }
      int take = (int) Math.min(avail, n);
      bufPos += take;
      pos += take;
      n -= take;
    }
  }

  private long drain() throws DecompressFailure {
    long count = 0;
    int avail;
    while ((avail = fill()) > 0) {
      bufPos += avail;
      pos += avail;
      count += avail;
    }
    return count;
  }

  static String describe(IOException e) {
    String m = e.getMessage();
    return m == null || m.isBlank() ? e.getClass().getSimpleName() : m.replace('\n', ' ');
  }
}
