package dev.popvault.cli;

import dev.popvault.config.ConfigException;
import dev.popvault.config.ConfigFile;
import dev.popvault.config.ConfigFile.Value;
import dev.popvault.config.RunSettings;
import dev.popvault.config.Setting;
import dev.popvault.config.UserPaths;
import dev.popvault.core.Directories;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * Reads what every command shares (a mixin): the accounts file, the command line's settings as a
 * layer over it, where archives live, and how chatty to be. The options themselves are generated
 * from the registry ({@link SettingOptions#COMMON}).
 */
@Command
final class CommonOptions {
  @Spec(Spec.Target.MIXEE)
  CommandSpec mixee;

  /**
   * Loads the accounts file: the one named by --config (must exist), else the default one if
   * present.
   */
  ConfigFile configFile() throws ConfigException {
    Object config = SettingOptions.given(mixee, Setting.CONFIG);
    if (config != null) {
      return ConfigFile.load(UserPaths.system().expand((String) config));
    }
    Path fallback = ConfigFile.defaultPath(System.getenv());
    return Files.exists(fallback) ? ConfigFile.load(fallback) : ConfigFile.empty();
  }

  /** Returns the settings given on the command line, keyed like the accounts file. */
  Map<String, Value> commandLine() {
    return SettingOptions.layer(mixee);
  }

  /** Returns the run's settings: the command line over the file's {@code [defaults]}. */
  RunSettings run(ConfigFile file) throws ConfigException {
    return RunSettings.resolve(
        file.defaults(), commandLine(), Directories.defaultArchiveDir(System.getenv()));
  }

  /** Returns the ledger of {@code run}: its own, or the one in its archive directory. */
  static Path ledger(RunSettings run) {
    return run.ledger() != null ? run.ledger() : Directories.defaultLedger(run.archiveDir());
  }

  boolean quiet() {
    return Boolean.TRUE.equals(SettingOptions.given(mixee, Setting.QUIET));
  }

  private int verbosity() {
    Object flags = SettingOptions.given(mixee, Setting.VERBOSE);
    return flags == null ? 0 : ((boolean[]) flags).length;
  }

  /** Returns the log of run phases for {@code -v}, or a sink that drops them. */
  Consumer<String> info(PrintWriter err) {
    if (verbosity() == 0) {
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
    if (verbosity() < 2) {
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
    if (!quiet()) {
      synchronized (err) {
        err.println("popvault: " + text);
        err.flush();
      }
    }
  }
}
