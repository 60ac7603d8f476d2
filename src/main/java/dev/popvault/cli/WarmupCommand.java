package dev.popvault.cli;

import dev.popvault.core.Warmup;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.concurrent.Callable;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import picocli.CommandLine.Command;

/**
 * Runs the start-up training workload (hidden): the build runs it once under {@code
 * -XX:DumpLoadedClassList} to list the classes of the class-data-sharing archive that makes every
 * later start cheaper.
 */
@Command(
    name = "warmup",
    hidden = true,
    description = "Exercise a run's code paths in a temporary directory.")
final class WarmupCommand implements Callable<Integer> {
  @Override
  public Integer call() throws Exception {
    Path scratch = Files.createTempDirectory("popvault-warmup");
    Warmup.exercise(scratch);
    // Render the help too: its classes are loaded by every usage error.
    new picocli.CommandLine(new PopvaultCommand()).getUsageMessage();
    // Parse (not run) the everyday command line, so picocli's parsing path is listed as well.
    Main.newCommandLine()
        .parseArgs(
            "archive", "pop3s://warmup@localhost", "--archive-dir", scratch.toString(), "-q");
    loadOwnAndPicocliClasses();
    return 0;
  }

  /**
   * Loads (without initialising) every class of popvault and picocli in the jar, so that the
   * archive holds the ones a run reaches only over the network (the POP3 client, failure paths)
   * too.
   */
  private static void loadOwnAndPicocliClasses() throws IOException, URISyntaxException {
    Path jar =
        Path.of(WarmupCommand.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    if (!Files.isRegularFile(jar)) {
      return;
    }
    ClassLoader loader = WarmupCommand.class.getClassLoader();
    try (JarFile file = new JarFile(jar.toFile())) {
      Enumeration<JarEntry> entries = file.entries();
      while (entries.hasMoreElements()) {
        String name = entries.nextElement().getName();
        if (name.endsWith(".class")
            && (name.startsWith("dev/popvault/") || name.startsWith("picocli/"))
            && !name.contains("-")) {
          try {
            Class.forName(name.substring(0, name.length() - 6).replace('/', '.'), false, loader);
          } catch (ClassNotFoundException | LinkageError e) {
            // Not loadable here (an optional dependency is missing): it stays out of the archive.
          }
        }
      }
    }
  }
}
