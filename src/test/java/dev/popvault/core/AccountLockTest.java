package dev.popvault.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.popvault.archive.ArchiveRoot;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AccountLockTest {
  private static final Path LOCK = Path.of("locks", "work.lock");

  @TempDir Path tmp;

  @Test
  void theLockFileExistsOnlyWhileHeld() throws Exception {
    ArchiveRoot root = ArchiveRoot.open(tmp, notice -> {});
    try (AccountLock lock = AccountLock.acquire(root, LOCK, "work")) {
      assertThat(tmp.resolve(LOCK)).isRegularFile();
    }
    assertThat(tmp.resolve(LOCK)).doesNotExist();
    assertThat(tmp.resolve("locks")).isDirectory();
  }

  @Test
  void aLeftoverLockFileIsTakenAndRemoved() throws Exception {
    ArchiveRoot root = ArchiveRoot.open(tmp, notice -> {});
    Files.createDirectories(tmp.resolve("locks"));
    Files.createFile(tmp.resolve(LOCK));
    try (AccountLock lock = AccountLock.acquire(root, LOCK, "work")) {
      assertThat(tmp.resolve(LOCK)).isRegularFile();
    }
    assertThat(tmp.resolve(LOCK)).doesNotExist();
  }

  @Test
  void releasingRemovesOnlyTheFileItLocked() throws Exception {
    ArchiveRoot root = ArchiveRoot.open(tmp, notice -> {});
    AccountLock lock = AccountLock.acquire(root, LOCK, "work");
    // Someone replaced the file meanwhile: it is not ours to remove.
    Files.delete(tmp.resolve(LOCK));
    Files.writeString(tmp.resolve(LOCK), "another file");
    lock.close();
    assertThat(tmp.resolve(LOCK)).hasContent("another file");
  }

  @Test
  void aHeldLockIsRefusedWith75() throws Exception {
    ArchiveRoot root = ArchiveRoot.open(tmp, notice -> {});
    try (AccountLock lock = AccountLock.acquire(root, LOCK, "work")) {
      assertThatThrownBy(() -> AccountLock.acquire(root, LOCK, "work"))
          .isInstanceOf(PopvaultException.class)
          .hasMessageContaining("another run for work is in progress")
          .extracting(e -> ((PopvaultException) e).exitCode())
          .isEqualTo(ExitCode.TEMPORARY);
    }
  }

  @Test
  void aLockFileRemovedBetweenOpenAndLockIsNoticedAndTheRunStartsOver() throws Exception {
    ArchiveRoot root = ArchiveRoot.open(tmp, notice -> {});
    Path path = tmp.resolve(LOCK);
    AtomicInteger attempts = new AtomicInteger();
    Object[] replaced = new Object[1];
    Runnable previousHolderLeaves =
        () -> {
          if (attempts.incrementAndGet() == 1) {
            try {
              // The run that held it removes it as it ends; a third run creates the file anew.
              Files.delete(path);
              Files.createFile(path);
              replaced[0] = Files.readAttributes(path, BasicFileAttributes.class).fileKey();
            } catch (IOException e) {
              throw new UncheckedIOException(e);
            }
          }
        };
    try (AccountLock lock = AccountLock.acquire(root, LOCK, "work", previousHolderLeaves)) {
      assertThat(attempts).as("started over once").hasValue(2);
      assertThat(Files.readAttributes(path, BasicFileAttributes.class).fileKey())
          .as("holds the file the path names")
          .isEqualTo(replaced[0]);
      // So another run finds the lock held.
      assertThatThrownBy(() -> AccountLock.acquire(root, LOCK, "work"))
          .hasMessageContaining("another run for work is in progress");
    }
    assertThat(path).doesNotExist();
  }
}
