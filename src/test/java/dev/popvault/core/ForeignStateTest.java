package dev.popvault.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The other tools' state formats as NOTES.md and the tools' documentation describe them (the mpop
 * format is also read from a file the real mpop wrote, in AdoptIT).
 */
class ForeignStateTest {
  private static final Path FILE = Path.of("state");

  @Test
  void fetchmailKeepsOnlyTheLinesOfTheMailboxAndSplitsAfterTheHost() {
    List<String> lines =
        List.of(
            "alice@example.org@mail.example.com 1234.abc",
            "alice@example.org@mail.example.com 1235.a b",
            "bob@mail.example.com 99",
            "");
    assertThat(ForeignState.FETCHMAIL.read(lines, "MAIL.example.com", "alice@example.org", FILE))
        .containsExactly("1234.abc", "1235.a b");
    assertThatThrownBy(() -> ForeignState.FETCHMAIL.read(lines, "mail.example.com", "carol", FILE))
        .isInstanceOf(PopvaultException.class)
        .hasMessageContaining("records no message of carol@mail.example.com");
    assertThatThrownBy(() -> ForeignState.FETCHMAIL.read(List.of("garbage"), "h", "u", FILE))
        .hasMessageContaining("not a state file");
  }

  @Test
  void getmailReadsUidlNulTimeAndMatchesSlashesWrittenAsDashes() {
    List<String> lines = List.of("UID1-2\u00001700000000", "X\u00001700000001");
    assertThat(
            ForeignState.GETMAIL.read(
                lines, "mail.example.com", "alice", Path.of("oldmail-mail.example.com-995-alice")))
        .containsExactly("UID1-2", "X");
    assertThat(ForeignState.GETMAIL.slashAsDash()).isTrue();
    assertThatThrownBy(
            () -> ForeignState.GETMAIL.read(lines, "mail.example.com", "alice", Path.of("other")))
        .hasMessageContaining("does not name the server");
  }

  @Test
  void thunderbirdAdoptsOnlyWholeDownloadsOfItsAccount() {
    List<String> lines =
        List.of(
            "# POP3 State File",
            "# This is a generated file!  Do not edit.",
            "",
            "*mail.example.com alice",
            "k UID-KEPT 1700000000",
            "d UID-DEL 1700000001",
            "b UID-BIG 1700000002",
            "f UID-FETCH 1700000003",
            "*other.example.com alice",
            "k UID-OTHER 1700000004");
    assertThat(ForeignState.THUNDERBIRD.read(lines, "mail.example.com", "alice", FILE))
        .containsExactly("UID-KEPT", "UID-DEL");
  }

  @Test
  void mpopListsPerMailboxAfterTheComments() {
    List<String> lines =
        List.of(
            "# mpop UIDLs",
            " 2 mail.example.com alice",
            "u1",
            "u2",
            " 1 mail.example.com bob",
            "u3");
    assertThat(ForeignState.MPOP.read(lines, "mail.example.com", "alice", FILE))
        .containsExactly("u1", "u2");
    assertThatThrownBy(
            () ->
                ForeignState.MPOP.read(
                    List.of(" 3 mail.example.com alice", "u1"), "mail.example.com", "alice", FILE))
        .hasMessageContaining("cut short");
    assertThatThrownBy(() -> ForeignState.of("outlook"))
        .hasMessageContaining("--from must be one of");
  }
}
