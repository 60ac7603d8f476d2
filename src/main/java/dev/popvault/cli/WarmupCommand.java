package dev.popvault.cli;

import dev.popvault.core.TrainingServer;
import dev.popvault.core.Warmup;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.Writer;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.Enumeration;
import java.util.concurrent.Callable;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * Runs the start-up training workload (hidden): the build runs it once under {@code
 * -XX:DumpLoadedClassList} to list the classes of the class-data-sharing archive that makes every
 * later start cheaper. The workload is a real {@code archive}, a no-op re-run and a {@code list}
 * against {@link TrainingServer} on 127.0.0.1, so the archive also holds the JDK's socket and
 * concurrency classes and the lambdas those runs spin up (measured in docs/performance.md: the
 * no-op run, the frequent cron case, starts markedly faster than with the codec exercise alone).
 */
@Command(
    name = "warmup",
    hidden = true,
    description = "Exercise a run's code paths in a temporary directory.")
final class WarmupCommand implements Callable<Integer> {
  @Override
  public Integer call() throws Exception {
    Path scratch = Files.createTempDirectory("popvault-warmup");
    int trained = trainOnLoopback();
    Warmup.exercise(scratch);
    // Render the help too: its classes are loaded by every usage error.
    new picocli.CommandLine(new PopvaultCommand()).getUsageMessage();
    // Parse (not run) the everyday command line, so picocli's parsing path is listed as well.
    Main.newCommandLine()
        .parseArgs(
            "archive", "pop3s://warmup@localhost", "--archive-dir", scratch.toString(), "-q");
    loadOwnAndPicocliClasses();
    return trained;
  }

  /**
   * Archives the training server's mailbox into a scratch directory twice (the second run finds
   * nothing new) and lists it; returns 0, or the first failing run's exit code so that a build
   * whose training run broke says so instead of recording a thinner archive.
   */
  private static int trainOnLoopback() throws IOException {
    Path scratch = Files.createTempDirectory("popvault-training");
    try (TrainingServer server = TrainingServer.start()) {
      Path config = Files.writeString(scratch.resolve("accounts.toml"), "");
      Path password = scratch.resolve("password");
      Files.writeString(password, "training\n");
      Files.setPosixFilePermissions(password, PosixFilePermissions.fromString("rw-------"));
      String[] common = {
        "pop3://training@127.0.0.1:" + server.port(),
        "--allow-plaintext",
        "--config=" + config,
        "--password-file=" + password,
        "--archive-dir=" + scratch.resolve("archive"),
        "--ledger=" + scratch.resolve("ledger.db"),
        "-q"
      };
      for (String command : new String[] {"archive", "archive", "list"}) {
        String[] args = new String[common.length + 1];
        args[0] = command;
        System.arraycopy(common, 0, args, 1, common.length);
        CommandLine commandLine = Main.forArgs(args);
        commandLine.setOut(new PrintWriter(Writer.nullWriter()));
        int exit = commandLine.execute(args);
        if (exit != 0) {
          System.err.println("popvault: warmup: training run '" + command + "' exited " + exit);
          return exit;
        }
      }
      return 0;
    } finally {
      try (Stream<Path> files = Files.walk(scratch)) {
        for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(p);
        }
      }
    }
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
