package dev.popvault.core;

import dev.popvault.archive.ArchiveRoot;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Knows where a run of popvault writes, and reaches every place through an {@link ArchiveRoot}
 * (M9): the archive directory, and the ledger with its -wal, -shm and -journal files and the lock
 * files. The ledger and the locks share the archive directory's boundary when the ledger lies
 * inside it (the default); a ledger kept elsewhere ({@code --ledger}) gets its own directory as a
 * boundary, whose own mode is left alone.
 *
 * <p>Every method fails with a {@link PopvaultException}: 78 for a link leading outside or a
 * foreign file with a loose mode, 74 for other local I/O trouble.
 */
final class RunPlaces {
  private final ArchiveRoot archive;
  private final ArchiveRoot ledgerRoot;
  private final Path ledgerRelative;

  private RunPlaces(ArchiveRoot archive, ArchiveRoot ledgerRoot, Path ledgerRelative) {
    this.archive = archive;
    this.ledgerRoot = ledgerRoot;
    this.ledgerRelative = ledgerRelative;
  }

  /**
   * Opens the archive directory (creating it 0700 if missing) and the ledger's boundary.
   *
   * @param notices receives a line for every mode that is made private
   */
  static RunPlaces open(Path archiveDir, Path ledgerFile, Consumer<String> notices) {
    try {
      ArchiveRoot archive = ArchiveRoot.open(archiveDir, notices);
      Optional<Path> inside = archive.relativize(ledgerFile);
      if (inside.isPresent()) {
        return new RunPlaces(archive, archive, inside.get());
      }
      Path absolute = ledgerFile.toAbsolutePath().normalize();
      ArchiveRoot ledgerRoot = ArchiveRoot.openShared(absolute.getParent(), notices);
      return new RunPlaces(archive, ledgerRoot, absolute.getFileName());
    } catch (IOException e) {
      throw Failures.translate(e);
    }
  }

  /** Returns the archive directory's boundary. */
  ArchiveRoot archive() {
    return archive;
  }

  /**
   * Checks the existing directories of {@code relativeDir} below the archive directory, creating
   * nothing: lets a run refuse a link that leads outside before it contacts a server.
   */
  void check(Path relativeDir) {
    try {
      archive.check(relativeDir);
    } catch (IOException e) {
      throw Failures.translate(e);
    }
  }

  /**
   * Prepares the ledger for opening: its directories (0700), and the ledger file and SQLite's
   * companion files where they exist (regular files inside the boundary, 0600). Returns the real
   * path to give SQLite, so that it puts its -wal and -shm files where they were checked.
   */
  Path ledger() {
    try {
      Path real = ledgerRoot.file(ledgerRelative);
      Path relative = ledgerRoot.relativize(real).orElse(ledgerRelative);
      for (String suffix : new String[] {"-wal", "-shm", "-journal"}) {
        ledgerRoot.file(relative.resolveSibling(relative.getFileName() + suffix));
      }
      return real;
    } catch (IOException e) {
      throw Failures.translate(e);
    }
  }

  /** Takes the account's lock: {@code locks/<dirName>.lock} beside the ledger. */
  AccountLock lock(String dirName, String accountName) {
    Path parent = ledgerRelative.getParent();
    Path locks = parent == null ? Path.of("locks") : parent.resolve("locks");
    return AccountLock.acquire(ledgerRoot, locks.resolve(dirName + ".lock"), accountName);
  }
}
