package dev.popvault.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.popvault.config.Setting;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/** The command-line options are generated from the registry: nothing is declared twice. */
class SettingOptionsTest {
  private static Set<String> options(String... command) {
    CommandLine c = new CommandLine(new PopvaultCommand());
    for (String name : command) {
      c = c.getSubcommands().get(name);
    }
    Set<String> names = new TreeSet<>();
    for (OptionSpec o : c.getCommandSpec().options()) {
      names.add(o.longestName());
    }
    return names;
  }

  @Test
  void archiveTakesEverySettingOfTheCommandLineAndNothingElse() {
    Set<String> expected = new TreeSet<>(Set.of("--help", "--version", "--pipeline-window"));
    // The message selectors, shared with list and delete (not settings: command line only).
    expected.addAll(
        Set.of(
            "--uidl",
            "--number",
            "--larger-than",
            "--older-than",
            "--archived-before",
            "--from",
            "--subject"));
    for (Setting s : Setting.values()) {
      if (s.scope().onCommandLine()) {
        expected.add("--" + s.key());
      }
    }
    assertThat(options("archive")).isEqualTo(expected);
  }

  @Test
  void everyCommandTakesTheCommonSettingsAndProbeVerifyTheConnectionOnes() {
    for (String[] command :
        new String[][] {{"archive"}, {"verify"}, {"probe"}, {"rename"}, {"config", "check"}}) {
      assertThat(options(command))
          .contains("--config", "--archive-dir", "--ledger", "--quiet", "--verbose");
    }
    assertThat(options("probe"))
        .contains("--ca-file", "--fingerprint", "--allow-plaintext", "--timeout")
        .doesNotContain("--password-file", "--delete");
    assertThat(options("verify")).contains("--password-file", "--auth", "--account", "--timeout");
  }

  @Test
  void helpShowsTheRegistryTextWithoutMarkdown() {
    String help =
        new CommandLine(new PopvaultCommand()).getSubcommands().get("archive").getUsageMessage();
    assertThat(help).contains("--[no-]delete").contains("-q, --quiet").contains("xoauth2 (Gmail");
    assertThat(help).doesNotContain("`");
  }
}
