package dev.popvault.core;

import dev.popvault.ledger.CatalogEntry;
import dev.popvault.ledger.CatalogFilter;
import dev.popvault.ledger.Ledger;
import dev.popvault.ledger.LedgerException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The {@code search} use case, and the selection {@code export} shares: completes the catalog
 * ({@link CatalogBackfill}), asks each place's ledger for the messages the query names, and with a
 * body text also reads those messages back, frame by frame, keeping the ones whose bytes contain
 * it.
 */
public final class CatalogSearch {
  /** One message found: its catalog fields for display, and (for export) where it lives. */
  public static final class Hit {
    private final ArchivePlace place;
    private final CatalogEntry entry;

    Hit(ArchivePlace place, CatalogEntry entry) {
      this.place = place;
      this.entry = entry;
    }

    ArchivePlace place() {
      return place;
    }

    CatalogEntry entry() {
      return entry;
    }

    public String account() {
      return entry.stored().account();
    }

    public String uidl() {
      return entry.stored().uidl();
    }

    public String messageId() {
      return entry.stored().messageId();
    }

    /** The bytes the server sent. */
    public long size() {
      return entry.stored().wireLength();
    }

    /** The Date header as sent (may be null). */
    public String dateText() {
      return entry.date();
    }

    /** The Date header's instant, or null when absent or unreadable. */
    public Instant date() {
      return entry.dateMillis() == null ? null : Instant.ofEpochMilli(entry.dateMillis());
    }

    public String from() {
      return entry.from();
    }

    public String to() {
      return entry.to();
    }

    public String cc() {
      return entry.cc();
    }

    public String subject() {
      return entry.subject();
    }

    public Instant archivedAt() {
      return entry.archivedAt();
    }
  }

  /** What a search found, and the messages whose copies did not read back during it. */
  public record Result(List<Hit> hits, List<String> damaged) {}

  private CatalogSearch() {}

  /**
   * Finds the messages {@code query} names in {@code places}, oldest Date first (undated last), at
   * most {@code limit}; with {@code body} not null only those whose bytes contain it (ASCII letters
   * in any case; the text of base64 or quoted-printable parts is not decoded).
   */
  public static Result find(
      List<ArchivePlace> places,
      CatalogQuery query,
      String body,
      int limit,
      Consumer<String> notices) {
    try {
      List<Hit> hits = new ArrayList<>();
      List<String> damaged = new ArrayList<>();
      for (ArchivePlace place : places) {
        CatalogFilter filter = query.filter(place.account());
        if (filter == null || !Files.exists(place.ledger())) {
          continue;
        }
        try (Ledger ledger = Ledger.open(place.ledger())) {
          CatalogBackfill.fill(ledger, place.archiveDir(), notices);
          List<CatalogEntry> found =
              ledger.search(filter, body == null ? limit : Integer.MAX_VALUE);
          if (body != null) {
            found = containing(place, found, body, limit, damaged);
          }
          for (CatalogEntry e : found) {
            hits.add(new Hit(place, e));
          }
        }
      }
      hits.sort(
          Comparator.comparing((Hit h) -> h.entry().dateMillis() == null)
              .thenComparing(h -> h.entry().dateMillis(), Comparator.nullsLast(Long::compare))
              .thenComparing(h -> h.entry().archivedAt()));
      return new Result(hits.size() > limit ? hits.subList(0, limit) : hits, damaged);
    } catch (LedgerException e) {
      throw Failures.translate(e);
    } catch (IOException e) {
      throw Failures.ofIo(e);
    }
  }

  private static List<CatalogEntry> containing(
      ArchivePlace place,
      List<CatalogEntry> candidates,
      String body,
      int limit,
      List<String> damaged)
      throws IOException {
    byte[] needle = body.toLowerCase(Locale.ROOT).getBytes(StandardCharsets.UTF_8);
    Set<Long> matching = new HashSet<>();
    ArchivedReads.forEach(
        place.archiveDir(),
        candidates,
        (entry, encoded, frame) -> {
          try (InputStream in = frame.message(encoded)) {
            if (contains(in, needle)) {
              matching.add(entry.id());
            }
          }
        },
        (entry, why) ->
            damaged.add(entry.stored().account() + " " + entry.stored().uidl() + ": " + why));
    List<CatalogEntry> kept = new ArrayList<>();
    for (CatalogEntry e : candidates) {
      if (matching.contains(e.id()) && kept.size() < limit) {
        kept.add(e);
      }
    }
    return kept;
  }

  /**
   * Streams {@code in} looking for {@code lowerNeedle}, ASCII letters folded to lower case; reads
   * to the end either way, so the copy is checked against its SHA-256 (a damaged one throws).
   */
  static boolean contains(InputStream in, byte[] lowerNeedle) throws IOException {
    if (lowerNeedle.length == 0) {
      in.transferTo(java.io.OutputStream.nullOutputStream());
      return true;
    }
    byte[] buffer = new byte[64 * 1024];
    // The last needle-length-1 bytes of the previous chunk, so a match may span two reads.
    byte[] window = new byte[buffer.length + lowerNeedle.length];
    int carried = 0;
    boolean found = false;
    for (int n; (n = in.read(buffer)) != -1; ) {
      if (found) {
        continue;
      }
      System.arraycopy(buffer, 0, window, carried, n);
      int length = carried + n;
      for (int i = 0; i + lowerNeedle.length <= length && !found; i++) {
        int k = 0;
        while (k < lowerNeedle.length && lower(window[i + k]) == lowerNeedle[k]) {
          k++;
        }
        found = k == lowerNeedle.length;
      }
      carried = Math.min(lowerNeedle.length - 1, length);
      System.arraycopy(window, length - carried, window, 0, carried);
    }
    return found;
  }

  private static byte lower(byte b) {
    return b >= 'A' && b <= 'Z' ? (byte) (b + ('a' - 'A')) : b;
  }
}
