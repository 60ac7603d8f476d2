package dev.popvault.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

class LeanCommandLineTest {
  @Test
  void aNamedSubcommandIsBuiltAloneWithTheOptionsAndHelpItHasInTheWholeTree() {
    Map<String, CommandLine> whole = Main.newCommandLine().getSubcommands();
    assertThat(whole).hasSizeGreaterThan(10);
    for (Map.Entry<String, CommandLine> sub : whole.entrySet()) {
      CommandLine lean = Main.forArgs(sub.getKey(), "--help");
      assertThat(lean.getSubcommands().keySet()).as(sub.getKey()).containsExactly(sub.getKey());
      CommandLine alone = lean.getSubcommands().get(sub.getKey());
      assertThat(optionNames(alone)).as(sub.getKey()).isEqualTo(optionNames(sub.getValue()));
      assertThat(alone.getUsageMessage()).isEqualTo(sub.getValue().getUsageMessage());
      assertThat(alone.getCommandSpec().qualifiedName())
          .isEqualTo(sub.getValue().getCommandSpec().qualifiedName());
    }
  }

  @Test
  void anythingElseGetsTheWholeTree() {
    int all = Main.newCommandLine().getSubcommands().size();
    assertThat(Main.forArgs().getSubcommands()).hasSize(all);
    assertThat(Main.forArgs("--help").getSubcommands()).hasSize(all);
    assertThat(Main.forArgs("arcive", "x").getSubcommands()).hasSize(all);
  }

  private static List<String> optionNames(CommandLine c) {
    return c.getCommandSpec().options().stream()
        .map(OptionSpec::longestName)
        .sorted()
        .collect(Collectors.toList());
  }
}
