package dev.popvault.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.popvault.testsupport.ArchiveTools;
import dev.popvault.testsupport.CliRun;
import dev.popvault.testsupport.FakeMailbox;
import dev.popvault.testsupport.PasswordFiles;
import dev.popvault.testsupport.ScriptedPop3Server;
import dev.popvault.testsupport.TestRequirements;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's recipes for reading an archive with everyday tools, taken from the README itself
 * (between its markers) and run on an archive popvault wrote: mutt's compressed-folder hook opens
 * the .mbox.zst in place, read-only, on a pseudo-terminal; the Python reader gives back each
 * message as the server sent it, mboxrd quoting undone.
 */
class EverydayToolsIT {
  private static final String SUBJECT = "everyday-tools-know-me";
  private static final String WITH_FROM_LINES =
      "Subject: "
          + SUBJECT
          + "\r\nMessage-ID: <tools.1@example.org>\r\n\r\n"
          + "From the first line of the body\r\n"
          + ">From one quote already\r\n"
          + ">>From two quotes\r\n"
          + "not From at the start\r\n";
  private static final String PLAIN = "Subject: the second one\r\n\r\nFrom here too\r\nbye\r\n";

  @TempDir Path tmp;
  private Path archiveDir;
  private Path mboxZst;

  @BeforeEach
  void archive() throws Exception {
    archiveDir = tmp.resolve("archive");
    FakeMailbox box = new FakeMailbox().add("u1", WITH_FROM_LINES).add("u2", PLAIN);
    try (ScriptedPop3Server server = ScriptedPop3Server.start(box)) {
      CliRun run =
          CliRun.of(
              "archive",
              "pop3://reader@127.0.0.1:" + server.port(),
              "--allow-plaintext",
              "--password-file",
              PasswordFiles.write(tmp.resolve("pass"), "pw\n").toString(),
              "--archive-dir",
              archiveDir.toString());
      assertThat(run.exitCode()).as(run.describe()).isZero();
    }
    try (Stream<Path> files = Files.walk(archiveDir)) {
      mboxZst =
          files
              .filter(p -> p.getFileName().toString().endsWith(".mbox.zst"))
              .findFirst()
              .orElseThrow();
    }
  }

  /** Returns the code block that follows {@code <!-- NAME -->} in the README. */
  private static String readmeBlock(String name) throws Exception {
    String readme =
        Files.readString(Path.of(System.getProperty("popvault.basedir", "."), "README.md"));
    int marker = readme.indexOf("<!-- " + name + " -->");
    assertThat(marker).as("README marker <!-- %s -->", name).isPositive();
    int start = readme.indexOf('\n', readme.indexOf("```", marker)) + 1;
    int end = readme.indexOf("```", start);
    assertThat(readme.indexOf("<!-- end of " + name + " -->", end))
        .as("README end marker of %s", name)
        .isPositive();
    return readme.substring(start, end);
  }

  private static String sha256(Path file) throws Exception {
    return HexFormat.of()
        .formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
  }

  private static String run(Path log, Path dir, String... command) throws Exception {
    Process p =
        new ProcessBuilder(command)
            .directory(dir.toFile())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
            .start();
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError(String.join(" ", command) + " timed out:\n" + Files.readString(log));
    }
    String out = Files.readString(log, StandardCharsets.ISO_8859_1);
    assertThat(p.exitValue()).as(String.join(" ", command) + "\n" + out).isZero();
    return out;
  }

  @Test
  void muttOpensTheCompressedArchiveInPlaceReadOnly() throws Exception {
    TestRequirements.requireCommands("mutt", "zstd", "script");
    String before = sha256(mboxZst);
    Path home = Files.createDirectories(tmp.resolve("home"));
    Path muttrc = home.resolve("muttrc");
    Files.writeString(
        muttrc,
        readmeBlock("mutt recipe")
            + String.join(
                "\n",
                "set folder=\"" + home + "\"",
                "set spoolfile=\"" + mboxZst + "\"",
                "set mbox=\"" + home.resolve("mbox") + "\"",
                "set record=\"\"",
                "set postponed=\"" + home.resolve("postponed") + "\"",
                "set status_format=\"status: %m messages [%r]\"",
                "set index_format=\"%4C %s\"",
                ""));
    String command =
        "env HOME='"
            + home
            + "' TERM=vt100 mutt -n -F '"
            + muttrc
            + "' -f '"
            + mboxZst
            + "' -e 'push <exit>'";
    String screen =
        run(home.resolve("mutt.log"), home, "script", "-qec", command, "/dev/null")
            // Drop the terminal's control sequences; the text mutt drew stays.
            .replaceAll(
                "\u001b\\[[0-9;?]*[A-Za-z]|\u001b[()][0-9A-B]|\u001b[=>]|[\u000e\u000f]", "");
    assertThat(screen).as(screen).contains(SUBJECT).contains("the second one");
    assertThat(screen).as("2 messages, read-only (%%)").contains("status: 2 messages [%]");
    assertThat(sha256(mboxZst)).as("archive untouched").isEqualTo(before);
    CliRun verify = CliRun.of("verify", "--archive-dir", archiveDir.toString());
    assertThat(verify.exitCode()).as(verify.describe()).isZero();
  }

  @Test
  void thePythonReaderGivesBackTheMessagesAsSentQuotingUndone() throws Exception {
    TestRequirements.requireCommands("python3", "zstd");
    Path mbox = tmp.resolve("2026-11.mbox");
    Files.write(mbox, ArchiveTools.decompressWithCli(mboxZst));
    // The archive really is quoted, so undoing it is needed.
    assertThat(Files.readString(mbox, StandardCharsets.ISO_8859_1))
        .contains("\n>From the first line")
        .contains("\n>>From one quote")
        .contains("\n>>>From two quotes");
    Path script = tmp.resolve("read_archive.py");
    Files.writeString(script, readmeBlock("python recipe"));

    String subjects =
        run(tmp.resolve("subjects.log"), tmp, "python3", script.toString(), mbox.toString());
    assertThat(subjects.lines()).containsExactly(SUBJECT, "the second one");

    String hex =
        run(
            tmp.resolve("bytes.log"),
            tmp,
            "python3",
            "-c",
            "import sys, read_archive\n"
                + "for raw in read_archive.messages(sys.argv[1]):\n"
                + "    print(raw.hex())\n",
            mbox.toString());
    List<String> expected = new ArrayList<>();
    for (String sent : List.of(WITH_FROM_LINES, PLAIN)) {
      expected.add(
          HexFormat.of()
              .formatHex(sent.replace("\r\n", "\n").getBytes(StandardCharsets.ISO_8859_1)));
    }
    assertThat(hex.lines()).containsExactlyElementsOf(expected);
  }
}
