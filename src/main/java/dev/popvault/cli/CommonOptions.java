package dev.popvault.cli;

import dev.popvault.config.ConfigException;
import dev.popvault.config.ConfigFile;
import dev.popvault.config.UserPaths;
import dev.popvault.core.Directories;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.BiConsumer;
import picocli.CommandLine.Option;

/**
 * Holds the options every command shares: the accounts file, where archives live, and how chatty to
 * be.
 */
final class CommonOptions {
  @Option(
      names = "--config",
      paramLabel = "FILE",
      description =
          "Accounts file (TOML; default $XDG_CONFIG_HOME/popvault/config.toml, used if it exists).")
  Path config;

  @Option(
      names = "--archive-dir",
      paramLabel = "DIR",
      description =
          "Archive directory (default $XDG_DATA_HOME/popvault, i.e. $HOME/.local/share/popvault).")
  Path archiveDir;

  @Option(
      names = "--ledger",
      paramLabel = "FILE",
      description = "Ledger database (default DIR/ledger.db).")
  Path ledger;

  @Option(
      names = {"-q", "--quiet"},
      description = "Print nothing unless something failed (for cron).")
  boolean quiet;

  @Option(
      names = {"-v", "--verbose"},
      description =
          "-v: log what the run does (connection, plan, each committed frame, deletions);"
              + " -vv: also the POP3 dialogue (passwords and tokens redacted). To stderr.")
  boolean[] verbose = new boolean[0];

  /**
   * Loads the accounts file: the one named by --config (must exist), else the default one if
   * present.
   */
  ConfigFile configFile() throws ConfigException {
    if (config != null) {
      return ConfigFile.load(config);
    }
    Path fallback = ConfigFile.defaultPath(System.getenv());
    return Files.exists(fallback) ? ConfigFile.load(fallback) : ConfigFile.empty();
  }

  /**
   * Returns the archive directory: --archive-dir, else the file's [defaults], else the XDG default.
   */
  Path archiveDir(ConfigFile file) {
    if (archiveDir != null) {
      return archiveDir;
    }
    ConfigFile.Setting fromFile = file.defaults().get("archive-dir");
    if (fromFile != null && fromFile.value() instanceof String text) {
      return UserPaths.system().expand(text);
    }
    return Directories.defaultArchiveDir(System.getenv());
  }

  Path ledger(ConfigFile file, Path archiveDir) {
    if (ledger != null) {
      return ledger;
    }
    ConfigFile.Setting fromFile = file.defaults().get("ledger");
    if (fromFile != null && fromFile.value() instanceof String text) {
      return UserPaths.system().expand(text);
    }
    return Directories.defaultLedger(archiveDir);
  }

  /** Returns the log of run phases for {@code -v}, or a sink that drops them. */
  java.util.function.Consumer<String> info(PrintWriter err) {
    if (verbose.length == 0) {
      return text -> {};
    }
    return text -> {
      synchronized (err) {
        err.println("popvault: " + text);
        err.flush();
      }
    };
  }

  /**
   * Returns the POP3 dialogue log for {@code -vv} (direction, line); the pop3 package has already
   * redacted secrets.
   */
  BiConsumer<String, String> dialogueLog(PrintWriter err) {
    if (verbose.length < 2) {
      return (direction, text) -> {};
    }
    return (direction, text) -> {
      synchronized (err) {
        err.println("popvault: " + direction + ": " + text);
        err.flush();
      }
    };
  }

  /** Prints a notice (e.g. a cut torn tail) unless {@code -q}. */
  void notice(PrintWriter err, String text) {
    if (!quiet) {
      synchronized (err) {
        err.println("popvault: " + text);
        err.flush();
      }
    }
  }
}
