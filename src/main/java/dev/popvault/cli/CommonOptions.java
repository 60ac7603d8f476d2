package dev.popvault.cli;

import dev.popvault.core.Directories;
import dev.popvault.pop3.Pop3Log;
import java.io.PrintWriter;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * Holds the options every command shares: where the archive and ledger live, and how chatty to be.
 */
final class CommonOptions {
  @Option(
      names = "--archive-dir",
      paramLabel = "DIR",
      description =
          "Archive directory (default $XDG_DATA_HOME/popvault, i.e. ~/.local/share/popvault).")
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
      description = "Log notices and the POP3 dialogue (passwords redacted) to stderr.")
  boolean[] verbose = new boolean[0];

  Path archiveDir() {
    return archiveDir != null ? archiveDir : Directories.defaultArchiveDir(System.getenv());
  }

  Path ledger(Path archiveDir) {
    return ledger != null ? ledger : Directories.defaultLedger(archiveDir);
  }

  /** Returns the dialogue log for {@code -v}; the pop3 package has already redacted secrets. */
  Pop3Log pop3Log(PrintWriter err) {
    if (verbose.length == 0) {
      return Pop3Log.NONE;
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
      err.println("popvault: " + text);
      err.flush();
    }
  }
}
