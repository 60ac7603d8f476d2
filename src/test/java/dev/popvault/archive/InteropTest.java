package dev.popvault.archive;

import static dev.popvault.archive.ArchiveFileTest.writeFrame;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Checks that standard tools read our archives: {@code zstdcat}/{@code zcat}/{@code xzcat} see the
 * concatenated frames as one mbox, and Python's {@code mailbox.mbox} splits it into the same
 * messages. Without the tools these tests are skipped with a message, unless the environment
 * variable CI is set.
 */
class InteropTest {
  private static final String PYTHON_READER =
      "import mailbox, sys\n"
          + "mb = mailbox.mbox(sys.argv[1], create=False)\n"
          + "keys = list(mb.iterkeys())\n"
          + "print(len(keys))\n"
          + "for k in keys:\n"
          + "    print(mb.get_bytes(k).hex())\n";

  @TempDir Path dir;

  static void requireTools(String... tools) {
    List<String> missing = new ArrayList<>();
    for (String t : tools) {
      boolean found = false;
      for (String d : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
        if (!d.isEmpty() && Files.isExecutable(Path.of(d, t))) {
          found = true;
          break;
        }
      }
      if (!found) {
        missing.add(t);
      }
    }
    if (!missing.isEmpty()) {
      String msg = "interop check needs " + missing + " on PATH";
      if (System.getenv("CI") != null) {
        fail(msg + " (CI is set: missing tools are a failure there)");
      }
      System.err.println("SKIPPED: " + msg);
      Assumptions.abort(msg);
    }
  }

  static byte[] run(Path workDir, String... command) throws IOException, InterruptedException {
    Path out = Files.createTempFile(workDir, "out", ".bin");
    Path err = Files.createTempFile(workDir, "err", ".txt");
    Process p =
        new ProcessBuilder(command)
            .redirectOutput(out.toFile())
            .redirectError(err.toFile())
            .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
            .start();
    if (!p.waitFor(120, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      fail(String.join(" ", command) + " timed out");
    }
    if (p.exitValue() != 0) {
      fail(
          String.join(" ", command)
              + " exited "
              + p.exitValue()
              + ": "
              + Files.readString(err, StandardCharsets.UTF_8));
    }
    return Files.readAllBytes(out);
  }

  private static List<byte[]> inputs() {
    List<byte[]> inputs = new ArrayList<>();
    for (Object[] o : Mboxrd.awkward()) {
      inputs.add((byte[]) o[1]);
    }
    Random r = new Random(7);
    for (int i = 0; i < 50; i++) {
      inputs.add(Mboxrd.random(r, 200));
    }
    return inputs;
  }

  /** Writes the inputs in frames of 10 and returns the mbox the whole file must decompress to. */
  private byte[] writeArchive(Path path, Codec codec, List<byte[]> inputs) throws IOException {
    ByteArrayOutputStream expected = new ByteArrayOutputStream();
    try (ArchiveFile file = ArchiveFile.openForAppend(path, codec, 0)) {
      for (int from = 0; from < inputs.size(); from += 10) {
        List<byte[]> batch = inputs.subList(from, Math.min(inputs.size(), from + 10));
        writeFrame(file, batch, Mboxrd.T0);
        batch.forEach(in -> expected.writeBytes(Mboxrd.entry(in, Mboxrd.T0)));
      }
    }
    return expected.toByteArray();
  }

  @ParameterizedTest
  @CsvSource({"ZSTD, zstdcat", "GZIP, zcat", "XZ, xzcat"})
  void standardToolsReadTheConcatenatedFrames(Codec codec, String tool) throws Exception {
    requireTools(tool);
    Path path = dir.resolve("cli" + codec.fileSuffix());
    byte[] expected = writeArchive(path, codec, inputs());
    assertThat(run(dir, tool, path.toString())).isEqualTo(expected);
  }

  @Test
  void pythonMailboxReadsEveryMessage() throws Exception {
    requireTools("zstd", "python3");
    List<byte[]> inputs = inputs();
    Path path = dir.resolve("py.mbox.zst");
    writeArchive(path, Codec.ZSTD, inputs);
    Path mbox = dir.resolve("py.mbox");
    Files.write(mbox, run(dir, "zstd", "-dc", path.toString()));

    String[] lines =
        new String(
                run(dir, "python3", "-c", PYTHON_READER, mbox.toString()),
                StandardCharsets.US_ASCII)
            .split("\n", -1);
    assertThat(Integer.parseInt(lines[0].trim())).isEqualTo(inputs.size());
    for (int i = 0; i < inputs.size(); i++) {
      // mailbox.mbox does not unquote ">From ": its view is the LF-converted, quoted content.
      assertThat(HexFormat.of().parseHex(lines[i + 1].trim()))
          .as("message %d", i)
          .isEqualTo(Mboxrd.stored(inputs.get(i)));
    }
  }
}
