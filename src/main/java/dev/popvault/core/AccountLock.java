package dev.popvault.core;

import dev.popvault.archive.ArchiveRoot;
import dev.popvault.archive.UnsafePathException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * Holds the exclusive per-account lock: a file {@code <ledger dir>/locks/<account>.lock} locked
 * with {@link FileChannel#tryLock()}. All lock files live in that one directory, beside the ledger
 * they guard, so they protect the archive whoever runs popvault on it. The OS releases the lock
 * when the process dies, so a killed run never leaves a stale lock. A second run for the same
 * account fails at once (exit 75) instead of waiting or downloading twice.
 *
 * <p>The file exists only while a run holds it: {@link #close()} removes it while still holding the
 * lock. Another run may have opened the file just before (its lock attempt then comes after ours
 * ends), so it would lock a file that is no longer in the directory, while a third run creates and
 * locks a new one. Hence {@link #acquire} checks, once it holds the lock, that the path still names
 * the file it locked (same file key: device and inode), and starts over if not.
 */
final class AccountLock implements AutoCloseable {
  /** Attempts before giving up when the lock file keeps being removed under us. */
  private static final int ATTEMPTS = 50;

  private final FileChannel channel;
  private final FileLock lock;
  private final Path real;
  private final Object fileKey;

  private AccountLock(FileChannel channel, FileLock lock, Path real, Object fileKey) {
    this.channel = channel;
    this.lock = lock;
    this.real = real;
    this.fileKey = fileKey;
  }

  /**
   * Takes the lock or fails. The lock file is created 0600 (its directory 0700) through {@code
   * root}, so no link leads it outside (M9).
   *
   * @throws PopvaultException exit 75 if another run holds it, exit 78 if a link leads outside the
   *     root, exit 74 if the lock file cannot be created
   */
  static AccountLock acquire(ArchiveRoot root, Path relativeFile, String accountName) {
    return acquire(root, relativeFile, accountName, () -> {});
  }

  /**
   * Takes the lock like {@link #acquire(ArchiveRoot, Path, String)}; {@code beforeLock} runs
   * between opening the file and locking it, where another run may remove it (a seam for tests).
   */
  static AccountLock acquire(
      ArchiveRoot root, Path relativeFile, String accountName, Runnable beforeLock) {
    Path file = root.shown(relativeFile);
    for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
      FileChannel channel = null;
      try {
        Path real = root.file(relativeFile);
        Object before = fileKey(real);
        channel = root.open(relativeFile);
        Object opened = fileKey(real);
        // The path named the same file before and after the open: the channel is that file.
        if (before == null || !before.equals(opened)) {
          channel.close();
          continue;
        }
        beforeLock.run();
        FileLock lock;
        try {
          lock = channel.tryLock();
        } catch (OverlappingFileLockException e) {
          lock = null;
        }
        if (lock == null) {
          channel.close();
          throw new PopvaultException(
              ExitCode.TEMPORARY,
              "another run for " + accountName + " is in progress (lock " + file + ")");
        }
        if (opened.equals(fileKey(real))) {
          return new AccountLock(channel, lock, real, opened);
        }
        // The run that held it removed it between our open and our lock: start over.
        lock.release();
        channel.close();
      } catch (UnsafePathException e) {
        closeQuietly(channel);
        throw Failures.translate(e);
      } catch (IOException e) {
        closeQuietly(channel);
        throw new PopvaultException(
            ExitCode.IO_ERROR, "cannot create lock file " + file + ": " + Failures.describe(e), e);
      }
    }
    throw new PopvaultException(
        ExitCode.TEMPORARY,
        "another run for "
            + accountName
            + " keeps replacing its lock file "
            + file
            + "; try again later");
  }

  /** Returns the file key (device and inode) of {@code path}, not following links; null if none. */
  private static Object fileKey(Path path) throws IOException {
    try {
      return Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS)
          .fileKey();
    } catch (NoSuchFileException e) {
      return null;
    }
  }

  /**
   * Removes the lock file while still holding the lock (only if the path still names it), then
   * releases the lock. A lock file that cannot be removed is left behind, harmless: the next run
   * takes it.
   */
  @Override
  public void close() {
    try {
      if (fileKey.equals(fileKey(real))) {
        Files.delete(real);
      }
    } catch (IOException e) {
      // Left behind; the next run locks it as before.
    }
    try {
      lock.release();
    } catch (IOException e) {
      // Closing the channel below releases it too.
    }
    closeQuietly(channel);
  }

  private static void closeQuietly(FileChannel channel) {
    if (channel != null) {
      try {
        channel.close();
      } catch (IOException e) {
        // Nothing left to protect: the lock dies with the channel or the process.
      }
    }
  }
}
