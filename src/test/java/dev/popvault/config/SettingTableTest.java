package dev.popvault.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.StringJoiner;
import org.junit.jupiter.api.Test;

/**
 * The README's settings table is rendered from {@link Setting}: what each key means and where it is
 * valid cannot drift from the options and the accounts-file reader. On a mismatch the rendered
 * table is written to target/settings-table.md, to paste between the README's markers.
 */
class SettingTableTest {
  private static final String BEGIN = "<!-- settings table: generated from config.Setting -->\n";
  private static final String END = "<!-- end of settings table -->";

  /** Renders the Markdown table of every setting, in registry order. */
  static String render() {
    StringJoiner table = new StringJoiner("\n", "", "\n");
    table.add("| key | accounts file | command line | meaning |");
    table.add("|---|---|---|---|");
    for (Setting s : Setting.values()) {
      table.add(
          "| `" + s.key() + "` | " + file(s) + " | " + commandLine(s) + " | " + s.help() + " |");
    }
    return table.toString().replace("|`", "| `");
  }

  private static String file(Setting s) {
    return switch (s.scope()) {
      case ANYWHERE, FILE_ONLY -> "any table";
      case ACCOUNT_TABLE -> "account tables";
      case DEFAULTS -> "`[defaults]`";
      case COMMAND_LINE -> "—";
    };
  }

  private static String commandLine(Setting s) {
    if (!s.scope().onCommandLine()) {
      return s == Setting.URL ? "the `URL` argument" : "—";
    }
    String option = "`--" + s.key() + (s.label() == null ? "" : " " + s.label()) + "`";
    if (s.negatable()) {
      option += " / `--no-" + s.key() + "`";
    }
    if (s.type() == Setting.Type.COUNT) {
      option = "`" + s.shortName() + "`, `" + s.shortName() + s.shortName().substring(1) + "`";
    } else if (s.shortName() != null) {
      option = "`" + s.shortName() + "`, " + option;
    }
    return option;
  }

  @Test
  void theReadmeTableIsTheRegistryRendered() throws Exception {
    String readme = Files.readString(Path.of("README.md"));
    int begin = readme.indexOf(BEGIN);
    int end = readme.indexOf(END);
    assertThat(begin).as("README holds the settings table markers").isPositive();
    String expected = render();
    String actual = readme.substring(begin + BEGIN.length(), end);
    if (!actual.equals(expected)) {
      Files.writeString(Path.of("target", "settings-table.md"), expected);
    }
    assertThat(actual)
        .as("README settings table (see target/settings-table.md)")
        .isEqualTo(expected);
  }

  @Test
  void theFileTakesExactlyTheKeysTheRegistryPlacesThere() {
    assertThat(ConfigFile.KEYS)
        .contains("url", "password", "archive-dir", "parallel", "metrics-file")
        .doesNotContain("account", "json", "config", "quiet", "verbose");
    for (Setting s : Setting.values()) {
      assertThat(s.secret() && s.scope().onCommandLine())
          .as(s.key() + ": secret in argv")
          .isFalse();
    }
  }
}
