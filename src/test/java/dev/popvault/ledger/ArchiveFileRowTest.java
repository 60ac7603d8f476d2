package dev.popvault.ledger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ArchiveFileRowTest {
  @Test
  void acceptsPlainRelativePaths() {
    assertThat(new ArchiveFileRow(1, 2, "home/2024/2024-03.mbox.zst", "zstd", 0).relativePath())
        .isEqualTo("home/2024/2024-03.mbox.zst");
    assertThat(new ArchiveFileRow(1, 2, "..hidden/a", "none", 5).committedLength()).isEqualTo(5);
  }

  @Test
  void rejectsPathsThatCouldLeaveTheArchiveDirectory() {
    for (String bad :
        new String[] {
          "", "/etc/passwd", "../x", "a/../../x", "a/./b", "a//b", "a/", "a\\b", "a\0b"
        }) {
      assertThatThrownBy(() -> new ArchiveFileRow(1, 2, bad, "zstd", 0))
          .as("path %s", bad)
          .isInstanceOf(IllegalArgumentException.class);
    }
  }

  @Test
  void rejectsANegativeCommittedLengthAndAnEmptyCodec() {
    assertThatThrownBy(() -> new ArchiveFileRow(1, 2, "a", "zstd", -1))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new ArchiveFileRow(1, 2, "a", "", 0))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
