package dev.popvault.archive;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HexFormat;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The archive directory as a write boundary (M9): every directory and file popvault creates or
 * opens for writing below it is reached through here, by a path relative to it.
 *
 * <p>The root itself may be a symbolic link the user chose (say to a backup disk); it is resolved
 * once, when opened, and where it leads is the boundary. Below it, each component is looked at
 * without following links ({@link LinkOption#NOFOLLOW_LINKS}); a symbolic link is accepted only if
 * it resolves inside the boundary, and then its target is used. A link that leads outside, or to
 * nothing, is refused with an {@link UnsafePathException}, before anything is written.
 *
 * <p>Directories reached are 0700 and files 0600: new ones are created so, and existing ones with
 * another mode are set so (with a one-line notice) if they belong to the user running popvault, and
 * refused otherwise. On a file system without POSIX permissions modes are left alone.
 *
 * <p>The checks and the writes are separate system calls, so a process that can change the tree
 * between them could still redirect a write; the boundary protects against links and modes left in
 * place (by the user, a restore or a copy), not against another process of the same user racing
 * popvault. Thread-safe: concurrent runs of several accounts may share one root.
 */
public final class ArchiveRoot {
  static final Set<PosixFilePermission> DIR_MODE = PosixFilePermissions.fromString("rwx------");
  static final Set<PosixFilePermission> FILE_MODE = PosixFilePermissions.fromString("rw-------");
  private static final SecureRandom RANDOM = new SecureRandom();

  private final Path given;
  private final Path real;
  private final Consumer<String> notices;
  private final boolean posix;

  private ArchiveRoot(Path given, Path real, Consumer<String> notices) {
    this.given = given;
    this.real = real;
    this.notices = notices;
    this.posix = real.getFileSystem().supportedFileAttributeViews().contains("posix");
  }

  /**
   * Opens the archive directory {@code dir} as a boundary: creates it and its missing parents
   * (0700) if needed, resolves it once, and makes the directory itself 0700.
   *
   * @param notices receives one line for every mode that is changed
   * @throws UnsafePathException if the directory has a loose mode and belongs to another user
   * @throws IOException if it cannot be created, or is a symbolic link to nothing
   */
  public static ArchiveRoot open(Path dir, Consumer<String> notices) throws IOException {
    ArchiveRoot root = resolve(dir, notices);
    root.enforceMode(root.real, root.given, true, true);
    return root;
  }

  /**
   * Opens {@code dir} as a boundary like {@link #open} but leaves the mode of {@code dir} itself
   * alone: for a directory that the user shares with other things, such as the directory of a
   * ledger kept outside the archive directory.
   */
  public static ArchiveRoot openShared(Path dir, Consumer<String> notices) throws IOException {
    return resolve(dir, notices);
  }

  private static ArchiveRoot resolve(Path dir, Consumer<String> notices) throws IOException {
    Objects.requireNonNull(notices, "notices");
    Path given = dir.toAbsolutePath().normalize();
    if (Files.isSymbolicLink(given) && !Files.exists(given)) {
      // Never create what a dangling link names: it is most likely a backup disk not mounted.
      throw new IOException(
          given
              + " is a symbolic link to "
              + Files.readSymbolicLink(given)
              + ", which does not exist (is a disk not mounted?)");
    }
    createMissing(given);
    Path real = given.toRealPath();
    if (!Files.isDirectory(real)) {
      throw new NotDirectoryException(given.toString());
    }
    return new ArchiveRoot(given, real, notices);
  }

  /** Creates {@code dir} and its missing parents one by one, 0700, forcing each one's parent. */
  private static void createMissing(Path dir) throws IOException {
    Deque<Path> missing = new ArrayDeque<>();
    for (Path d = dir; d != null && !Files.isDirectory(d); d = d.getParent()) {
      missing.push(d);
    }
    while (!missing.isEmpty()) {
      Path d = missing.pop();
      try {
        Files.createDirectory(d, attributes(d, DIR_MODE));
        forceDirectory(d.getParent());
      } catch (FileAlreadyExistsException e) {
        if (!Files.isDirectory(d)) {
          throw new NotDirectoryException(d.toString());
        }
      }
    }
  }

  /** Returns the archive directory as the user named it (absolute): for messages. */
  public Path given() {
    return given;
  }

  /** Returns where the archive directory really is: the boundary. */
  public Path real() {
    return real;
  }

  /** Returns {@code relative} as the user would see it (under {@link #given()}): for messages. */
  public Path shown(Path relative) {
    return given.resolve(checkRelative(relative));
  }

  /**
   * Returns {@code path} relative to this root if it names a place below it, by its spelling (under
   * {@link #given()} or {@link #real()}); empty otherwise, or if it is the root itself. Says
   * nothing about links: the place must still be reached through this root's methods.
   */
  public Optional<Path> relativize(Path path) {
    Path p = path.toAbsolutePath().normalize();
    for (Path base : new Path[] {given, real}) {
      if (p.startsWith(base) && !p.equals(base)) {
        return Optional.of(base.relativize(p));
      }
    }
    return Optional.empty();
  }

  /**
   * Returns the real path of the directory {@code relative}, creating each missing component 0700
   * and making each existing one 0700.
   *
   * @throws UnsafePathException if a component is a link leading outside or to nothing, or has a
   *     loose mode and belongs to another user
   * @throws NotDirectoryException if a component is not a directory
   */
  public Path directory(Path relative) throws IOException {
    return walk(relative, true);
  }

  /**
   * Checks the components of the directory {@code relative} that exist, as {@link #directory} does,
   * and creates nothing: for refusing a run before it writes anything.
   *
   * @throws UnsafePathException as for {@link #directory}
   */
  public void check(Path relative) throws IOException {
    walk(relative, false);
  }

  /** Walks {@code relative} component by component; returns null at a missing one unless create. */
  private Path walk(Path relative, boolean create) throws IOException {
    Path dir = real;
    Path shown = given;
    for (Path name : checkRelative(relative)) {
      Path next = dir.resolve(name);
      shown = shown.resolve(name);
      Path reached = reach(next, shown, true);
      if (reached == null) {
        if (!create) {
          return null;
        }
        try {
          Files.createDirectory(next, attributes(next, DIR_MODE));
          forceDirectory(dir);
          enforceMode(next, shown, true, false);
          reached = next;
        } catch (FileAlreadyExistsException raced) {
          reached = reach(next, shown, true);
          if (reached == null) {
            throw raced;
          }
        }
      }
      dir = reached;
    }
    return dir;
  }

  /**
   * Prepares the file {@code relative} for writing without opening it: creates its directories
   * (0700), checks an existing entry (a regular file, or a link to one inside the root) and makes
   * it 0600. Returns its real path, where it is or will be created; for files that another library
   * opens (the ledger and its -wal and -shm files).
   *
   * @throws UnsafePathException as for {@link #directory}
   */
  public Path file(Path relative) throws IOException {
    Path rel = checkRelative(relative);
    Path dir = rel.getParent() == null ? real : directory(rel.getParent());
    Path entry = dir.resolve(rel.getFileName());
    Path reached = reach(entry, shown(rel), false);
    return reached == null ? entry : reached;
  }

  /**
   * Opens the file {@code relative} for reading and writing, creating it 0600 if missing (and its
   * directories 0700). A new file's directory entry is forced to disk, so it survives a crash as
   * surely as the data later forced into it.
   *
   * @throws UnsafePathException as for {@link #directory}
   */
  public FileChannel open(Path relative) throws IOException {
    Path rel = checkRelative(relative);
    Path dir = rel.getParent() == null ? real : directory(rel.getParent());
    Path entry = dir.resolve(rel.getFileName());
    Path shown = shown(rel);
    try {
      FileChannel c =
          FileChannel.open(
              entry,
              Set.<OpenOption>of(
                  StandardOpenOption.CREATE_NEW,
                  StandardOpenOption.READ,
                  StandardOpenOption.WRITE,
                  LinkOption.NOFOLLOW_LINKS),
              attributes(entry, FILE_MODE));
      forceDirectory(dir);
      enforceMode(entry, shown, false, false);
      return c;
    } catch (FileAlreadyExistsException e) {
      Path reached = reach(entry, shown, false);
      if (reached == null) {
        throw e;
      }
      return FileChannel.open(
          reached, StandardOpenOption.READ, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);
    }
  }

  /**
   * Creates a new, empty temporary file (0600) in the directory of {@code relativeTarget}, named
   * {@code .NAME.RANDOM.tmp}, and returns its path relative to this root. Write it through {@link
   * #open}, force it, then {@link #moveAtomically} it over the target; a crash before that leaves
   * only the temporary file, never a half-written target.
   */
  public Path createTempNextTo(Path relativeTarget) throws IOException {
    Path rel = checkRelative(relativeTarget);
    Path dir = rel.getParent() == null ? real : directory(rel.getParent());
    for (int attempt = 0; ; attempt++) {
      byte[] random = new byte[6];
      RANDOM.nextBytes(random);
      String name = "." + rel.getFileName() + "." + HexFormat.of().formatHex(random) + ".tmp";
      Path entry = dir.resolve(name);
      try {
        FileChannel.open(
                entry,
                Set.<OpenOption>of(
                    StandardOpenOption.CREATE_NEW,
                    StandardOpenOption.WRITE,
                    LinkOption.NOFOLLOW_LINKS),
                attributes(entry, FILE_MODE))
            .close();
      } catch (FileAlreadyExistsException e) {
        if (attempt < 10) {
          continue;
        }
        throw e;
      }
      Path relTemp = rel.getParent() == null ? Path.of(name) : rel.getParent().resolve(name);
      enforceMode(entry, shown(relTemp), false, false);
      return relTemp;
    }
  }

  /**
   * Renames {@code relativeFrom} to {@code relativeTo} atomically (rename(2): a reader sees the old
   * target or the new one, never a mix), replacing an existing target, then forces the directories
   * involved so the rename survives a crash. Both places must be inside this root; a link at the
   * target's place is replaced itself, never followed.
   *
   * @throws AtomicMoveNotSupportedException if the two lie on different file systems
   * @throws UnsafePathException as for {@link #directory}
   */
  public void moveAtomically(Path relativeFrom, Path relativeTo) throws IOException {
    Path from = file(relativeFrom);
    Path to = checkRelative(relativeTo);
    Path toDir = to.getParent() == null ? real : directory(to.getParent());
    Path target = toDir.resolve(to.getFileName());
    BasicFileAttributes existing = attributes(target);
    if (existing != null && existing.isDirectory()) {
      throw new FileSystemException(shown(to).toString(), null, "is a directory");
    }
    Files.move(from, target, StandardCopyOption.ATOMIC_MOVE);
    forceDirectory(toDir);
    if (!from.getParent().equals(toDir)) {
      forceDirectory(from.getParent());
    }
  }

  /**
   * Looks at {@code entry} without following links. Returns null if it does not exist; else the
   * real path to use: the entry itself, or where a link inside the root leads. Checks the kind and
   * makes the mode private.
   */
  private Path reach(Path entry, Path shown, boolean wantDirectory) throws IOException {
    BasicFileAttributes a = attributes(entry);
    if (a == null) {
      return null;
    }
    Path reached = entry;
    if (a.isSymbolicLink()) {
      Path target;
      try {
        target = entry.toRealPath();
      } catch (NoSuchFileException e) {
        throw new UnsafePathException(
            shown
                + " is a symbolic link to "
                + Files.readSymbolicLink(entry)
                + ", which does not exist; popvault does not create what a link names: remove the"
                + " link or make it point to a "
                + (wantDirectory ? "directory" : "file")
                + " inside the archive directory "
                + given);
      }
      if (!target.startsWith(real)) {
        throw new UnsafePathException(
            shown
                + " is a symbolic link to "
                + target
                + ", outside the archive directory "
                + given
                + "; popvault writes only inside it: replace the link with a real "
                + (wantDirectory ? "directory" : "file")
                + ", or point --archive-dir at the other place");
      }
      reached = target;
      a = attributes(target);
      if (a == null) {
        throw new NoSuchFileException(shown.toString());
      }
    }
    if (wantDirectory && !a.isDirectory()) {
      throw new NotDirectoryException(shown.toString());
    }
    if (!wantDirectory && !a.isRegularFile()) {
      throw new FileSystemException(shown.toString(), null, "not a regular file");
    }
    enforceMode(reached, shown, wantDirectory, true);
    return reached;
  }

  /**
   * Sets the mode of {@code path} (not followed if a link) to 0700 or 0600 if it differs, when it
   * belongs to the user running popvault; refuses otherwise.
   */
  private void enforceMode(Path path, Path shown, boolean directory, boolean announce)
      throws IOException {
    if (!posix) {
      return;
    }
    Set<PosixFilePermission> want = directory ? DIR_MODE : FILE_MODE;
    PosixFileAttributeView view =
        Files.getFileAttributeView(path, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS);
    PosixFileAttributes a = view.readAttributes();
    if (a.permissions().equals(want)) {
      return;
    }
    String was = octal(a.permissions());
    OptionalOwner owner = OptionalOwner.of(path);
    if (owner.known() && owner.uid() != CurrentUser.uid()) {
      throw new UnsafePathException(
          shown
              + " has mode "
              + was
              + " and belongs to another user (uid "
              + owner.uid()
              + "); popvault keeps its "
              + (directory ? "directories 0700" : "files 0600")
              + ": have its owner run chmod "
              + (directory ? "700" : "600")
              + " on it, or make it yours with chown");
    }
    view.setPermissions(want);
    if (announce) {
      notices.accept(
          "made " + shown + " private: mode " + was + " -> " + (directory ? "0700" : "0600"));
    }
  }

  /** Forces a directory's entries to disk; file systems that refuse it are ignored. */
  static void forceDirectory(Path dir) {
    if (dir == null) {
      return;
    }
    try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
      d.force(true);
    } catch (IOException e) {
      // Missing, or a file system that refuses fsync on a directory: the file data is still forced.
    }
  }

  private static Path checkRelative(Path relative) {
    Objects.requireNonNull(relative, "relative");
    if (relative.isAbsolute() || relative.getNameCount() == 0 || relative.toString().isEmpty()) {
      throw new IllegalArgumentException("not a relative path inside the root: " + relative);
    }
    for (Path name : relative) {
      String s = name.toString();
      if (s.isEmpty() || s.equals(".") || s.equals("..")) {
        throw new IllegalArgumentException("not a relative path inside the root: " + relative);
      }
    }
    return relative;
  }

  private static BasicFileAttributes attributes(Path p) throws IOException {
    try {
      return Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    } catch (NoSuchFileException e) {
      return null;
    }
  }

  private static FileAttribute<?>[] attributes(Path p, Set<PosixFilePermission> mode) {
    if (!p.getFileSystem().supportedFileAttributeViews().contains("posix")) {
      return new FileAttribute<?>[0];
    }
    return new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(mode)};
  }

  private static String octal(Set<PosixFilePermission> mode) {
    int bits = 0;
    for (PosixFilePermission p : mode) {
      bits |= 1 << (8 - p.ordinal());
    }
    return String.format("%04o", bits);
  }

  /** The owner of a file by uid, where the file system tells it ("unix" attribute view). */
  private record OptionalOwner(boolean known, long uid) {
    static OptionalOwner of(Path path) throws IOException {
      if (!path.getFileSystem().supportedFileAttributeViews().contains("unix")) {
        return new OptionalOwner(false, -1);
      }
      Object uid = Files.getAttribute(path, "unix:uid", LinkOption.NOFOLLOW_LINKS);
      return new OptionalOwner(true, ((Number) uid).longValue());
    }
  }

  /** The uid this process runs as. */
  private static final class CurrentUser {
    private static final long UID = new com.sun.security.auth.module.UnixSystem().getUid();

    static long uid() {
      return UID;
    }
  }
}
