package dev.popvault.ledger;

import dev.popvault.ledger.LedgerException.Kind;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Set;

/**
 * Creates the ledger file and its missing parent directories with owner-only permissions before
 * SQLite touches them. The ledger lists what mail a person has; it is private. SQLite gives the
 * -wal and -shm files the mode of the database file, so creating that file 0600 covers them too.
 * Existing files and directories are left as they are here; core checks links and makes modes
 * private before opening (RunPlaces, through archive.ArchiveRoot).
 */
final class LedgerFiles {
  static final Set<PosixFilePermission> FILE_MODE = PosixFilePermissions.fromString("rw-------");
  static final Set<PosixFilePermission> DIR_MODE = PosixFilePermissions.fromString("rwx------");

  private LedgerFiles() {}

  /** Creates {@code file} (0600) and its missing parent directories (0700) unless it exists. */
  static void createIfMissing(Path file) throws LedgerException {
    Path absolute = file.toAbsolutePath();
    if (Files.exists(absolute)) {
      return;
    }
    boolean posix = absolute.getFileSystem().supportedFileAttributeViews().contains("posix");
    Path parent = absolute.getParent();
    if (parent != null) {
      createDirectories(file, parent, posix);
    }
    try {
      if (posix) {
        Files.createFile(absolute, PosixFilePermissions.asFileAttribute(FILE_MODE));
        // The creation mode is filtered by the umask; set it exactly so an odd umask cannot leave
        // the owner without access.
        Files.setPosixFilePermissions(absolute, FILE_MODE);
      } else {
        Files.createFile(absolute);
      }
    } catch (FileAlreadyExistsException raced) {
      // Another process created it between the check and here; SQLite opens it as it is.
    } catch (IOException | UnsupportedOperationException e) {
      throw new LedgerException(Kind.IO, "cannot create ledger " + file + ": " + reason(e), e);
    }
  }

  private static void createDirectories(Path file, Path dir, boolean posix) throws LedgerException {
    Deque<Path> missing = new ArrayDeque<>();
    for (Path p = dir; p != null && !Files.exists(p); p = p.getParent()) {
      missing.push(p);
    }
    FileAttribute<?>[] attrs =
        posix
            ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(DIR_MODE)}
            : new FileAttribute<?>[0];
    while (!missing.isEmpty()) {
      Path p = missing.pop();
      try {
        Files.createDirectory(p, attrs);
        if (posix) {
          Files.setPosixFilePermissions(p, DIR_MODE);
        }
      } catch (FileAlreadyExistsException e) {
        if (!Files.isDirectory(p)) {
          throw new LedgerException(
              Kind.IO, "cannot create ledger " + file + ": " + p + " is not a directory", e);
        }
      } catch (IOException e) {
        throw new LedgerException(
            Kind.IO, "cannot create directory " + p + " for ledger " + file + ": " + reason(e), e);
      }
    }
  }

  /** Returns why a file operation failed, without repeating the path. */
  static String reason(Exception e) {
    if (e instanceof FileSystemException fse && fse.getReason() != null) {
      return fse.getReason().toLowerCase(java.util.Locale.ROOT);
    }
    return e.getClass().getSimpleName();
  }
}
