package dev.popvault.cli;

import dev.popvault.config.Setting;
import dev.popvault.core.ExportMessages;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/**
 * Writes popvault's bash completion script from the command model: every visible command and option
 * (with the {@code --no-} form of negatable flags), which options take a value and what completes
 * it (fixed words, files, directories, account names), and what each command's arguments are. A
 * build step, run by exec:java at prepare-package from the test classes (so it is not in the
 * runtime jar): {@code CompletionScript OUTPUT}.
 *
 * <p>picocli's own generator (picocli.AutoComplete) treats {@code -v} as taking a value, knows no
 * {@code --no-} forms, and cannot complete account names, which come from the user's accounts file
 * at completion time.
 */
public final class CompletionScript {
  /** What completes a value or an argument; each is one case of {@code _popvault_complete}. */
  enum Kind {
    NONE,
    FILE,
    DIRECTORY,
    ACCOUNT,
    COMMAND,
    WORDS
  }

  /** What completes a value: its kind and, for {@link Kind#WORDS}, the words. */
  record Values(Kind kind, List<String> words) {
    static final Values NONE = new Values(Kind.NONE, List.of());

    static Values of(Kind kind) {
      return new Values(kind, List.of());
    }
  }

  private CompletionScript() {}

  public static void main(String[] args) throws IOException {
    if (args.length != 1) {
      throw new IllegalArgumentException("usage: CompletionScript OUTPUT");
    }
    Path output = Path.of(args[0]);
    if (output.getParent() != null) {
      Files.createDirectories(output.getParent());
    }
    Files.writeString(output, script(Main.newCommandLine()), StandardCharsets.UTF_8);
  }

  /** Returns the whole script for the tree of {@code root}. */
  static String script(CommandLine root) {
    StringBuilder specs = new StringBuilder();
    Map<Values, List<String>> valueCases = new LinkedHashMap<>();
    describe(root, specs, valueCases);
    StringBuilder values = new StringBuilder();
    for (Map.Entry<Values, List<String>> entry : valueCases.entrySet()) {
      values
          .append("    ")
          .append(String.join("|", entry.getValue()))
          .append(") _popvault_complete ")
          .append(entry.getKey().kind().name().toLowerCase(Locale.ROOT));
      for (String word : entry.getKey().words()) {
        values.append(' ').append(word);
      }
      values.append(" ;;\n");
    }
    String template = resource("popvault-completion.bash.template");
    return template
        .replace("@COMMANDS@\n", specs.toString())
        .replace("@VALUES@\n", values.toString());
  }

  /** Appends one case of {@code _popvault_command} per visible command, depth first. */
  private static void describe(
      CommandLine commandLine, StringBuilder specs, Map<Values, List<String>> valueCases) {
    CommandSpec spec = commandLine.getCommandSpec();
    String key = spec.qualifiedName("_");
    List<String> subcommands = new ArrayList<>();
    for (Map.Entry<String, CommandLine> sub : commandLine.getSubcommands().entrySet()) {
      if (!sub.getValue().getCommandSpec().usageMessage().hidden()) {
        subcommands.add(sub.getKey());
      }
    }
    List<String> flags = new ArrayList<>();
    List<String> valued = new ArrayList<>();
    for (OptionSpec option : spec.options()) {
      if (option.hidden()) {
        continue;
      }
      if (option.arity().max() == 0) {
        for (String name : option.names()) {
          flags.add(name);
          if (option.negatable()) {
            flags.add(spec.negatableOptionTransformer().makeNegative(name, spec));
          }
        }
      } else {
        valued.addAll(Arrays.asList(option.names()));
        Values values = values(spec, option);
        if (values.kind() == Kind.NONE) {
          continue; // the script's default case: nothing to offer
        }
        for (String name : option.names()) {
          valueCases
              .computeIfAbsent(values, v -> new ArrayList<>())
              .add("'" + key + " " + name + "'");
        }
      }
    }
    List<String> positional = new ArrayList<>();
    boolean repeats = false;
    for (PositionalParamSpec parameter : spec.positionalParameters()) {
      if (parameter.hidden()) {
        continue;
      }
      String kind = argumentKind(parameter.paramLabel()).name().toLowerCase(Locale.ROOT);
      for (int i = 0; i < Math.max(1, parameter.arity().min()); i++) {
        positional.add(kind);
      }
      repeats = parameter.arity().isVariable() || parameter.arity().max() > parameter.arity().min();
    }
    specs
        .append("    ")
        .append(key)
        .append(")\n      subcommands='")
        .append(String.join(" ", subcommands))
        .append("'\n      flags='")
        .append(String.join(" ", flags))
        .append("'\n      valued='")
        .append(String.join(" ", valued))
        .append("'\n      arguments=(")
        .append(String.join(" ", positional))
        .append(")\n      repeats=")
        .append(repeats ? 1 : 0)
        .append("\n      ;;\n");
    for (Map.Entry<String, CommandLine> sub : commandLine.getSubcommands().entrySet()) {
      if (!sub.getValue().getCommandSpec().usageMessage().hidden()) {
        describe(sub.getValue(), specs, valueCases);
      }
    }
  }

  /**
   * Decides what completes an option's value: its own completion candidates (picocli fills them for
   * enums), the words of a setting of the same name, else its parameter label.
   */
  static Values values(CommandSpec spec, OptionSpec option) {
    if (option.completionCandidates() != null) {
      List<String> words = new ArrayList<>();
      option.completionCandidates().forEach(words::add);
      return new Values(Kind.WORDS, List.copyOf(words));
    }
    String name = option.longestName();
    Optional<Setting> setting =
        name.startsWith("--") ? Setting.byKey(name.substring(2)) : Optional.empty();
    if (setting.isPresent() && !setting.get().choices().isEmpty()) {
      return new Values(Kind.WORDS, setting.get().choices());
    }
    if (name.equals("--format") && spec.name().equals("export")) {
      return new Values(
          Kind.WORDS,
          Arrays.stream(ExportMessages.Format.values())
              .map(f -> f.name().toLowerCase(Locale.ROOT))
              .toList());
    }
    return switch (option.paramLabel()) {
      case "DIR" -> Values.of(Kind.DIRECTORY);
      case "FILE", "PEM", "PATH" -> Values.of(Kind.FILE);
      case "NAME" -> Values.of(Kind.ACCOUNT);
      default -> Values.NONE;
    };
  }

  /** Decides what completes an argument, by its label. */
  static Kind argumentKind(String label) {
    if (label.contains("ACCOUNT")) {
      return Kind.ACCOUNT;
    }
    if (label.contains("FILE") || label.contains("DIR")) {
      return Kind.FILE;
    }
    return label.equals("COMMAND") ? Kind.COMMAND : Kind.NONE;
  }

  private static String resource(String name) {
    try (var in = CompletionScript.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException("missing resource " + name);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
