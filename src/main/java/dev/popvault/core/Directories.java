package dev.popvault.core;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Set;

/** Creates private directories and finds popvault's default locations (XDG base directories). */
public final class Directories {
  static final Set<PosixFilePermission> DIR_PERMISSIONS =
      PosixFilePermissions.fromString("rwx------");
  static final Set<PosixFilePermission> FILE_PERMISSIONS =
      PosixFilePermissions.fromString("rw-------");

  private Directories() {}

  /**
   * Creates {@code dir} and any missing parents with mode 0700; existing directories keep their
   * mode.
   */
  static void createPrivate(Path dir) throws IOException {
    Path absolute = dir.toAbsolutePath();
    if (Files.isDirectory(absolute)) {
      return;
    }
    Path parent = absolute.getParent();
    if (parent != null) {
      createPrivate(parent);
    }
    try {
      Files.createDirectory(absolute, PosixFilePermissions.asFileAttribute(DIR_PERMISSIONS));
    } catch (java.nio.file.FileAlreadyExistsException e) {
      if (!Files.isDirectory(absolute)) {
        throw new java.nio.file.NotDirectoryException(absolute.toString());
      }
    }
  }

  /**
   * Returns the default archive directory: {@code $XDG_DATA_HOME/popvault} or {@code
   * ~/.local/share/popvault}.
   */
  public static Path defaultArchiveDir(Map<String, String> env) {
    String dataHome = env.get("XDG_DATA_HOME");
    if (dataHome != null && !dataHome.isBlank() && Path.of(dataHome).isAbsolute()) {
      return Path.of(dataHome, "popvault");
    }
    return Path.of(System.getProperty("user.home"), ".local", "share", "popvault");
  }

  /** Returns the default ledger: {@code <archive dir>/ledger.db}. */
  public static Path defaultLedger(Path archiveDir) {
    return archiveDir.resolve("ledger.db");
  }
}
