package dev.popvault.core;

import dev.popvault.archive.ArchiveRoot;
import dev.popvault.archive.UnsafePathException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Path;

/**
 * Holds the exclusive per-account lock: a file {@code <ledger dir>/locks/<account>.lock} locked
 * with {@link FileChannel#tryLock()}. The OS releases it when the process dies, so a killed run
 * never leaves a stale lock. A second run for the same account fails at once (exit 75) instead of
 * waiting or downloading twice.
 */
final class AccountLock implements AutoCloseable {
  private final FileChannel channel;
  private final FileLock lock;

  private AccountLock(FileChannel channel, FileLock lock) {
    this.channel = channel;
    this.lock = lock;
  }

  /**
   * Takes the lock or fails. The lock file is created 0600 (its directory 0700) through {@code
   * root}, so no link leads it outside (M9).
   *
   * @throws PopvaultException exit 75 if another run holds it, exit 78 if a link leads outside the
   *     root, exit 74 if the lock file cannot be created
   */
  static AccountLock acquire(ArchiveRoot root, Path relativeFile, String accountName) {
    Path file = root.shown(relativeFile);
    FileChannel channel = null;
    try {
      // The file outlives runs; only the lock on it matters.
      channel = root.open(relativeFile);
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
      return new AccountLock(channel, lock);
    } catch (UnsafePathException e) {
      closeQuietly(channel);
      throw Failures.translate(e);
    } catch (IOException e) {
      closeQuietly(channel);
      throw new PopvaultException(
          ExitCode.IO_ERROR, "cannot create lock file " + file + ": " + Failures.describe(e), e);
    }
  }

  @Override
  public void close() {
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
