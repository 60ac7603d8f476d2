package dev.popvault.testsupport;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assumptions;

/**
 * Decides what a test does when an external program it needs is missing: skip with a visible reason
 * on a developer machine, fail when the environment variable {@code CI} is set (CI installs
 * everything, so a missing tool there is a broken pipeline, not a reason to pass silently).
 */
public final class TestRequirements {
  private TestRequirements() {}

  /** Returns whether the environment variable {@code CI} is set to a non-empty value. */
  public static boolean onCi() {
    String ci = System.getenv("CI");
    return ci != null && !ci.isEmpty();
  }

  /**
   * Skips the current test (or test class, from {@code @BeforeAll}) when {@code present} is false,
   * or fails it on CI.
   *
   * @param reason names what is missing and how to get it; shown in the test report
   */
  public static void require(boolean present, String reason) {
    if (present) {
      return;
    }
    if (onCi()) {
      throw new AssertionError(reason + " (CI is set, so this is a failure, not a skip)");
    }
    Assumptions.assumeTrue(false, reason);
  }

  /** Requires every named command to be an executable on {@code PATH}; see {@link #require}. */
  public static void requireCommands(String... commands) {
    List<String> missing = new ArrayList<>();
    for (String command : commands) {
      if (findOnPath(command) == null) {
        missing.add(command);
      }
    }
    require(missing.isEmpty(), "not installed (not on PATH): " + String.join(", ", missing));
  }

  /** Returns whether {@code command} is an executable on {@code PATH} (or in an sbin directory). */
  public static boolean onPath(String command) {
    return findOnPath(command) != null;
  }

  /**
   * Returns the executable named {@code command} on {@code PATH} or in the sbin directories, or
   * null.
   */
  static Path findOnPath(String command) {
    String path = System.getenv().getOrDefault("PATH", "");
    List<String> dirs = new ArrayList<>(List.of(path.split(":")));
    // Debian installs dovecot in /usr/sbin, which a non-login shell's PATH may lack.
    dirs.addAll(List.of("/usr/local/sbin", "/usr/sbin", "/sbin"));
    for (String dir : dirs) {
      if (dir.isEmpty()) {
        continue;
      }
      Path candidate = Path.of(dir, command);
      if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
        return candidate;
      }
    }
    return null;
  }
}
