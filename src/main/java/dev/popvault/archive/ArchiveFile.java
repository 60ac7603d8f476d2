package dev.popvault.archive;

import java.io.Closeable;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Objects;
import java.util.Set;

/**
 * Appends frames to one archive file. Not thread-safe; one writer per file (the caller holds a
 * lock). A finished frame may be verified on another thread while the next one is written ({@link
 * FrameWriter#verify}).
 *
 * <p>Only bytes up to the committed length (as the ledger records it) are trusted; everything past
 * it is the torn tail of an interrupted run and is cut off on open. {@link #length} advances when a
 * frame is finished; it falls back when a frame is aborted.
 */
public final class ArchiveFile implements Closeable {
  private final Path path;
  private final Codec codec;
  private final FileChannel channel;
  private final long truncatedBytes;
  private long length;
  private FrameWriter open;
  private FrameWriter last;
  // The frame before `last`, so that after aborting `last` its predecessor (finished, perhaps still
  // being verified) can be aborted too. One level is enough: at most two frames are unrecorded.
  private FrameWriter beforeLast;
  private boolean closed;

  private ArchiveFile(Path path, Codec codec, FileChannel channel, long length, long truncated) {
    this.path = path;
    this.codec = codec;
    this.channel = channel;
    this.length = length;
    this.truncatedBytes = truncated;
  }

  /**
   * Opens the file for appending, creating it 0600 (and missing parent directories 0700). Bytes
   * past {@code committedLength} are a torn tail of an interrupted run: they are cut off (truncate
   * + force) before anything is appended.
   *
   * @throws ArchiveCorruptException if the file is shorter than {@code committedLength} (or missing
   *     while {@code committedLength > 0}): committed mail is gone, and appending would hide it
   */
  public static ArchiveFile openForAppend(Path path, Codec codec, long committedLength)
      throws IOException {
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(codec, "codec");
    if (committedLength < 0) {
      throw new IllegalArgumentException("negative committed length: " + committedLength);
    }
    if (committedLength > 0 && !Files.exists(path)) {
      throw new ArchiveCorruptException(
          path + ": archive file is missing but " + committedLength + " bytes are committed");
    }
    FileChannel channel = openOrCreate(path);
    try {
      long size = channel.size();
      if (size < committedLength) {
        throw new ArchiveCorruptException(
            path
                + ": file is "
                + (committedLength - size)
                + " bytes shorter than committed length "
                + committedLength);
      }
      long cut = size - committedLength;
      if (cut > 0) {
        channel.truncate(committedLength);
        channel.force(true);
      }
      return new ArchiveFile(path, codec, channel, committedLength, cut);
    } catch (IOException | RuntimeException e) {
      try {
        channel.close();
      } catch (IOException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw e;
    }
  }

  private static FileChannel openOrCreate(Path path) throws IOException {
    Path abs = path.toAbsolutePath();
    createParents(abs.getParent());
    try {
      FileChannel c =
          FileChannel.open(
              abs,
              Set.of(
                  StandardOpenOption.CREATE_NEW, StandardOpenOption.READ, StandardOpenOption.WRITE),
              attributes(abs, "rw-------"));
      // The new directory entry must survive a crash as surely as the data written into it.
      forceDirectory(abs.getParent());
      return c;
    } catch (FileAlreadyExistsException e) {
      return FileChannel.open(abs, StandardOpenOption.READ, StandardOpenOption.WRITE);
    }
  }

  /** Creates missing directories one by one, 0700, forcing each one's parent after creating it. */
  private static void createParents(Path dir) throws IOException {
    Deque<Path> missing = new ArrayDeque<>();
    for (Path d = dir; d != null && !Files.isDirectory(d); d = d.getParent()) {
      missing.push(d);
    }
    while (!missing.isEmpty()) {
      Path d = missing.pop();
      try {
        Files.createDirectory(d, attributes(d, "rwx------"));
        forceDirectory(d.getParent());
      } catch (FileAlreadyExistsException e) {
        if (!Files.isDirectory(d)) {
          throw e;
        }
      }
    }
  }

  private static FileAttribute<?>[] attributes(Path p, String perms) {
    if (!p.getFileSystem().supportedFileAttributeViews().contains("posix")) {
      return new FileAttribute<?>[0];
    }
    return new FileAttribute<?>[] {
      PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString(perms))
    };
  }

  /** Forces a directory's entries to disk; file systems that refuse it are ignored. */
  static void forceDirectory(Path dir) {
    if (dir == null) {
      return;
    }
    try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
      d.force(true);
    } catch (NoSuchFileException e) {
      // Nothing to force.
    } catch (IOException e) {
      // Some file systems refuse fsync on a directory; the file data itself is still forced.
    }
  }

  /** Returns how many torn-tail bytes {@link #openForAppend} cut off (0 if none). */
  public long truncatedBytes() {
    return truncatedBytes;
  }

  /** Returns the current end of the file: the committed length plus every frame finished since. */
  public long length() {
    return length;
  }

  /** Returns the path this file was opened with. */
  public Path path() {
    return path;
  }

  /** Returns the codec of this file's frames. */
  public Codec codec() {
    return codec;
  }

  /**
   * Starts a new frame at the current end. Only one frame may be open at a time.
   *
   * @throws IllegalStateException if a frame is open or the file is closed
   */
  public FrameWriter beginFrame() throws IOException {
    if (closed) {
      throw new IllegalStateException("archive file is closed");
    }
    if (open != null) {
      throw new IllegalStateException("a frame is already open at offset " + open.frameOffset());
    }
    open = new FrameWriter(this, channel, length);
    beforeLast = last;
    last = open;
    return open;
  }

  void frameFinished(FrameWriter frame, long end) {
    open = null;
    length = end;
  }

  void frameAborted(FrameWriter frame) {
    if (open == frame) {
      open = null;
    }
    if (last == frame) {
      last = beforeLast;
      beforeLast = null;
    }
    length = frame.frameOffset();
  }

  boolean isLast(FrameWriter frame) {
    return last == frame;
  }

  boolean isClosed() {
    return closed;
  }

  /**
   * Closes the file. A frame still open is aborted first (cut off and forced), so a file closed
   * with an unfinished frame ends where the last finished frame ends.
   */
  @Override
  public void close() throws IOException {
    if (closed) {
      return;
    }
    try {
      if (open != null) {
        open.abort();
      }
    } finally {
      closed = true;
      channel.close();
    }
  }
}
