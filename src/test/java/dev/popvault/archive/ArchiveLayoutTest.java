package dev.popvault.archive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ArchiveLayoutTest {
  @Test
  void buildsThePathFromTheUtcMonth() {
    Path base = Path.of("/srv/mail");
    assertThat(
            ArchiveLayout.fileFor(
                base, "alice@mail.example.com", Codec.ZSTD, Instant.parse("2024-12-31T23:30:00Z")))
        .isEqualTo(Path.of("/srv/mail/alice@mail.example.com/2024/2024-12.mbox.zst"));
    assertThat(ArchiveLayout.fileFor(base, "a", Codec.NONE, Instant.parse("2025-01-01T00:00:00Z")))
        .isEqualTo(Path.of("/srv/mail/a/2025/2025-01.mbox"));
  }

  @Test
  void keepsSafeNamesAndReplacesTheRest() {
    assertThat(ArchiveLayout.safeDirName("alice+tag@mail.example-1.com"))
        .isEqualTo("alice+tag@mail.example-1.com");
    assertThat(ArchiveLayout.safeDirName("pop3s://bob@host:995")).isEqualTo("pop3s___bob@host_995");
    assertThat(ArchiveLayout.safeDirName("jürgen 😀")).isEqualTo("j_rgen__");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {"../x", "/etc", "a/b", "a\\b", "..\\..\\x", ".hidden", "...", "x/../../y"})
  void neverYieldsASeparatorOrADotName(String trick) {
    String safe = ArchiveLayout.safeDirName(trick);
    assertThat(safe).doesNotContain("/").doesNotContain("\\").doesNotStartWith(".");
    Path base = Path.of("/srv/mail");
    Path file = ArchiveLayout.fileFor(base, safe, Codec.GZIP, Instant.EPOCH);
    assertThat(file.normalize().getParent().getParent().getParent()).isEqualTo(base);
    assertThat(file.getParent().getParent().getFileName().toString()).isEqualTo(safe);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", ".", ".."})
  void refusesNamesThatCannotBeADirectory(String name) {
    assertThatThrownBy(() -> ArchiveLayout.safeDirName(name))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void refusesUnsafeAccountDirNamesInPaths() {
    assertThatThrownBy(
            () -> ArchiveLayout.fileFor(Path.of("/srv"), "../etc", Codec.ZSTD, Instant.EPOCH))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
