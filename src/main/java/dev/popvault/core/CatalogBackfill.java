package dev.popvault.core;

import dev.popvault.ledger.CatalogAddresses;
import dev.popvault.ledger.CatalogEntry;
import dev.popvault.ledger.Ledger;
import dev.popvault.ledger.LedgerException;
import dev.popvault.mime.HeaderCapture;
import dev.popvault.mime.HeaderSummary;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Completes the catalog for messages archived before it kept To and Cc: reads their header sections
 * back from the archive (frame by frame) and records them. Runs before a search or an export reads
 * the catalog; once done it finds nothing to do. A message whose copy does not read back stays as
 * it was (search still finds it by From, Subject and Message-ID).
 */
final class CatalogBackfill {
  private static final int BATCH = 2_000;

  private CatalogBackfill() {}

  /** Fills what is missing in {@code ledger} from {@code archiveDir}; returns how many it read. */
  static long fill(Ledger ledger, Path archiveDir, Consumer<String> notices)
      throws LedgerException, IOException {
    long missing = ledger.uncatalogedCount();
    if (missing == 0) {
      return 0;
    }
    notices.accept(
        "catalog: reading To and Cc of " + missing + " message(s) archived before they were kept");
    long done = 0;
    Set<Long> unreadable = new HashSet<>();
    while (true) {
      List<CatalogEntry> batch =
          ledger.uncataloged(BATCH + unreadable.size()).stream()
              .filter(e -> !unreadable.contains(e.id()))
              .toList();
      if (batch.isEmpty()) {
        break;
      }
      List<CatalogAddresses> read = new ArrayList<>();
      ArchivedReads.forEach(
          archiveDir,
          batch,
          (entry, encoded, frame) -> {
            // The header section is all that is needed: read up to the capture's limit only (the
            // rest of the message is skipped when the next one is asked for).
            HeaderCapture capture = new HeaderCapture(frame.message(encoded));
            capture.readNBytes(HeaderCapture.LIMIT);
            HeaderSummary h = capture.summary();
            read.add(new CatalogAddresses(entry.id(), h.to(), h.cc()));
          },
          (entry, why) -> unreadable.add(entry.id()));
      ledger.recordAddresses(read);
      done += read.size();
      if (read.isEmpty()) {
        break;
      }
    }
    if (!unreadable.isEmpty()) {
      notices.accept(
          "catalog: "
              + unreadable.size()
              + " message(s) did not read back; `popvault verify` says why");
    }
    return done;
  }
}
