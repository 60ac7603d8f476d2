package dev.popvault.archive;

import java.io.Closeable;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

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
   * Opens the file for appending as {@link #openForAppend(ArchiveRoot, Path, Codec, long)} does,
   * with the file's own directory as the boundary (created 0700 if missing, its mode left alone).
   */
  public static ArchiveFile openForAppend(Path path, Codec codec, long committedLength)
      throws IOException {
    Objects.requireNonNull(path, "path");
    Path absolute = path.toAbsolutePath();
    if (committedLength > 0 && !Files.exists(absolute)) {
      // Before the root is opened: that would create the missing directory.
      throw missing(absolute, committedLength);
    }
    ArchiveRoot root = ArchiveRoot.openShared(absolute.getParent(), note -> {});
    return openForAppend(root, absolute.getFileName(), codec, committedLength);
  }

  /**
   * Opens the file {@code relative} inside {@code root} for appending, creating it 0600 (and
   * missing directories 0700); no symbolic link leads it outside the root (M9). Bytes past {@code
   * committedLength} are a torn tail of an interrupted run: they are cut off (truncate + force)
   * before anything is appended.
   *
   * @throws ArchiveCorruptException if the file is shorter than {@code committedLength} (or missing
   *     while {@code committedLength > 0}): committed mail is gone, and appending would hide it
   * @throws UnsafePathException if a link leads outside the root, or a loose mode cannot be fixed
   */
  public static ArchiveFile openForAppend(
      ArchiveRoot root, Path relative, Codec codec, long committedLength) throws IOException {
    Objects.requireNonNull(root, "root");
    Objects.requireNonNull(codec, "codec");
    if (committedLength < 0) {
      throw new IllegalArgumentException("negative committed length: " + committedLength);
    }
    Path path = root.shown(relative);
    if (committedLength > 0 && !Files.exists(path)) {
      throw missing(path, committedLength);
    }
    FileChannel channel = root.open(relative);
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

  private static ArchiveCorruptException missing(Path path, long committedLength) {
    return new ArchiveCorruptException(
        path + ": archive file is missing but " + committedLength + " bytes are committed");
  }

  /** Returns how many torn-tail bytes {@link #openForAppend} cut off (0 if none). */
  public long truncatedBytes() {
    return truncatedBytes;
  }

  /** Returns the current end of the file: the committed length plus every frame finished since. */
  public long length() {
    return length;
  }

  /** Returns the path this file was opened with (under the root as the user named it). */
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
