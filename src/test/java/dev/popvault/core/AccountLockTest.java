package dev.popvault.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.popvault.archive.ArchiveRoot;
import java.nio.file.Files;
import java.nio.file.Path;
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
}
