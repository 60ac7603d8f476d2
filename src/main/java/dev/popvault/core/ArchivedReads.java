package dev.popvault.core;

import dev.popvault.archive.ArchiveCorruptException;
import dev.popvault.archive.Codec;
import dev.popvault.archive.EncodedMessage;
import dev.popvault.archive.FrameMessages;
import dev.popvault.ledger.CatalogEntry;
import dev.popvault.ledger.StoredMessage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Reads many archived messages frame by frame: sorted by file, frame and place in the frame, so
 * that each frame holding a wanted message is decompressed once, and no other frame at all. A
 * message that does not read back (missing file, damaged frame, wrong SHA-256) is reported and the
 * rest go on.
 */
final class ArchivedReads {
  /** Reads one message from its frame, through {@link FrameMessages#message} or its stored form. */
  @FunctionalInterface
  interface Each {
    void read(CatalogEntry entry, EncodedMessage encoded, FrameMessages frame) throws IOException;
  }

  /** Hears of a message that did not read back. */
  @FunctionalInterface
  interface Damage {
    void damaged(CatalogEntry entry, String why);
  }

  private ArchivedReads() {}

  /** Reads {@code entries} in archive order; returns how many frames it decompressed. */
  static int forEach(Path archiveDir, List<CatalogEntry> entries, Each each, Damage damage)
      throws IOException {
    int frames = 0;
    List<CatalogEntry> sorted = new ArrayList<>(entries);
    sorted.sort(
        Comparator.comparing((CatalogEntry e) -> e.stored().relativePath())
            .thenComparingLong(e -> e.stored().frameOffset())
            .thenComparingLong(e -> e.stored().offset()));
    int i = 0;
    while (i < sorted.size()) {
      StoredMessage first = sorted.get(i).stored();
      int end = i;
      while (end < sorted.size() && sameFrame(first, sorted.get(end).stored())) {
        end++;
      }
      readFrame(archiveDir, sorted.subList(i, end), each, damage);
      frames++;
      i = end;
    }
    return frames;
  }

  private static boolean sameFrame(StoredMessage a, StoredMessage b) {
    return a.relativePath().equals(b.relativePath()) && a.frameOffset() == b.frameOffset();
  }

  private static void readFrame(
      Path archiveDir, List<CatalogEntry> inFrame, Each each, Damage damage) throws IOException {
    StoredMessage first = inFrame.get(0).stored();
    Path root = archiveDir.toAbsolutePath().normalize();
    Path file = root.resolve(first.relativePath()).normalize();
    if (!file.startsWith(root) || !Files.isRegularFile(file)) {
      for (CatalogEntry e : inFrame) {
        damage.damaged(e, "archive file " + file + " is missing");
      }
      return;
    }
    Codec codec = Codec.parse(first.codec());
    try (FrameMessages frame =
        FrameMessages.open(file, codec, first.frameOffset(), first.frameLength())) {
      for (CatalogEntry e : inFrame) {
        try {
          each.read(e, encoded(e.stored()), frame);
        } catch (ArchiveCorruptException broken) {
          damage.damaged(e, broken.getMessage());
        }
      }
    } catch (ArchiveCorruptException broken) {
      for (CatalogEntry e : inFrame) {
        damage.damaged(e, broken.getMessage());
      }
    }
  }

  static EncodedMessage encoded(StoredMessage m) {
    return new EncodedMessage(
        m.offset(),
        m.encodedLength(),
        m.wireLength(),
        m.sha256(),
        m.rawFromLine(),
        m.noFinalNewline());
  }
}
