package dev.popvault.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.popvault.config.Setting;
import dev.popvault.core.ExitCode;
import dev.popvault.testsupport.TestRequirements;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/**
 * Reads the man pages the build wrote to target/man: every command picocli knows has its page with
 * every section a reader looks for, every option and argument of the command, and every exit code
 * of {@link ExitCode}; popvault.toml(5) lists every setting of the registry; and {@code man}
 * renders them without a warning.
 */
class ManPagesIT {
  private static final List<String> SECTIONS =
      List.of(
          "NAME",
          "SYNOPSIS",
          "DESCRIPTION",
          "OPTIONS",
          "FILES",
          "ENVIRONMENT",
          "EXIT STATUS",
          "EXAMPLES",
          "SEE ALSO");

  private static final Path MAN =
      Path.of(System.getProperty("popvault.basedir", "."), "target", "man");

  /** Lists every command of the tree that help shows (hidden ones have no page), depth first. */
  private static List<CommandSpec> commands() {
    List<CommandSpec> all = new ArrayList<>();
    collect(Main.newCommandLine(), all);
    return all;
  }

  private static void collect(CommandLine commandLine, List<CommandSpec> all) {
    CommandSpec spec = commandLine.getCommandSpec();
    if (spec.usageMessage().hidden()) {
      return;
    }
    all.add(spec);
    for (CommandLine sub : commandLine.getSubcommands().values()) {
      collect(sub, all);
    }
  }

  private static Path page(CommandSpec spec) {
    return MAN.resolve("man1").resolve(spec.qualifiedName("-") + ".1");
  }

  /** Returns the page's text with troff's escapes and font changes taken out. */
  private static String text(Path page) throws Exception {
    assertThat(page).as("man page of this command").isRegularFile();
    return Files.readString(page, StandardCharsets.UTF_8)
        .replace("\\-", "-")
        .replaceAll("\\\\f(\\(..|\\[[^]]*]|.)", "")
        .replace("\\&", "")
        .replace("\\%", "");
  }

  /** Returns the text of section {@code name}: from its .SH line to the next one. */
  private static String section(String page, String name) {
    int start = page.indexOf(".SH \"" + name + "\"");
    assertThat(start).as("section " + name).isNotNegative();
    int end = page.indexOf("\n.SH ", start + 1);
    return page.substring(start, end < 0 ? page.length() : end);
  }

  @Test
  void everyCommandHasItsPageWithEverySection() throws Exception {
    List<CommandSpec> commands = commands();
    assertThat(commands).hasSizeGreaterThan(15);
    for (CommandSpec spec : commands) {
      String page = text(page(spec));
      for (String section : SECTIONS) {
        assertThat(page)
            .as(page(spec) + ": section " + section)
            .contains(".SH \"" + section + "\"");
      }
      assertThat(section(page, "NAME"))
          .as(page(spec) + ": NAME says what the command does")
          .contains(spec.qualifiedName("-") + " - ");
      assertThat(section(page, "DESCRIPTION").length())
          .as(page(spec) + ": DESCRIPTION is prose, not one line")
          .isGreaterThan(250);
    }
  }

  @Test
  void noPageOutlivesItsCommand() throws Exception {
    TreeSet<String> expected = new TreeSet<>();
    commands().forEach(spec -> expected.add(spec.qualifiedName("-") + ".1"));
    TreeSet<String> present = new TreeSet<>();
    try (Stream<Path> pages = Files.list(MAN.resolve("man1"))) {
      // Only the pages themselves: packaging may put compressed copies beside them.
      pages
          .map(p -> p.getFileName().toString())
          .filter(name -> name.endsWith(".1"))
          .forEach(present::add);
    }
    assertThat(present).as("pages in " + MAN.resolve("man1")).isEqualTo(expected);
  }

  @Test
  void everyOptionAndArgumentOfACommandIsOnItsPage() throws Exception {
    for (CommandSpec spec : commands()) {
      String options = section(text(page(spec)), "OPTIONS");
      for (OptionSpec option : spec.options()) {
        if (option.hidden()) {
          continue;
        }
        for (String name : option.names()) {
          String shown =
              option.negatable() && name.startsWith("--") ? "--[no-]" + name.substring(2) : name;
          assertThat(options)
              .as(page(spec) + ": OPTIONS of " + spec.qualifiedName())
              .contains(shown);
        }
      }
      String page = text(page(spec));
      String synopsis = section(page, "SYNOPSIS");
      for (OptionSpec option : spec.options()) {
        if (!option.hidden() && option.arity().max() > 0) {
          // Asciidoctor once read the brackets of N[:UIDL] as markup and dropped the option.
          assertThat(synopsis)
              .as(page(spec) + ": SYNOPSIS")
              .contains(option.longestName() + "=" + option.paramLabel());
        }
      }
      for (PositionalParamSpec positional : spec.positionalParameters()) {
        if (!positional.hidden()) {
          assertThat(page).as(page(spec) + ": argument").contains(positional.paramLabel());
        }
      }
    }
  }

  @Test
  void exitStatusListsEveryExitCode() throws Exception {
    List<Integer> codes = new ArrayList<>();
    for (Field field : ExitCode.class.getFields()) {
      if (Modifier.isStatic(field.getModifiers()) && field.getType() == int.class) {
        codes.add(field.getInt(null));
      }
    }
    assertThat(codes).contains(0, 64, 78, 130);
    for (CommandSpec spec : commands()) {
      List<String> lines = Arrays.asList(section(text(page(spec)), "EXIT STATUS").split("\n"));
      for (int code : codes) {
        assertThat(lines).as(page(spec) + ": EXIT STATUS").contains(Integer.toString(code));
      }
    }
  }

  @Test
  void theAccountsFilePageListsEverySetting() throws Exception {
    String page = text(MAN.resolve("man5").resolve("popvault.toml.5"));
    for (String section : List.of("NAME", "SYNOPSIS", "DESCRIPTION", "FILES", "SEE ALSO")) {
      section(page, section);
    }
    String settings = section(page, "SETTINGS");
    for (Setting setting : Setting.values()) {
      assertThat(settings)
          .as("popvault.toml.5: SETTINGS")
          .containsPattern("(?<![\\w-])" + Pattern.quote(setting.key()) + "(?![\\w-])");
    }
  }

  @Test
  void manRendersEveryPageWithoutWarnings() throws Exception {
    TestRequirements.requireCommands("man");
    List<Path> pages = new ArrayList<>();
    commands().forEach(spec -> pages.add(page(spec)));
    pages.add(MAN.resolve("man5").resolve("popvault.toml.5"));
    for (Path page : pages) {
      ProcessBuilder man =
          new ProcessBuilder("man", "--warnings", "-l", page.toString())
              .redirectOutput(ProcessBuilder.Redirect.DISCARD);
      Map<String, String> env = man.environment();
      env.put("MANWIDTH", "80");
      env.put("MANPAGER", "cat");
      env.put("PAGER", "cat");
      Process process = man.start();
      String warnings = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("man -l " + page).isTrue();
      assertThat(process.exitValue()).as("man -l " + page + "\n" + warnings).isZero();
      assertThat(warnings).as("man --warnings -l " + page).isEmpty();
    }
  }
}
