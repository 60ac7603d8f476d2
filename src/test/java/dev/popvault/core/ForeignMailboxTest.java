package dev.popvault.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ForeignMailboxTest {
  @TempDir Path dir;

  private List<String> read(Path path) throws Exception {
    List<String> messages = new ArrayList<>();
    try (ForeignMailbox box = ForeignMailbox.open(path)) {
      for (InputStream m; (m = box.next()) != null; ) {
        messages.add(new String(m.readAllBytes(), StandardCharsets.ISO_8859_1));
      }
    }
    return messages;
  }

  private Path mbox(String text) throws Exception {
    return Files.writeString(dir.resolve("in.mbox"), text, StandardCharsets.ISO_8859_1);
  }

  @Test
  void splitsAtFromLinesDropsTheSeparatorBlankLineAndRestoresCrlf() throws Exception {
    assertThat(
            read(
                mbox(
                    "From a@b Mon Jan  1 00:00:00 2024\nSubject: one\n\nbody\n\n"
                        + "From a@b Mon Jan  1 00:00:00 2024\nSubject: two\n\nlast\n\n")))
        .containsExactly("Subject: one\r\n\r\nbody\r\n", "Subject: two\r\n\r\nlast\r\n");
  }

  @Test
  void undoesOneLevelOfFromQuotingAndKeepsBlankLinesThatAreContent() throws Exception {
    assertThat(read(mbox("From x\nS: q\n\n>From here\n>>From there\n>not from\n\n\nend\n\n")))
        .containsExactly("S: q\r\n\r\nFrom here\r\n>From there\r\n>not from\r\n\r\n\r\nend\r\n");
  }

  @Test
  void keepsCrlfAndBareCrAndAMissingFinalNewline() throws Exception {
    assertThat(read(mbox("From x\r\nS: a\r\n\r\nx\ry\r\nlast")))
        .containsExactly("S: a\r\n\r\nx\ry\r\nlast");
  }

  @Test
  void readsAMaildirByFileNameAndRefusesWhatIsNeither() throws Exception {
    Path maildir = dir.resolve("Maildir");
    Files.createDirectories(maildir.resolve("cur"));
    Files.createDirectories(maildir.resolve("new"));
    Files.writeString(maildir.resolve("cur/2.host:2,S"), "S: b\n\nFrom kept\n\n");
    Files.writeString(maildir.resolve("cur/1.host:2,S"), "S: a\n\nbody\n");
    Files.writeString(maildir.resolve("new/3.host"), "S: c\r\n\r\nbody\r\n");
    assertThat(read(maildir))
        .containsExactly(
            "S: a\r\n\r\nbody\r\n", "S: b\r\n\r\nFrom kept\r\n\r\n", "S: c\r\n\r\nbody\r\n");
    assertThatThrownBy(() -> ForeignMailbox.open(Files.createDirectory(dir.resolve("plain"))))
        .hasMessageContaining("not a Maildir");
    Path text = Files.writeString(dir.resolve("notes.txt"), "hello\n");
    assertThatThrownBy(() -> ForeignMailbox.open(text)).hasMessageContaining("not an mbox file");
  }
}
