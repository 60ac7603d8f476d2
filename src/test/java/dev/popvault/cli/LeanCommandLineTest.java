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
      if (sub.getKey().equals("help")) {
        // `help NAME` must find NAME: it gets the whole tree.
        assertThat(Main.forArgs("help").getSubcommands()).hasSameSizeAs(whole);
        continue;
      }
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

  @Test
  void helpListsTheCommandsAndShowsOnesUsage() {
    java.io.StringWriter out = new java.io.StringWriter();
    CommandLine help = Main.forArgs("help", "upload");
    help.setOut(new java.io.PrintWriter(out, true));
    assertThat(help.execute("help", "upload")).isZero();
    assertThat(out.toString()).startsWith("Usage: popvault upload");
    java.io.StringWriter all = new java.io.StringWriter();
    CommandLine bare = Main.forArgs("help");
    bare.setOut(new java.io.PrintWriter(all, true));
    assertThat(bare.execute("help")).isZero();
    assertThat(all.toString()).contains("archive").contains("search").contains("import");
  }

  @Test
  void theEtaReadsAsAClock() {
    assertThat(Progress.clock(4894)).isEqualTo("1:21:34");
    assertThat(Progress.clock(725)).isEqualTo("12:05");
    assertThat(Progress.clock(42)).isEqualTo("0:42");
  }

  private static List<String> optionNames(CommandLine c) {
    return c.getCommandSpec().options().stream()
        .map(OptionSpec::longestName)
        .sorted()
        .collect(Collectors.toList());
  }
}
