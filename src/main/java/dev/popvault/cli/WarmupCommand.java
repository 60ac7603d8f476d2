package dev.popvault.cli;

import dev.popvault.core.Warmup;
import java.nio.file.Files;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/**
 * Runs the start-up training workload (hidden): the build runs it once under {@code
 * -XX:ArchiveClassesAtExit} to record the class-data-sharing archive that makes every later start
 * cheaper.
 */
@Command(
    name = "warmup",
    hidden = true,
    description = "Exercise a run's code paths in a temporary directory.")
final class WarmupCommand implements Callable<Integer> {
  @Override
  public Integer call() throws Exception {
    Warmup.exercise(Files.createTempDirectory("popvault-warmup"));
    // Render the help too: its classes are loaded by every usage error.
    new picocli.CommandLine(new PopvaultCommand()).getUsageMessage();
    return 0;
  }
}
