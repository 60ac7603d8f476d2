package dev.popvault.config;

import dev.popvault.config.ConfigFile.Value;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Holds the settings of a whole run, from the accounts file's {@code [defaults]} and the command
 * line (which wins): the default place of archives and ledger (for what names no account of the
 * file) and the run-wide settings ({@link Setting.Scope#DEFAULTS}).
 *
 * @param ledger the ledger, or null for the default ({@code archiveDir/ledger.db})
 * @param metricsFile where to write metrics, or null
 * @param origins where each given key came from: "FILE:LINE" or "command line"
 */
public record RunSettings(
    Path archiveDir, Path ledger, int parallel, Path metricsFile, Map<String, String> origins) {

  /**
   * Merges {@code defaults} and {@code commandLine} and validates the result.
   *
   * @param defaultArchiveDir used when neither sets {@code archive-dir}
   */
  public static RunSettings resolve(
      Map<String, Value> defaults, Map<String, Value> commandLine, Path defaultArchiveDir)
      throws ConfigException {
    Map<String, String> origins = new LinkedHashMap<>();
    Reader r = new Reader(defaults, commandLine, origins);
    Path archiveDir = (Path) r.read(Setting.ARCHIVE_DIR);
    return new RunSettings(
        archiveDir != null ? archiveDir : defaultArchiveDir,
        (Path) r.read(Setting.LEDGER),
        (Integer) r.read(Setting.PARALLEL),
        (Path) r.read(Setting.METRICS_FILE),
        Map.copyOf(origins));
  }

  /** Lists the run-wide settings given (not the defaults) as {@code key = value # origin} lines. */
  public List<String> describe() {
    List<String> lines = new ArrayList<>();
    if (origins.containsKey(Setting.PARALLEL.key())) {
      lines.add(line(Setting.PARALLEL, parallel));
    }
    if (metricsFile != null) {
      lines.add(line(Setting.METRICS_FILE, metricsFile));
    }
    return lines;
  }

  private String line(Setting setting, Object value) {
    return setting.key() + " = " + value + "    # " + origins.get(setting.key());
  }

  private record Reader(
      Map<String, Value> defaults, Map<String, Value> commandLine, Map<String, String> origins) {
    Object read(Setting setting) throws ConfigException {
      Value given = commandLine.getOrDefault(setting.key(), defaults.get(setting.key()));
      if (given == null) {
        return setting.defaultValue();
      }
      origins.put(setting.key(), given.where());
      return setting.read(given, UserPaths.system());
    }
  }
}
