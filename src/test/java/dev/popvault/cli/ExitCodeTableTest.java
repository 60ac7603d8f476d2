package dev.popvault.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.popvault.core.ExitCode;
import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The exit codes are API. Their table lives in {@link ExitCodeTable} (every command's --help),
 * docs/exit-codes.md and the README; this test proves the three list exactly the codes {@link
 * ExitCode} defines. The man pages' EXIT STATUS is checked by ManPagesIT.
 */
class ExitCodeTableTest {
  private static Set<Integer> defined() throws IllegalAccessException {
    Set<Integer> codes = new TreeSet<>();
    for (Field f : ExitCode.class.getFields()) {
      if (Modifier.isStatic(f.getModifiers()) && f.getType() == int.class) {
        codes.add(f.getInt(null));
      }
    }
    return codes;
  }

  private static Set<Integer> codes(Pattern row, String text) {
    Set<Integer> codes = new TreeSet<>();
    for (String line : text.split("\n")) {
      Matcher m = row.matcher(line);
      if (m.find()) {
        codes.add(Integer.parseInt(m.group(1)));
      }
    }
    return codes;
  }

  @Test
  void helpDocsAndReadmeListExactlyTheDefinedCodes() throws Exception {
    Set<Integer> defined = defined();
    assertThat(defined).contains(0, 64, 65, 69, 70, 74, 75, 76, 77, 78, 130);
    Pattern markdownRow = Pattern.compile("^\\| (\\d+) \\|");
    assertThat(codes(Pattern.compile("^\\s*(\\d+)  \\S"), ExitCodeTable.TEXT.replace("%n", "\n")))
        .as("--help")
        .isEqualTo(defined);
    assertThat(codes(markdownRow, read("docs/exit-codes.md"))).as("docs").isEqualTo(defined);
    assertThat(codes(markdownRow, section(read("README.md"), "## Exit codes")))
        .as("README")
        .isEqualTo(defined);
  }

  private static String read(String path) throws IOException {
    return Files.readString(Path.of(path));
  }

  private static String section(String text, String heading) {
    int start = text.indexOf(heading);
    int end = text.indexOf("\n## ", start + heading.length());
    return text.substring(start, end < 0 ? text.length() : end);
  }
}
