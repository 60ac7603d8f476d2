package dev.popvault.core;

import dev.popvault.config.UserPaths;
import java.nio.file.Path;
import java.util.Map;

/**
 * Finds popvault's default locations (XDG base directories, following {@code $HOME}). Creating them
 * privately is {@link dev.popvault.archive.ArchiveRoot}'s job.
 */
public final class Directories {
  private Directories() {}

  /**
   * Returns the default archive directory: {@code $XDG_DATA_HOME/popvault} or {@code
   * $HOME/.local/share/popvault}.
   */
  public static Path defaultArchiveDir(Map<String, String> env) {
    return UserPaths.of(env).dataHome().resolve("popvault");
  }

  /** Returns the default ledger: {@code <archive dir>/ledger.db}. */
  public static Path defaultLedger(Path archiveDir) {
    return archiveDir.resolve("ledger.db");
  }
}
