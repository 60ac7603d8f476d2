package dev.popvault.archive;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

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
   * Creates {@code target} anew (0600; a stale one from an interrupted repair is removed first) and
   * copies {@code ranges} of {@code source} into it back to back, then forces it.
   *
   * @param source the damaged file; may be missing only if {@code ranges} is empty
   * @return the new offset of each range, in order
   */
  public static List<Long> copyFrames(Path source, Path target, List<Range> ranges)
      throws IOException {
    Files.deleteIfExists(target);
    List<Long> offsets = new ArrayList<>(ranges.size());
    try (FileChannel out =
        FileChannel.open(
            target,
            Set.of(
                StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS),
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))) {
      if (!ranges.isEmpty()) {
        try (FileChannel in = FileChannel.open(source, StandardOpenOption.READ)) {
          long position = 0;
          for (Range r : ranges) {
            offsets.add(position);
            long done = 0;
            while (done < r.length()) {
              long n = in.transferTo(r.offset() + done, r.length() - done, out);
              if (n <= 0) {
                throw new ArchiveCorruptException(
                    source + ": frame at offset " + r.offset() + " ends past the end of the file");
              }
              done += n;
            }
            position += r.length();
          }
        }
      }
      out.force(true);
    }
    ArchiveFile.forceDirectory(target.toAbsolutePath().getParent());
    return offsets;
  }

  /**
   * Puts a recorded rewrite in place: moves {@code path} (the damaged original) to {@code aside} if
   * it is still there and {@code replacement} is waiting, then renames {@code replacement} to
   * {@code path}, and forces the directory. Does nothing for the steps already done, so it can be
   * called again after a crash.
   *
   * @param aside where the original goes; null if the original was missing
   */
  public static void swapIn(Path path, Path replacement, Path aside) throws IOException {
    if (Files.exists(replacement, LinkOption.NOFOLLOW_LINKS)) {
      if (Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
        if (aside != null && !Files.exists(aside, LinkOption.NOFOLLOW_LINKS)) {
          Files.move(path, aside, StandardCopyOption.ATOMIC_MOVE);
        }
        // Otherwise the rename below replaces it: either there was no original to keep, or the
        // original is already aside and this is an earlier attempt's leftover.
      }
      Files.move(replacement, path, StandardCopyOption.ATOMIC_MOVE);
    }
    ArchiveFile.forceDirectory(path.toAbsolutePath().getParent());
  }
}
