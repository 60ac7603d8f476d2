package dev.popvault.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.popvault.testsupport.PasswordFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PasswordSourceTest {
  @TempDir Path tmp;

  @Test
  void readsFirstLineOfFile() throws Exception {
    Path file = tmp.resolve("p");
    PasswordFiles.write(file, "pässword\nsecond line\n");
    PasswordSource source =
        PasswordSource.choose(file, null, Duration.ofSeconds(5), Map.of(), null);
    assertThat(source.read()).containsExactly("pässword".toCharArray());
  }

  @Test
  void aMissingFileOrADirectorySaysSoInWords() {
    assertThatThrownBy(() -> new PasswordSource.FromFile(tmp.resolve("nope")).read())
        .isInstanceOf(ConfigException.class)
        .hasMessageEndingWith("nope: no such file")
        .hasMessageNotContaining("Exception");
    assertThatThrownBy(() -> new PasswordSource.FromFile(tmp).read())
        .hasMessageContaining("is a directory");
  }

  @Test
  void aPasswordFileOthersMayReadIsRefusedLikeAnAccountsFileWithAPassword() throws Exception {
    Path file = tmp.resolve("loose");
    Files.writeString(file, "secret\n");
    for (String mode : new String[] {"rw-r-----", "rw----r--"}) {
      Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(mode));
      assertThatThrownBy(() -> new PasswordSource.FromFile(file).read())
          .isInstanceOf(ConfigException.class)
          .hasMessage(
              "password file " + file + " is readable by group or others; run: chmod 600 " + file)
          .hasMessageNotContaining("secret");
    }
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    assertThat(new PasswordSource.FromFile(file).read()).containsExactly("secret".toCharArray());
  }

  @Test
  void thePromptNamesTheMailboxAndAnAccountWithAnotherName() {
    assertThat(PasswordSource.promptFor("carol", "pop.example.net", "work"))
        .isEqualTo("Password for carol@pop.example.net (account work): ");
    assertThat(PasswordSource.promptFor("carol", "pop.example.net", "carol@pop.example.net"))
        .isEqualTo("Password for carol@pop.example.net: ");
    assertThat(PasswordSource.promptFor("carol", "imap.example.net", null))
        .isEqualTo("Password for carol@imap.example.net: ");
  }

  @Test
  void anEmptyEnvironmentPasswordIsRefusedNotSent() {
    assertThatThrownBy(
            () ->
                PasswordSource.choose(
                    null, null, Duration.ofSeconds(5), Map.of(PasswordSource.ENV_VAR, ""), null))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("POPVAULT_PASSWORD is set but empty");
  }

  @Test
  void emptyOrMissingFileIsAConfigErrorNamingTheFile() throws Exception {
    Path empty = tmp.resolve("empty");
    PasswordFiles.write(empty, "\n");
    assertThatThrownBy(() -> new PasswordSource.FromFile(empty).read())
        .hasMessageContaining("is empty");
    assertThatThrownBy(() -> new PasswordSource.FromFile(tmp.resolve("missing")).read())
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("missing");
  }

  @Test
  void runsCommandWithoutShellAndTakesFirstLine() throws Exception {
    PasswordSource source =
        PasswordSource.choose(
            null, "printf 'tok en\\nrest'", Duration.ofSeconds(5), Map.of(), null);
    assertThat(source.read()).containsExactly("tok en".toCharArray());
  }

  @Test
  void failingCommandShowsItsStderrButNoSecret() {
    PasswordSource source =
        new PasswordSource.FromCommand(
            "sh -c 'echo vault locked >&2; exit 3'", Duration.ofSeconds(5));
    assertThatThrownBy(source::read)
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("exit 3")
        .hasMessageContaining("vault locked");
  }

  @Test
  void hangingCommandTimesOut() {
    PasswordSource source = new PasswordSource.FromCommand("sleep 30", Duration.ofMillis(300));
    assertThatThrownBy(source::read).hasMessageContaining("did not finish");
  }

  @Test
  void environmentIsUsedWhenNoOptionIsGiven() throws Exception {
    PasswordSource source =
        PasswordSource.choose(
            null, null, Duration.ofSeconds(5), Map.of("POPVAULT_PASSWORD", "envpw"), null);
    assertThat(source.read()).containsExactly("envpw".toCharArray());
    assertThat(source.toString()).doesNotContain("envpw");
  }

  @Test
  void noSourceAndNoTerminalIsAConfigError() {
    assertThatThrownBy(
            () -> PasswordSource.choose(null, null, Duration.ofSeconds(1), Map.of(), null))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("--password-file");
  }

  @Test
  void fileAndCommandTogetherAreRefused() {
    assertThatThrownBy(
            () ->
                PasswordSource.choose(tmp.resolve("p"), "x", Duration.ofSeconds(1), Map.of(), null))
        .hasMessageContaining("not both");
  }

  @Test
  void splitsWordsLikeAShellWouldForQuotes() throws Exception {
    assertThat(PasswordSource.splitWords("pass show 'mail/my account' \"a b\" c\\ d"))
        .containsExactly("pass", "show", "mail/my account", "a b", "c d");
    assertThatThrownBy(() -> PasswordSource.splitWords("pass 'open"))
        .hasMessageContaining("unclosed");
  }
}
