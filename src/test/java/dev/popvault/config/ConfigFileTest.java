package dev.popvault.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigFileTest {
  @TempDir Path tmp;

  private Path write(String text) throws Exception {
    Path file = tmp.resolve("config.toml");
    Files.writeString(file, text);
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    return file;
  }

  @Test
  void readsDefaultsAndAccountsInFileOrderAndMergesWithCommandLine() throws Exception {
    Path file =
        write(
            """
            [defaults]
            archive-dir = "/srv/mail"
            delete = true

            [work]
            url = "pop3s://alice@mail.example.com"
            password-command = "pass show work"

            [home]
            url = "pop3://bob@pop.example.org:1110"
            auth = "xoauth2"
            token-command = "oama access bob"
            delete = false
            """);
    ConfigFile config = ConfigFile.load(file);
    assertThat(config.accounts().keySet()).containsExactly("work", "home");

    AccountConfig work =
        AccountConfig.resolve(
            "work",
            List.of(
                config.defaults(),
                config.accounts().get("work"),
                Map.of(
                    "password-file", new ConfigFile.Value("password-file", "/p", "command line"))),
            Path.of("/default"));
    assertThat(work.archiveDir()).isEqualTo(Path.of("/srv/mail"));
    assertThat(work.delete()).isTrue();
    assertThat(work.passwordFile()).isEqualTo(Path.of("/p"));
    assertThat(work.passwordCommand())
        .as("the command line's password source replaces the file's")
        .isNull();
    assertThat(work.origins().get("delete")).isEqualTo(file + ":3");

    AccountConfig home =
        AccountConfig.resolve(
            "home", List.of(config.defaults(), config.accounts().get("home")), Path.of("/d"));
    assertThat(home.delete()).isFalse();
    assertThat(home.auth()).isEqualTo("xoauth2");
    assertThat(home.url().port()).isEqualTo(1110);
  }

  @Test
  void errorsNameFileLineAndKey() throws Exception {
    Path unknown = write("[work]\nurl = \"pop3s://a@h\"\npasword-file = \"x\"\n");
    assertThatThrownBy(() -> ConfigFile.load(unknown))
        .hasMessageContaining(unknown + ":3")
        .hasMessageContaining("unknown key 'pasword-file'");

    Path badType = write("[work]\nurl = \"pop3s://a@h\"\ndelete = \"yes\"\n");
    ConfigFile config = ConfigFile.load(badType);
    assertThatThrownBy(
            () ->
                AccountConfig.resolve(
                    "work", List.of(config.accounts().get("work")), Path.of("/d")))
        .hasMessageContaining(badType + ":3")
        .hasMessageContaining("'delete' must be true or false");

    Path syntax = write("[work]\nurl = \n");
    assertThatThrownBy(() -> ConfigFile.load(syntax))
        .hasMessage(
            syntax
                + ", line 2, column 7: not valid TOML: the line ends too early (an unclosed [table]"
                + " header or \"string\", or a key without a value)");
    Path unclosed = write("[work\nurl = \"pop3s://a@h\"\n");
    assertThatThrownBy(() -> ConfigFile.load(unclosed))
        .hasMessageContaining(", line 1, column ")
        .hasMessageContaining("not valid TOML");
    Path binary = tmp.resolve("binary.toml");
    Files.write(binary, new byte[] {0, (byte) 0xff, (byte) 0xfe, 'x'});
    assertThatThrownBy(() -> ConfigFile.load(binary))
        .hasMessageContaining("is not a text file")
        .hasMessageNotContaining("Input length");

    Path noUrl = write("[work]\ncodec = \"xz\"\n");
    assertThatThrownBy(() -> ConfigFile.load(noUrl)).hasMessageContaining("has no 'url'");
  }

  @Test
  void refusesAPasswordInAFileOthersCanRead() throws Exception {
    Path file = write("[work]\nurl = \"pop3s://a@h\"\npassword = \"hunter2\"\n");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
    assertThatThrownBy(() -> ConfigFile.load(file))
        .hasMessageContaining("chmod 600")
        .hasMessageNotContaining("hunter2");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    AccountConfig a =
        AccountConfig.resolve(
            "work", List.of(ConfigFile.load(file).accounts().get("work")), Path.of("/d"));
    assertThat(String.join("\n", a.describe()))
        .contains("password = ********")
        .doesNotContain("hunter2");
  }

  @Test
  void theShippedExampleIsValid() throws Exception {
    Path example = Path.of(System.getProperty("user.dir"), "examples", "config.toml");
    ConfigFile config = ConfigFile.load(example);
    assertThat(config.accounts()).isNotEmpty();
    for (String name : config.accounts().keySet()) {
      AccountConfig.resolve(
          name, List.of(config.defaults(), config.accounts().get(name)), Path.of("/d"));
    }
  }
}
