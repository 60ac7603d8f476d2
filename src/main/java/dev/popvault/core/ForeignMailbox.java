package dev.popvault.core;

import dev.popvault.archive.Codec;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * Reads the messages of another tool's mail store, one at a time, as the bytes a POP3 server would
 * have sent: an mbox file (plain, {@code .gz}, {@code .zst} or {@code .xz}; as mpop, getmail,
 * fetchmail's MDAs and Thunderbird write them) or a Maildir ({@code cur/} and {@code new/}, by file
 * name). Lines end in CRLF (mbox and Maildir files store LF); in an mbox, the {@code From_} line
 * that starts each message and the blank line that ends it are not part of it, and one {@code >} is
 * taken off a line that starts with {@code >From } after any number of {@code >} (mboxrd). The same
 * file gives the same bytes each time it is read, so a first pass can hash what a second stores.
 * Messages stream; memory does not grow with their size.
 */
final class ForeignMailbox implements AutoCloseable {
  /** How far a line's start is looked at for {@code >…>From }. */
  private static final int LOOKAHEAD = 1024;

  private final List<Path> maildirFiles;
  private final BufferedInputStream mbox;
  private int nextFile;
  private MessageStream current;

  private ForeignMailbox(List<Path> maildirFiles, BufferedInputStream mbox) {
    this.maildirFiles = maildirFiles;
    this.mbox = mbox;
  }

  /**
   * Opens {@code path}: a directory is read as a Maildir; a file as an mbox, decompressed by its
   * suffix.
   *
   * @throws PopvaultException 64 if it is neither, or an mbox that does not start with "From "
   */
  static ForeignMailbox open(Path path) throws IOException {
    if (Files.isDirectory(path)) {
      List<Path> files = new ArrayList<>();
      for (String sub : List.of("cur", "new")) {
        Path dir = path.resolve(sub);
        if (Files.isDirectory(dir)) {
          try (Stream<Path> listed = Files.list(dir)) {
            listed.filter(Files::isRegularFile).sorted().forEach(files::add);
          }
        }
      }
      if (!Files.isDirectory(path.resolve("cur")) && !Files.isDirectory(path.resolve("new"))) {
        throw new PopvaultException(
            ExitCode.USAGE, path + " is a directory but not a Maildir (no cur/ or new/)");
      }
      return new ForeignMailbox(files, null);
    }
    if (!Files.isRegularFile(path)) {
      throw new PopvaultException(ExitCode.USAGE, path + ": no such file or directory");
    }
    InputStream raw = Files.newInputStream(path);
    String name = path.getFileName().toString().toLowerCase(Locale.ROOT);
    InputStream in =
        name.endsWith(".zst")
            ? Codec.ZSTD.decompressor(raw)
            : name.endsWith(".gz")
                ? Codec.GZIP.decompressor(raw)
                : name.endsWith(".xz") ? Codec.XZ.decompressor(raw) : raw;
    BufferedInputStream mbox = new BufferedInputStream(in, 1 << 16);
    mbox.mark(5);
    byte[] start = mbox.readNBytes(5);
    mbox.reset();
    if (start.length > 0 && !new String(start, StandardCharsets.ISO_8859_1).equals("From ")) {
      mbox.close();
      throw new PopvaultException(
          ExitCode.USAGE, path + " is not an mbox file (it does not start with a \"From \" line)");
    }
    return new ForeignMailbox(null, mbox);
  }

  /**
   * Returns the next message's bytes, or null after the last. The stream is valid until the next
   * call; it need not be read to its end.
   */
  InputStream next() throws IOException {
    if (mbox == null) {
      if (nextFile >= maildirFiles.size()) {
        return null;
      }
      Path file = maildirFiles.get(nextFile++);
      if (current != null) {
        current.closeFile();
      }
      current =
          new MessageStream(new BufferedInputStream(Files.newInputStream(file), 1 << 16), false);
      return current;
    }
    if (current != null) {
      current.skipRest();
    }
    if (!skipFromLine()) {
      return null;
    }
    current = new MessageStream(mbox, true);
    return current;
  }

  /** Skips the From_ line at the current position; false at the end of the file. */
  private boolean skipFromLine() throws IOException {
    int b = mbox.read();
    if (b == -1) {
      return false;
    }
    while (b != -1 && b != '\n') {
      b = mbox.read();
    }
    return true;
  }

