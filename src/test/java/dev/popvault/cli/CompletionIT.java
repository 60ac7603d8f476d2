package dev.popvault.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.popvault.config.Setting;
import dev.popvault.testsupport.TestRequirements;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Sources the generated target/popvault-completion.bash in a real bash, sets COMP_WORDS,
 * COMP_CWORD, COMP_LINE and COMP_POINT as bash does for a TAB, calls the completion function and
 * reads COMPREPLY.
 */
class CompletionIT {
  private static final Path SCRIPT =
      Path.of(System.getProperty("popvault.basedir", "."), "target", "popvault-completion.bash");
  private static final String END = "@@end of reply@@";

  @TempDir Path tmp;
  private Path home;
  private Path xdgConfig;

  @BeforeEach
  void accountsFile() throws Exception {
    TestRequirements.requireCommands("bash", "sed", "grep");
    assertThat(SCRIPT).as("built by mvn package").isRegularFile();
    home = Files.createDirectories(tmp.resolve("home"));
    xdgConfig = Files.createDirectories(tmp.resolve("xdg-config"));
    Files.createDirectories(xdgConfig.resolve("popvault"));
    Files.writeString(
        xdgConfig.resolve("popvault/config.toml"),
        """
        # accounts
        [defaults]
        delete = true

        [work]
        url = "pop3s://alice@mail.example.com"

          [ "bob@example.org" ]   # a quoted name
        url = "pop3s://bob@example.org"
        """);
  }

