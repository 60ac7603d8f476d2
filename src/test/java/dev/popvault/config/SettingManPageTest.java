package dev.popvault.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.StringJoiner;
import org.junit.jupiter.api.Test;

/**
 * The settings of popvault.toml(5) (src/main/man/man5/popvault.toml.adoc) are rendered from {@link
 * Setting}, like the README's table: a key's type, default, place and meaning cannot drift from the
 * accounts-file reader. On a mismatch the rendered list is written to target/settings-man.adoc, to
 * paste between the page's markers.
 */
class SettingManPageTest {
  static final Path PAGE = Path.of("src", "main", "man", "man5", "popvault.toml.adoc");
  private static final String BEGIN =
      "// settings: generated from config.Setting (SettingManPageTest)\n";
  private static final String END = "// end of settings";

  /**
   * Renders the AsciiDoc description list of the keys the accounts file takes, in registry order.
   */
  static String render() {
    StringJoiner list = new StringJoiner("\n", "", "\n");
    for (Setting s : Setting.values()) {
      if (!s.scope().inDefaults() && !s.scope().inAccountTable()) {
        continue;
      }
      list.add("*" + s.key() + "* (" + type(s) + ")::");
      String help = capitalised(s.help());
      list.add("  " + help + (help.endsWith(".") ? "" : "."));
      if (!help.toLowerCase(java.util.Locale.ROOT).contains("default")) {
        // Where the help text explains the default, it says more than the value.
        list.add("  Default: " + defaultValue(s) + ".");
      }
      list.add("  Valid in " + place(s) + "; on the command line " + option(s) + ".");
    }
    list.add("");
    list.add(
        "These settings are valid on the command line only, and refused in the file: "
            + String.join(
                ", ",
                Arrays.stream(Setting.values())
                    .filter(s -> !s.scope().inDefaults() && !s.scope().inAccountTable())
                    .map(s -> "*" + s.key() + "*")
                    .toList())
            + ".");
    return list.toString();
  }

  private static String type(Setting s) {
    return switch (s.type()) {
      case TEXT -> "string";
      case SECRET -> "string, secret";
      case PATH -> "string: a path, a leading ~ is the home directory";
      case CHOICE -> "string: one of " + String.join(", ", s.choices());
      case FLAG -> "boolean";
      case NUMBER -> "integer, at least 1";
      case SIZE -> "integer bytes, or a string such as \"25M\" or \"1G\"";
      case FINGERPRINT -> "string: 64 hex digits, colons allowed";
      case URL -> "string: a pop3s:// or pop3:// URL";
      case NAME -> "string: an account name";
      case COUNT -> "count";
    };
  }

  private static String defaultValue(Setting s) {
    Object value = s.defaultValue();
    if (value == null) {
      return "unset";
    }
    return value instanceof String text ? "\"" + text + "\"" : value.toString();
  }

  private static String place(Setting s) {
    return switch (s.scope()) {
      case ANYWHERE, FILE_ONLY -> "*[defaults]* and account tables";
      case ACCOUNT_TABLE -> "account tables only";
      case DEFAULTS -> "*[defaults]* only (it concerns the whole run)";
      case COMMAND_LINE -> "no table";
    };
  }

  private static String option(Setting s) {
    if (!s.scope().onCommandLine()) {
      return s == Setting.URL ? "the _URL_ argument stands for it" : "it cannot be given";
    }
    String option = "*--" + s.key() + "*" + (s.label() == null ? "" : " _" + s.label() + "_");
    return s.negatable() ? option + " or *--no-" + s.key() + "*" : option;
  }

  private static String capitalised(String help) {
    return Character.toUpperCase(help.charAt(0)) + help.substring(1);
  }

  @Test
  void thePageListsTheRegistryRendered() throws Exception {
    String page = Files.readString(PAGE);
    int begin = page.indexOf(BEGIN);
    int end = page.indexOf(END);
    assertThat(begin).as(PAGE + " holds the settings markers").isPositive();
    assertThat(end).as(PAGE + " holds the end marker").isGreaterThan(begin);
    String expected = render();
    String actual = page.substring(begin + BEGIN.length(), end);
    if (!actual.equals(expected)) {
      Files.createDirectories(Path.of("target"));
      Files.writeString(Path.of("target", "settings-man.adoc"), expected);
    }
    assertThat(actual)
        .as(PAGE + " settings (rendered: target/settings-man.adoc)")
        .isEqualTo(expected);
  }
}
