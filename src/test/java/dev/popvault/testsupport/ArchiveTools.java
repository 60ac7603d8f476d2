package dev.popvault.testsupport;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Reads archives the way a user would, with everyday tools ({@code zstdcat}, {@code zcat}, {@code
 * xzcat}, Python's {@code mailbox} module), so tests prove that archives are readable without
 * popvault.
 *
 * <p>Call {@link #requireAvailable()} first: missing tools skip the test visibly, or fail it when
 * {@code CI} is set.
 */
public final class ArchiveTools {
  private static final long TOOL_TIMEOUT_SECONDS = 120;

  /**
   * Prints each message of an mbox as one base64 line. {@code get_bytes(key)} returns the stored
   * bytes of a message without its "From " line and without the blank separator line; it does not
   * parse or re-fold anything.
   */
  private static final String PYTHON_READER =
      String.join(
          "\n",
          "import base64, mailbox, sys",
          "box = mailbox.mbox(sys.argv[1], create=False)",
          "out = sys.stdout",
          "for key in box.keys():",
          "    out.write(base64.b64encode(box.get_bytes(key)).decode('ascii'))",
          "    out.write('\\n')",
          "box.close()",
          "");

  private ArchiveTools() {}

  /**
   * Copies an archive directory (files and sub-directories) to {@code to}, so that a test may
   * damage the copy and keep the original.
   */
  public static void copyTree(Path from, Path to) throws IOException {
    try (java.util.stream.Stream<Path> files = Files.walk(from)) {
      for (Path p : (Iterable<Path>) files::iterator) {
        Path target = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else {
          Files.copy(p, target);
        }
      }
    }
  }

  /**
   * Skips the calling test when {@code zstdcat}, {@code zcat}, {@code xzcat} or {@code python3} is
   * missing; fails it instead when {@code CI} is set.
   */
  public static void requireAvailable() {
    TestRequirements.requireCommands("zstdcat", "zcat", "xzcat", "python3");
  }

  /**
   * Returns the decompressed content of an archive file, decoded by the standard command-line tool
   * for its suffix: {@code .zst} → {@code zstdcat}, {@code .gz} → {@code zcat}, {@code .xz} →
   * {@code xzcat}, {@code .mbox} → {@code cat}. The tools decode every concatenated frame / member
   * / stream, as a user would see it.
   *
   * @throws AssertionError if the tool exits non-zero (with its stderr), e.g. on a torn or corrupt
   *     file
   */
  public static byte[] decompressWithCli(Path file) {
    String name = file.getFileName().toString();
    String tool;
    if (name.endsWith(".zst")) {
      tool = "zstdcat";
    } else if (name.endsWith(".gz")) {
      tool = "zcat";
    } else if (name.endsWith(".xz")) {
      tool = "xzcat";
    } else if (name.endsWith(".mbox")) {
      tool = "cat";
    } else {
      throw new IllegalArgumentException("no tool for the suffix of " + file);
    }
    return run(List.of(tool, file.toAbsolutePath().toString()));
  }

  /**
   * Returns the raw bytes of each message in an mbox file as Python's {@code mailbox.mbox} reads
   * them: the bytes after the "From " separator line up to, not including, the blank line that ends
   * the message.
   *
   * <p>What Python does (CPython 3.11 {@code mailbox}, checked by {@code ArchiveToolsTest}): the
   * file is read in binary, a message starts at every line beginning {@code "From "}, the last LF
   * before the next separator (the mbox blank line) is dropped, line endings are returned as stored
   * (LF in an mbox; a bare CR stays a CR), and mboxrd quoting is <b>not</b> undone: a stored {@code
   * ">From "} line comes back as {@code ">From "}. See {@link #mboxrdExpected(byte[])}.
   *
   * @param mboxFile a plain mbox, or a {@code .zst}/{@code .gz}/{@code .xz} archive, which is first
   *     decompressed with {@link #decompressWithCli} into a temporary file
   */
  public static List<byte[]> readWithPythonMailbox(Path mboxFile) {
    String name = mboxFile.getFileName().toString();
    if (name.endsWith(".zst") || name.endsWith(".gz") || name.endsWith(".xz")) {
      Path plain = null;
      try {
        plain = Files.createTempFile("popvault-python-", ".mbox");
        Files.write(plain, decompressWithCli(mboxFile));
        return readWithPythonMailbox(plain);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot decompress " + mboxFile + " for python", e);
      } finally {
        deleteQuietly(plain);
      }
    }
    byte[] output =
        run(List.of("python3", "-c", PYTHON_READER, mboxFile.toAbsolutePath().toString()));
    List<byte[]> messages = new ArrayList<>();
    String text = new String(output, StandardCharsets.US_ASCII);
    for (String line : text.split("\n")) {
      if (!line.isEmpty()) {
        messages.add(Base64.getDecoder().decode(line));
      }
    }
    return messages;
  }

  /**
   * Returns what an mbox reader such as {@link #readWithPythonMailbox} should give back for a
   * message whose wire bytes (after dot-unstuffing) are {@code wire}, if popvault encodes mboxrd as
   * DESIGN.md §4 says:
   *
   * <ol>
   *   <li>every CRLF becomes LF; a bare CR and a bare LF stay as they are;
   *   <li>every line matching {@code ^>*From } gets one more {@code >} (mboxrd quoting; readers do
   *       not undo it, so the expectation keeps it);
   *   <li>if the result does not end with LF, an LF is appended (the encoder must terminate the
   *       last line so that the blank separator line is a line of its own).
   * </ol>
   *
   * <p>Exactness beyond this view (CRLF vs LF, a missing final newline) is popvault's own export's
   * job and is checked against the ledger's SHA-256, not here.
   */
  public static byte[] mboxrdExpected(byte[] wire) {
    ByteArrayOutputStream lf = new ByteArrayOutputStream(wire.length + 16);
    boolean lineStart = true;
    for (int i = 0; i < wire.length; i++) {
      if (lineStart && isQuotedFrom(wire, i)) {
        lf.write('>');
      }
      byte b = wire[i];
      if (b == '\r' && i + 1 < wire.length && wire[i + 1] == '\n') {
        continue;
      }
      lf.write(b);
      lineStart = b == '\n';
    }
    if (lf.size() == 0 || wire[wire.length - 1] != '\n') {
      lf.write('\n');
    }
    return lf.toByteArray();
  }

  /** Returns whether the line starting at {@code start} matches {@code ^>*From }. */
  private static boolean isQuotedFrom(byte[] bytes, int start) {
    int i = start;
    while (i < bytes.length && bytes[i] == '>') {
      i++;
    }
    byte[] from = {'F', 'r', 'o', 'm', ' '};
    if (bytes.length - i < from.length) {
      return false;
    }
    for (int j = 0; j < from.length; j++) {
      if (bytes[i + j] != from[j]) {
        return false;
      }
    }
    return true;
  }

  /** Runs a command, returning its stdout; stderr goes to a file so that neither pipe can block. */
  private static byte[] run(List<String> command) {
    Path stderr = null;
    try {
      stderr = Files.createTempFile("popvault-tool-", ".err");
      Process process =
          new ProcessBuilder(command)
              .redirectError(stderr.toFile())
              .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
              .start();
      byte[] stdout;
      try (InputStream in = process.getInputStream()) {
        stdout = in.readAllBytes();
      }
      if (!process.waitFor(TOOL_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new AssertionError(
            command.get(0) + " did not finish in " + TOOL_TIMEOUT_SECONDS + " s");
      }
      if (process.exitValue() != 0) {
        throw new AssertionError(
            command.get(0)
                + " exited with "
                + process.exitValue()
                + ": "
                + Files.readString(stderr, StandardCharsets.ISO_8859_1).strip());
      }
      return stdout;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot run " + command.get(0), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while running " + command.get(0), e);
    } finally {
      deleteQuietly(stderr);
    }
  }

  private static void deleteQuietly(Path file) {
    if (file != null) {
      try {
        Files.deleteIfExists(file);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }
}
