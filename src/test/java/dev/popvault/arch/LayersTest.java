package dev.popvault.arch;

import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.Dependency;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaModifier;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The package table of docs/design.md ("## Packages": package, job, may use) is the rule: every
 * dependency of a main class on another popvault package must be listed in its row. The table is
 * read from the document, so the picture a newcomer reads and the code cannot drift apart.
 */
class LayersTest {
  private static final String ROOT = "dev.popvault";
  private static final Pattern ROW =
      Pattern.compile("^\\|\\s*`([a-z0-9]+)`\\s*\\|[^|]*\\|\\s*([^|]*)\\|\\s*$");

  /** Reads "may use" per package from the design document. */
  static Map<String, Set<String>> allowedByPackage() throws IOException {
    List<String> lines = Files.readAllLines(Path.of("docs", "design.md"));
    Map<String, Set<String>> allowed = new LinkedHashMap<>();
    boolean inTable = false;
    for (String line : lines) {
      if (line.startsWith("## ")) {
        inTable = line.equals("## Packages");
        continue;
      }
      Matcher m = ROW.matcher(line);
      if (inTable && m.matches()) {
        Set<String> uses = new TreeSet<>();
        Matcher word = Pattern.compile("`?\\b([a-z0-9]+)\\b`?").matcher(m.group(2));
        while (word.find()) {
          uses.add(word.group(1));
        }
        allowed.put(m.group(1), uses);
      }
    }
    return allowed;
  }

  @Test
  void everyPackageUsesOnlyWhatTheDesignTableAllows() throws IOException {
    Map<String, Set<String>> allowed = allowedByPackage();
    assertThat(allowed).as("package table in docs/design.md").containsKeys("cli", "core", "pop3");
    JavaClasses classes =
        new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages(ROOT);
    Set<String> violations = new TreeSet<>();
    Set<String> packages = new TreeSet<>();
    for (JavaClass c : classes) {
      String from = topPackage(c);
      if (from == null) {
        continue;
      }
      packages.add(from);
      for (Dependency d : c.getDirectDependenciesFromSelf()) {
        String to = topPackage(d.getTargetClass());
        if (to == null || to.equals(from)) {
          continue;
        }
        Set<String> may = allowed.get(from);
        if (may == null || !may.contains(to)) {
          violations.add(from + " -> " + to + ": " + d.getDescription());
        }
      }
    }
    assertThat(allowed.keySet()).as("every package has a row").containsAll(packages);
    assertThat(violations).as("dependencies the design table does not allow").isEmpty();
  }

  /**
   * Public main types that no other package uses, apart from tests. Each entry says why it stays
   * public; anything else is package-private unless another package needs it.
   */
  private static final Map<String, String> PUBLIC_FOR_TESTS_OR_LAUNCH =
      Map.of(
          "dev.popvault.cli.Main", "the launcher's entry point",
          "dev.popvault.archive.ArchiveVerifyException",
              "core's unit tests fail a fake frame's re-read with it",
          "dev.popvault.core.ExitCode",
              "cli uses its int constants, which the compiler inlines (no class dependency)");

  @Test
  void aTypeIsPublicOnlyWhenAnotherPackageUsesIt() {
    JavaClasses classes =
        new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages(ROOT);
    Set<String> needlesslyPublic = new TreeSet<>();
    for (JavaClass c : classes) {
      if (!c.getModifiers().contains(JavaModifier.PUBLIC)
          || !c.isTopLevelClass()
          || c.getSimpleName().equals("package-info")
          || PUBLIC_FOR_TESTS_OR_LAUNCH.containsKey(c.getName())) {
        continue;
      }
      // A use of a nested type (Probe.Result) is a use of its enclosing type.
      boolean usedElsewhere =
          classes.stream()
              .filter(t -> t.equals(c) || t.getName().startsWith(c.getName() + "$"))
              .flatMap(t -> t.getDirectDependenciesToSelf().stream())
              .anyMatch(d -> !topPackage(d.getOriginClass()).equals(topPackage(c)));
      if (!usedElsewhere) {
        needlesslyPublic.add(c.getName());
      }
    }
    assertThat(needlesslyPublic).as("public types no other package uses").isEmpty();
  }

  /**
   * Commands stay thin: parsing and printing; the work is in core (a command file <= 150 lines).
   */
  @Test
  void everyCommandFileIsAtMost150Lines() throws IOException {
    Map<String, Integer> tooLong = new LinkedHashMap<>();
    try (var files = Files.list(Path.of("src/main/java/dev/popvault/cli"))) {
      for (Path f : files.filter(p -> p.toString().endsWith("Command.java")).toList()) {
        int lines = Files.readAllLines(f).size();
        if (lines > 150) {
          tooLong.put(f.getFileName().toString(), lines);
        }
      }
    }
    assertThat(tooLong).as("command classes over 150 lines").isEmpty();
  }

  private static String topPackage(JavaClass c) {
    String name = c.getPackageName();
    if (!name.startsWith(ROOT + ".")) {
      return null;
    }
    String rest = name.substring(ROOT.length() + 1);
    int dot = rest.indexOf('.');
    return dot < 0 ? rest : rest.substring(0, dot);
  }
}
