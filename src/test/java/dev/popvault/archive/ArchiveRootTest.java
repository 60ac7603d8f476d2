package dev.popvault.archive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ArchiveRootTest {
  @TempDir Path tmp;
  private final List<String> notices = new ArrayList<>();

  private static String mode(Path p) throws IOException {
    return PosixFilePermissions.toString(
        Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS));
  }

  @Test
  void createsTheRootAndDirectoriesBelowIt0700() throws IOException {
    ArchiveRoot root = ArchiveRoot.open(tmp.resolve("a/b/root"), notices::add);
    Path dir = root.directory(Path.of("acct/2026"));
    assertThat(dir).isEqualTo(root.real().resolve("acct/2026"));
    for (Path p :
        List.of(tmp.resolve("a"), tmp.resolve("a/b"), root.real(), dir.getParent(), dir)) {
      assertThat(mode(p)).as(p.toString()).isEqualTo("rwx------");
    }
    assertThat(notices).isEmpty();
  }

  @Test
  void opensFiles0600AndMakesLooseOnesPrivateWithANotice() throws IOException {
    ArchiveRoot root = ArchiveRoot.open(tmp.resolve("root"), notices::add);
    try (FileChannel c = root.open(Path.of("acct/f"))) {
      c.write(ByteBuffer.wrap(new byte[] {1}));
    }
    Path f = root.real().resolve("acct/f");
    assertThat(mode(f)).isEqualTo("rw-------");
    Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-r--r--"));
    Files.setPosixFilePermissions(f.getParent(), PosixFilePermissions.fromString("rwxr-xr-x"));
    try (FileChannel c = root.open(Path.of("acct/f"))) {
      assertThat(c.size()).isEqualTo(1);
    }
    assertThat(mode(f)).isEqualTo("rw-------");
    assertThat(mode(f.getParent())).isEqualTo("rwx------");
    assertThat(notices)
        .containsExactly(
            "made " + root.given().resolve("acct") + " private: mode 0755 -> 0700",
            "made " + root.given().resolve("acct/f") + " private: mode 0644 -> 0600");
  }

  @Test
  void followsALinkThatStaysInsideAndRefusesOneThatLeavesOrDangles() throws IOException {
    ArchiveRoot root = ArchiveRoot.open(tmp.resolve("root"), notices::add);
    Path other = root.directory(Path.of("other"));
    Files.createSymbolicLink(root.real().resolve("inside"), Path.of("other"));
    assertThat(root.directory(Path.of("inside/x"))).isEqualTo(other.resolve("x"));

    Path outside = Files.createDirectories(tmp.resolve("outside"));
    Files.createSymbolicLink(root.real().resolve("out"), outside);
    assertThatThrownBy(() -> root.directory(Path.of("out/x")))
        .isInstanceOf(UnsafePathException.class)
        .hasMessageContaining(root.given().resolve("out") + " is a symbolic link to " + outside)
        .hasMessageContaining("outside the archive directory");
    assertThatThrownBy(() -> root.check(Path.of("out"))).isInstanceOf(UnsafePathException.class);
    Files.createSymbolicLink(root.real().resolve("f"), outside.resolve("new-file"));
    assertThatThrownBy(() -> root.open(Path.of("f")))
        .isInstanceOf(UnsafePathException.class)
        .hasMessageContaining("does not exist");
    try (Stream<Path> s = Files.list(outside)) {
      assertThat(s.toList()).isEmpty();
    }
  }

  @Test
  void checkCreatesNothingAndRefusesAFileWhereADirectoryBelongs() throws IOException {
    ArchiveRoot root = ArchiveRoot.open(tmp.resolve("root"), notices::add);
    root.check(Path.of("acct/2026"));
    assertThat(root.real().resolve("acct")).doesNotExist();
    Files.writeString(root.real().resolve("acct"), "x");
    assertThatThrownBy(() -> root.directory(Path.of("acct/2026")))
        .isInstanceOf(NotDirectoryException.class);
  }

  @Test
  void aRootThatIsALinkIsResolvedOnce() throws IOException {
    Path real = Files.createDirectories(tmp.resolve("disk/popvault"));
    Path link = Files.createSymbolicLink(tmp.resolve("link"), real);
    ArchiveRoot root = ArchiveRoot.open(link, notices::add);
    assertThat(root.real()).isEqualTo(real.toRealPath());
    assertThat(root.given()).isEqualTo(link);
    root.open(Path.of("acct/f")).close();
    assertThat(real.resolve("acct/f")).isRegularFile();
    assertThat(root.relativize(link.resolve("ledger.db"))).contains(Path.of("ledger.db"));
    assertThat(root.relativize(real.resolve("x/ledger.db"))).contains(Path.of("x/ledger.db"));
    assertThat(root.relativize(tmp.resolve("ledger.db"))).isEmpty();
    assertThat(root.relativize(link)).isEmpty();
  }

  @Test
  void aRootThatIsADanglingLinkIsNotCreated() throws IOException {
    Path link = Files.createSymbolicLink(tmp.resolve("link"), tmp.resolve("unmounted/popvault"));
    assertThatThrownBy(() -> ArchiveRoot.open(link, notices::add))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("does not exist");
    assertThat(tmp.resolve("unmounted")).doesNotExist();
  }

  @Test
  void refusesPathsThatClimbOut() throws IOException {
    ArchiveRoot root = ArchiveRoot.open(tmp.resolve("root"), notices::add);
    for (String bad : List.of("../x", "a/../../x", "/etc/passwd", "", "a/./b")) {
      assertThatThrownBy(() -> root.open(Path.of(bad)))
          .as(bad)
          .isInstanceOf(IllegalArgumentException.class);
    }
  }

  @Test
  void replacesAFileAtomicallyThroughATemporaryFileBesideIt() throws IOException {
    ArchiveRoot root = ArchiveRoot.open(tmp.resolve("root"), notices::add);
    Path target = Path.of("acct/2026/2026-01.mbox.zst");
    try (FileChannel c = root.open(target)) {
      c.write(ByteBuffer.wrap("old".getBytes(StandardCharsets.US_ASCII)));
    }
    Path temp = root.createTempNextTo(target);
    assertThat(temp.getParent()).isEqualTo(target.getParent());
    assertThat(temp.getFileName().toString()).startsWith(".2026-01.mbox.zst.").endsWith(".tmp");
    assertThat(mode(root.real().resolve(temp))).isEqualTo("rw-------");
    try (FileChannel c = root.open(temp)) {
      c.write(ByteBuffer.wrap("new".getBytes(StandardCharsets.US_ASCII)));
      c.force(true);
    }
    root.moveAtomically(temp, target);
    assertThat(Files.readString(root.real().resolve(target))).isEqualTo("new");
    assertThat(root.real().resolve(temp)).doesNotExist();
    assertThat(mode(root.real().resolve(target))).isEqualTo("rw-------");

    // A link at the target's place is replaced itself, never followed.
    Path outside = Files.writeString(tmp.resolve("outside-file"), "keep");
    Path linked = Path.of("acct/linked");
    Files.createSymbolicLink(root.real().resolve(linked), outside);
    Path temp2 = root.createTempNextTo(linked);
    root.moveAtomically(temp2, linked);
    assertThat(Files.isSymbolicLink(root.real().resolve(linked))).isFalse();
    assertThat(Files.readString(outside)).isEqualTo("keep");
  }
}
