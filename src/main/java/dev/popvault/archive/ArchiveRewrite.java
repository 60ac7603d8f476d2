package dev.popvault.archive;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * The file side of a repair: a damaged archive file is rewritten beside itself from its intact
 * frames (copied byte for byte: frames are independent, so a copied frame decodes as before) plus
 * fresh frames, then swapped in by renames. The caller records the rewrite in the ledger between
 * {@link #copyFrames} (plus appending and verifying) and {@link #swapIn}, so that a crash at any
 * point leaves either the old file with the old ledger, or a recorded rewrite that {@link #swapIn}
 * (idempotent) finishes.
 */
public final class ArchiveRewrite {
  private ArchiveRewrite() {}

  /** A byte range of the source file, a frame to keep. */
  public record Range(long offset, long length) {}

  /**
   * Creates {@code target} anew inside {@code root} (0600; a stale one from an interrupted repair
   * is removed first) and copies {@code ranges} of {@code source} into it back to back, then forces
   * it. Both paths are relative to {@code root}, which refuses a link that leads outside (M9).
   *
   * @param source the damaged file; may be missing only if {@code ranges} is empty
   * @return the new offset of each range, in order
   */
  public static List<Long> copyFrames(
      ArchiveRoot root, Path source, Path target, List<Range> ranges) throws IOException {
    Files.deleteIfExists(root.file(target));
    List<Long> offsets = new ArrayList<>(ranges.size());
    try (FileChannel out = root.open(target)) {
      if (!ranges.isEmpty()) {
        try (FileChannel in = FileChannel.open(root.file(source), StandardOpenOption.READ)) {
          long position = 0;
          for (Range r : ranges) {
            offsets.add(position);
            long done = 0;
            while (done < r.length()) {
              long n = in.transferTo(r.offset() + done, r.length() - done, out);
              if (n <= 0) {
                throw new ArchiveCorruptException(
                    root.shown(source)
                        + ": frame at offset "
                        + r.offset()
                        + " ends past the end of the file");
              }
              done += n;
            }
            position += r.length();
          }
        }
      }
      out.force(true);
    }
    return offsets;
  }

  /**
   * Puts a recorded rewrite in place: moves {@code path} (the damaged original) to {@code aside} if
   * it is still there and {@code replacement} is waiting, then renames {@code replacement} to
   * {@code path}; each rename is atomic and forced to disk. Does nothing for the steps already
   * done, so it can be called again after a crash. All paths are relative to {@code root}.
   *
   * @param aside where the original goes; null if the original was missing
   */
  public static void swapIn(ArchiveRoot root, Path path, Path replacement, Path aside)
      throws IOException {
    if (!Files.exists(root.file(replacement), LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    if (aside != null
        && Files.exists(root.file(path), LinkOption.NOFOLLOW_LINKS)
        && !Files.exists(root.file(aside), LinkOption.NOFOLLOW_LINKS)) {
      root.moveAtomically(path, aside);
    }
    // Otherwise the rename below replaces the original: either there was none to keep, or it is
    // already aside and this is an earlier attempt's leftover.
    root.moveAtomically(replacement, path);
  }
}