  @Override
  public void close() throws IOException {
    if (mbox != null) {
      mbox.close();
    } else if (current != null) {
      current.closeFile();
    }
  }

  /** One message: CRLF line ends, From_ separator and mboxrd quoting handled for an mbox. */
  private static final class MessageStream extends InputStream {
    private final BufferedInputStream in;
    private final boolean mbox;
    private final byte[] out = new byte[8];
    private int outPos;
    private int outLen;
    private boolean atLineStart = true;
    private boolean heldBlankLine;
    private boolean done;

    MessageStream(BufferedInputStream in, boolean mbox) {
      this.in = in;
      this.mbox = mbox;
    }

    @Override
    public int read() throws IOException {
      while (outPos == outLen) {
        if (done) {
          return -1;
        }
        step();
      }
      return out[outPos++] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (len == 0) {
        return 0;
      }
      int n = 0;
      while (n < len) {
        if (outPos == outLen) {
          if (done) {
            break;
          }
          step();
          continue;
        }
        b[off + n++] = out[outPos++];
      }
      return n == 0 && done ? -1 : n;
    }

    /** Produces the next few output bytes (or none), reading the input as far as needed. */
    private void step() throws IOException {
      outPos = 0;
      outLen = 0;
      if (atLineStart) {
        atLineStart = false;
        if (mbox && lineStartsWith("From ")) {
          done = true; // The next message's separator: the blank line held before it is dropped.
          return;
        }
        if (mbox && isBlankLine()) {
          if (heldBlankLine) {
            emit('\r', '\n');
          }
          consumeLineEnd();
          heldBlankLine = true;
          atLineStart = true;
          return;
        }
        if (heldBlankLine && atEnd()) {
          done = true; // The writer's blank line after the last message: not part of it.
          return;
        }
        if (heldBlankLine) {
          heldBlankLine = false;
          emit('\r', '\n');
          atLineStart = true; // Look at this line's start again after the held blank line.
          return;
        }
        if (mbox) {
          unquoteFrom();
        }
      }
      int b = in.read();
      if (b == -1) {
        // End of the file: an mbox's last blank line is the writer's separator, and is dropped.
        done = true;
        return;
      }
      if (b == '\n') {
        emit('\r', '\n');
        atLineStart = true;
      } else if (b == '\r') {
        in.mark(1);
        int c = in.read();
        if (c == '\n') {
          emit('\r', '\n');
          atLineStart = true;
        } else {
          if (c != -1) {
            in.reset();
          }
          emit('\r');
        }
      } else {
        emit(b);
      }
    }

    private void emit(int... bytes) {
      for (int x : bytes) {
        out[outLen++] = (byte) x;
      }
    }

    private boolean lineStartsWith(String prefix) throws IOException {
      in.mark(prefix.length());
      byte[] got = in.readNBytes(prefix.length());
      in.reset();
      return new String(got, StandardCharsets.ISO_8859_1).equals(prefix);
    }

    private boolean atEnd() throws IOException {
      in.mark(1);
      int b = in.read();
      in.reset();
      return b == -1;
    }

    private boolean isBlankLine() throws IOException {
      in.mark(2);
      int a = in.read();
      int b = in.read();
      in.reset();
      return a == '\n' || a == '\r' && b == '\n';
    }

    private void consumeLineEnd() throws IOException {
      if (in.read() == '\r') {
        in.read();
      }
    }

    /** At a line start: drops one '>' of {@code >…>From }. */
    private void unquoteFrom() throws IOException {
      in.mark(LOOKAHEAD);
      int quotes = 0;
      int b = in.read();
      while (b == '>' && quotes < LOOKAHEAD - 8) {
        quotes++;
        b = in.read();
      }
      boolean from = false;
      if (quotes > 0 && b == 'F') {
        byte[] rest = in.readNBytes(4);
        from = new String(rest, StandardCharsets.ISO_8859_1).equals("rom ");
      }
      in.reset();
      if (from) {
        in.read(); // the one '>' taken off
      }
    }

    /** Reads to the end of this message (the next From_ line or the end of the file). */
    void skipRest() throws IOException {
      byte[] sink = new byte[8192];
      while (read(sink, 0, sink.length) != -1) {
        // discard
      }
    }

    void closeFile() throws IOException {
      in.close();
    }

    @Override
    public void close() {
      // The mailbox owns the file.
    }
  }
}
