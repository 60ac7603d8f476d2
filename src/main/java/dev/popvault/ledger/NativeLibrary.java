package dev.popvault.ledger;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Properties;
import org.sqlite.util.OSInfo;

/**
 * Keeps one copy of SQLite's native library in the user's cache directory and points sqlite-jdbc at
 * it. Without this, sqlite-jdbc writes a fresh 1 MB copy into {@code java.io.tmpdir} on every start
 * and deletes it at exit — so every killed run (cron timeouts, SIGKILL) leaves one behind, and
 * every run pays for the write. Best effort: on any problem sqlite-jdbc's own extraction is used as
 * before.
 */
final class NativeLibrary {
  private static final String PATH_PROPERTY = "org.sqlite.lib.path";
  private static final String NAME_PROPERTY = "org.sqlite.lib.name";
  private static boolean prepared;

  private NativeLibrary() {}

  /**
   * Extracts the library once per sqlite-jdbc version and sets the properties; idempotent and
   * cheap.
   */
  static synchronized void prepare(Map<String, String> env) {
    if (prepared || System.getProperty(PATH_PROPERTY) != null) {
      prepared = true;
      return;
    }
    prepared = true;
    try {
      String name = System.mapLibraryName("sqlitejdbc");
      String version = bundledVersion();
      // Keyed by what the JVM reports, so a run that finds the library never asks sqlite-jdbc's
      // OSInfo, which on Linux starts a `uname -o` process to rule out Android and reads every
      // mapping of the process to detect musl (50 ms per run together).
      String platform =
          System.getProperty("os.name")
              + "-"
              + System.getProperty("os.arch")
              + (Files.exists(Path.of("/etc/alpine-release")) ? "-musl" : "");
      Path dir =
          cacheHome(env)
              .resolve("popvault")
              .resolve(("sqlite-" + version + "-" + platform).replaceAll("[^A-Za-z0-9._-]", "_"));
      Path library = dir.resolve(name);
      if (!Files.isRegularFile(library)) {
        String folder = OSInfo.getNativeLibFolderPathForCurrentOS();
        String resource = "/org/sqlite/native/" + folder + "/" + name;
        try (InputStream in = NativeLibrary.class.getResourceAsStream(resource)) {
          if (in == null) {
            return;
          }
          Files.createDirectories(
              dir,
              PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
          Path tmp = Files.createTempFile(dir, name, ".tmp");
          Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
          try {
            Files.move(tmp, library, StandardCopyOption.ATOMIC_MOVE);
          } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, library, StandardCopyOption.REPLACE_EXISTING);
          }
        }
      }
      System.setProperty(PATH_PROPERTY, dir.toString());
      System.setProperty(NAME_PROPERTY, name);
    } catch (IOException | RuntimeException | LinkageError e) {
      // Fall back to sqlite-jdbc's own extraction into java.io.tmpdir.
    }
  }

  /** Returns the sqlite-jdbc version recorded at build time, or sqlite-jdbc's own answer. */
  private static String bundledVersion() throws IOException {
    Properties build = new Properties();
    try (InputStream in = NativeLibrary.class.getResourceAsStream("build.properties")) {
      if (in != null) {
        build.load(in);
      }
    }
    String version = build.getProperty("sqlite-jdbc.version");
    return version == null || version.startsWith("$")
        ? org.sqlite.SQLiteJDBCLoader.getVersion()
        : version;
  }

  /**
   * Returns {@code $XDG_CACHE_HOME}, or {@code $HOME/.cache}, by the rule of {@code
   * config.UserPaths} (HOME, else {@code user.home}), restated here because this package depends on
   * no other popvault package.
   */
  static Path cacheHome(Map<String, String> env) {
    String xdg = env.get("XDG_CACHE_HOME");
    if (xdg != null && !xdg.isEmpty() && Path.of(xdg).isAbsolute()) {
      return Path.of(xdg);
    }
    String home = env.get("HOME");
    if (home == null || home.isEmpty()) {
      home = System.getProperty("user.home");
    }
    return Path.of(home, ".cache");
  }
}