  /**
   * Completes each line (the words before and at the cursor; the last one is the word being
   * completed) in one bash, and returns each COMPREPLY.
   */
  private List<List<String>> complete(Map<String, String> env, List<List<String>> lines)
      throws Exception {
    StringBuilder script = new StringBuilder();
    script.append("set -u\nsource \"$1\"\n");
    script.append(
        "c() { COMP_WORDS=(\"$@\"); COMP_CWORD=$(($# - 1)); COMP_LINE=\"$*\";"
            + " COMP_POINT=${#COMP_LINE}; COMPREPLY=(); _popvault;"
            + " if ((${#COMPREPLY[@]})); then printf '%s\\n' \"${COMPREPLY[@]}\"; fi; echo '"
            + END
            + "'; }\n");
    for (List<String> words : lines) {
      script.append("c");
      for (String word : words) {
        script.append(" '").append(word.replace("'", "'\\''")).append("'");
      }
      script.append('\n');
    }
    ProcessBuilder bash =
        new ProcessBuilder(
            "bash", "--norc", "--noprofile", "-c", script.toString(), "bash", SCRIPT.toString());
    bash.environment().remove("XDG_CONFIG_HOME");
    bash.environment().put("HOME", home.toString());
    bash.environment().putAll(env);
    bash.redirectErrorStream(true);
    Process process = bash.start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).as("bash output:\n" + output).isZero();
    List<List<String>> replies = new ArrayList<>();
    List<String> reply = new ArrayList<>();
    for (String line : output.split("\n", -1)) {
      if (line.equals(END)) {
        replies.add(reply);
        reply = new ArrayList<>();
      } else if (!line.isEmpty()) {
        reply.add(line);
      }
    }
    assertThat(replies).as("one reply per line; bash said:\n" + output).hasSize(lines.size());
    return replies;
  }

  private List<String> complete(String... words) throws Exception {
    return complete(Map.of("XDG_CONFIG_HOME", xdgConfig.toString()), List.of(List.of(words)))
        .get(0);
  }

  @Test
  void completesCommandsAndOptionNames() throws Exception {
    assertThat(complete("popvault", "ar")).containsExactly("archive");
    assertThat(complete("popvault", "archive", "--co")).contains("--codec");
    assertThat(complete("popvault", "config", "")).containsExactly("check");
    assertThat(complete("popvault", "help", "ver")).containsExactly("verify");
  }

  @Test
  void completesTheValuesOfCodecAndAuth() throws Exception {
    assertThat(complete("popvault", "archive", "--codec", ""))
        .containsExactly("zstd", "gzip", "xz", "none")
        .containsExactlyElementsOf(Setting.CODEC.choices());
    assertThat(complete("popvault", "archive", "--auth", ""))
        .containsExactlyElementsOf(Setting.AUTH.choices())
        .contains("auto", "xoauth2", "oauthbearer");
    assertThat(complete("popvault", "export", "--codec", "x")).containsExactly("xz");
    // bash splits --codec=g at '=' (COMP_WORDBREAKS); typed as one word it stays one.
    assertThat(complete("popvault", "archive", "--codec", "=", "g")).containsExactly("gzip");
    assertThat(complete("popvault", "archive", "--codec", "=")).hasSize(4);
    assertThat(complete("popvault", "archive", "--codec=g")).containsExactly("--codec=gzip");
  }

  @Test
  void flagsTakeNoValue() throws Exception {
    assertThat(complete("popvault", "archive", "-v", ""))
        .containsExactlyInAnyOrder("work", "bob@example.org");
    assertThat(complete("popvault", "archive", "-q", "--delete", "--verbose", "--json", ""))
        .containsExactlyInAnyOrder("work", "bob@example.org");
    assertThat(complete("popvault", "archive", "--allow-plaintext", "--no-delete", "w"))
        .containsExactly("work");
  }

  @Test
  void completesAccountNamesFromTheAccountsFile() throws Exception {
    assertThat(complete("popvault", "archive", ""))
        .as("XDG_CONFIG_HOME/popvault/config.toml; [defaults] is no account")
        .containsExactlyInAnyOrder("work", "bob@example.org");
    assertThat(complete("popvault", "list", "--account", "b")).containsExactly("bob@example.org");

    Path other = Files.writeString(tmp.resolve("other.toml"), "[office]\nurl = \"pop3s://o@x\"\n");
    assertThat(complete("popvault", "archive", "--config", other.toString(), ""))
        .containsExactly("office");
    assertThat(complete("popvault", "status", "--config", "=", other.toString(), ""))
        .containsExactly("office");

    Path homeConfig = Files.createDirectories(home.resolve(".config/popvault"));
    Files.writeString(homeConfig.resolve("config.toml"), "[mine]\n");
    assertThat(complete(Map.of(), List.of(List.of("popvault", "verify", ""))).get(0))
        .as("without XDG_CONFIG_HOME: ~/.config/popvault/config.toml")
        .containsExactly("mine");
    assertThat(
            complete(
                    Map.of("HOME", tmp.resolve("nobody").toString()),
                    List.of(List.of("popvault", "archive", "")))
                .get(0))
        .as("no accounts file")
        .isEmpty();
  }

  @Test
  void everyOptionOfEveryCommandCompletes() throws Exception {
    List<CommandSpec> commands = new ArrayList<>();
    collect(Main.newCommandLine(), commands);
    List<List<String>> lines = new ArrayList<>();
    for (CommandSpec spec : commands) {
      List<String> words = new ArrayList<>(Arrays.asList(spec.qualifiedName().split(" ")));
      words.add("-");
      lines.add(words);
    }
    List<List<String>> replies = complete(Map.of("XDG_CONFIG_HOME", xdgConfig.toString()), lines);
    for (int i = 0; i < commands.size(); i++) {
      CommandSpec spec = commands.get(i);
      List<String> expected = new ArrayList<>();
      for (OptionSpec option : spec.options()) {
        if (option.hidden()) {
          continue;
        }
        for (String name : option.names()) {
          expected.add(name);
          if (option.negatable()) {
            expected.add(spec.negatableOptionTransformer().makeNegative(name, spec));
          }
        }
      }
      assertThat(expected).as(spec.qualifiedName()).contains("--help");
      assertThat(replies.get(i))
          .as(spec.qualifiedName() + " -<TAB>")
          .containsExactlyInAnyOrderElementsOf(expected);
    }
    assertThat(complete("popvault", "archive", "--no-")).contains("--no-delete", "--no-until-done");
  }

  @Test
  void aFlagIsNeverTakenForAnOptionWithAValue() throws Exception {
    // After any flag, the next word is an argument again: for archive, an account name.
    List<CommandSpec> commands = new ArrayList<>();
    collect(Main.newCommandLine(), commands);
    CommandSpec archive =
        commands.stream().filter(c -> c.name().equals("archive")).findFirst().orElseThrow();
    List<List<String>> lines = new ArrayList<>();
    List<String> flags = new ArrayList<>();
    for (OptionSpec option : archive.options()) {
      if (!option.hidden()
          && option.arity().max() == 0
          && !option.usageHelp()
          && !option.versionHelp()) {
        for (String name : option.names()) {
          flags.add(name);
          lines.add(List.of("popvault", "archive", name, ""));
        }
      }
    }
    assertThat(flags).contains("-v", "--verbose", "-q", "--delete", "--allow-plaintext", "--json");
    List<List<String>> replies = complete(Map.of("XDG_CONFIG_HOME", xdgConfig.toString()), lines);
    for (int i = 0; i < flags.size(); i++) {
      assertThat(replies.get(i))
          .as("popvault archive " + flags.get(i) + " <TAB>")
          .containsExactlyInAnyOrder("work", "bob@example.org");
    }
  }

  /**
   * zsh runs the script through bashcompinit, which calls the function in sh emulation and leaves
   * the matching to zsh (its compgen returns every word): the replies hold the right words. zsh is
   * not needed elsewhere, so it is skipped when missing, on CI too.
   */
  @Test
  void zshRunsItThroughBashcompinit() throws Exception {
    org.junit.jupiter.api.Assumptions.assumeTrue(
        TestRequirements.onPath("zsh"), "zsh not installed: the zsh check is skipped");
    String script =
        "autoload -U +X compinit && compinit -u\n"
            + "autoload -U +X bashcompinit && bashcompinit\n"
            + "source \"$1\"\n"
            + "c() { emulate -L sh; setopt kshglob noshglob braceexpand; COMP_WORDS=(\"$@\");"
            + " COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); COMP_LINE=\"$*\"; COMP_POINT=${#COMP_LINE};"
            + " COMPREPLY=(); _popvault; print -r -- \"${COMPREPLY[*]}\"; }\n"
            + "c popvault archive --codec ''\n"
            + "c popvault archive -v ''\n"
            + "c popvault config ''\n";
    ProcessBuilder zsh =
        new ProcessBuilder("zsh", "-f", "-c", script, "zsh", SCRIPT.toString())
            .redirectErrorStream(true);
    zsh.environment().put("HOME", home.toString());
    zsh.environment().put("XDG_CONFIG_HOME", xdgConfig.toString());
    Process process = zsh.start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).as("zsh output:\n" + output).isZero();
    assertThat(output.split("\n"))
        .as("zsh output")
        .containsExactly("zstd gzip xz none", "work bob@example.org", "check");
  }

  private static void collect(CommandLine commandLine, List<CommandSpec> all) {
    if (commandLine.getCommandSpec().usageMessage().hidden()) {
      return;
    }
    all.add(commandLine.getCommandSpec());
    commandLine.getSubcommands().values().forEach(sub -> collect(sub, all));
  }
}
