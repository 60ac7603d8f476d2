package dev.popvault.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** How a command reports its runs, besides the summary lines: JSON and a metrics file (a mixin). */
final class ReportOptions {
  @Option(
      names = "--json",
      description = "Print one JSON report on stdout instead of summary lines.")
  boolean json;

  @Option(
      names = "--metrics-file",
      paramLabel = "FILE",
      description = "Write a Prometheus textfile-collector file (replaced atomically).")
  Path metricsFile;
}
