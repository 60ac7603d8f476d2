package dev.popvault.core;

import dev.popvault.archive.ArchiveCorruptException;
import dev.popvault.archive.ArchiveFile;
import dev.popvault.archive.ArchiveReader;
import dev.popvault.archive.ArchiveRewrite;
import dev.popvault.archive.ArchiveRoot;
import dev.popvault.archive.Codec;
import dev.popvault.archive.EncodedMessage;
import dev.popvault.archive.ExpectedFrame;
import dev.popvault.archive.ExpectedMessage;
import dev.popvault.archive.Frame;
import dev.popvault.archive.FrameWriter;
import dev.popvault.ledger.ArchiveFileRow;
import dev.popvault.ledger.ArchivedKey;
import dev.popvault.ledger.FileReplacement;
import dev.popvault.ledger.FrameRow;
import dev.popvault.ledger.Ledger;
import dev.popvault.ledger.LostMessage;
import dev.popvault.ledger.MessageRow;
import dev.popvault.ledger.PendingReplacement;
import dev.popvault.mime.HeaderCapture;
import dev.popvault.mime.HeaderSummary;
import dev.popvault.pop3.Pop3Client;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Re-reads archived copies before they may license a deletion (M7), and repairs damaged archive
 * files. A file with a damaged frame is rewritten beside itself from its intact frames plus fresh
 * copies of the damaged frame's messages — fetched again from the server while it still lists them,
 * otherwise recovered from the damaged copy if they still decode to their SHA-256 — so that every
 * file stays readable from start to end by the standard tools. The rewrite is forced and read back,
 * recorded in the ledger in one transaction, then renamed into place; the damaged original is kept
 * aside. Messages that cannot be recovered are moved to the ledger's lost list and reported by
 * UIDL, Message-ID, Date, From and Subject, never dropped silently.
 *
 * <p>Runs under the account's lock, on the run's own thread; no frame may be open for appending
 * while it rewrites a file.
 */
final class ArchiveRepair {
  private static final DateTimeFormatter STAMP =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

  /**
   * What a check found.
   *
   * @param verified keys whose every archived copy read back intact in this run (or was written
   *     anew and verified in this run): the only keys that may be deleted from the server
   * @param lost messages that could not be recovered
   */
  record Result(
      Set<ArchivedKey> verified,
      List<LostMessage> lost,
      int framesChecked,
      int framesDamaged,
      int refetched,
      int salvaged) {}

  private final ArchiveRoot root;
  private final Ledger ledger;
  private final long accountId;
  private final long runId;
  private final Clock clock;
  private final Consumer<String> notices;
  private final Consumer<String> info;
  private final int batchMessages;
  private final long batchBytes;

  ArchiveRepair(
      ArchiveRoot root,
      Ledger ledger,
      long accountId,
      long runId,
      Clock clock,
      Consumer<String> notices,
      Consumer<String> info,
      int batchMessages,
      long batchBytes) {
    this.root = root;
    this.ledger = ledger;
    this.accountId = accountId;
    this.runId = runId;
    this.clock = clock;
    this.notices = notices;
    this.info = info;
    this.batchMessages = batchMessages;
    this.batchBytes = batchBytes;
  }

  /**
   * Finishes the renames of rewrites that the ledger records but an interrupted run did not put in
   * place. Must run under the account's lock before anything reads or appends to the account's
   * files, since the ledger already describes the rewritten layout.
   */
  static void finishPending(
      ArchiveRoot root, Ledger ledger, long accountId, Consumer<String> notices)
      throws IOException {
    for (PendingReplacement p : ledger.pendingReplacements(accountId)) {
      Path path = Path.of(p.path());
      ArchiveRewrite.swapIn(
          root, path, Path.of(p.replacement()), p.aside() == null ? null : Path.of(p.aside()));
      ledger.replacementDone(p.fileId());
      notices.accept(
          "finished the repair of " + root.shown(path) + " that an interrupted run had begun");
    }
  }

  /**
   * Re-reads the frames that hold {@code keys} ({@code allFrames}: every frame of the account),
   * records the intact ones as verified now, and repairs every file with a damaged frame, fetching
   * over {@code client} the messages the server still lists ({@code listed}: key → message number).
   */
  Result checkAndRepair(
      Collection<ArchivedKey> keys,
      boolean allFrames,
      Map<ArchivedKey, Integer> listed,
      Pop3Client client)
      throws IOException {
    Set<Long> wanted = allFrames ? null : ledger.frameIdsHolding(accountId, keys);
    Set<ArchivedKey> verified = new HashSet<>();
    Set<ArchivedKey> failed = new HashSet<>();
    List<LostMessage> lost = new ArrayList<>();
    int checked = 0;
    int damaged = 0;
    int refetched = 0;
    int salvaged = 0;
    Set<ArchivedKey> fetchedAgain = new HashSet<>();
    long startNanos = System.nanoTime();
    long bytesChecked = 0;
    for (ArchiveFileRow file : ledger.archiveFiles(accountId)) {
      List<FrameRow> frames = ledger.frames(file.id());
      List<FrameRow> chosen = new ArrayList<>();
      for (FrameRow f : frames) {
        if (wanted == null || wanted.contains(f.id())) {
          chosen.add(f);
        }
      }
      if (chosen.isEmpty()) {
        continue;
      }
      Path path = root.shown(Path.of(file.relativePath()));
      Codec codec = Codec.parse(file.codec());
      Set<Long> bad = check(path, codec, chosen);
      checked += chosen.size();
      bytesChecked += compressedBytes(chosen);
      if (!bad.isEmpty() && chosen.size() < frames.size()) {
        // The whole file is rewritten: the frames not asked about are copied too, so check them.
        List<FrameRow> rest = new ArrayList<>(frames);
        rest.removeAll(chosen);
        bad.addAll(check(path, codec, rest));
        checked += rest.size();
        bytesChecked += compressedBytes(rest);
        chosen = frames;
      }
      for (FrameRow f : chosen) {
        for (MessageRow m : f.messages()) {
          (bad.contains(f.id()) ? failed : verified).add(m.key());
        }
      }
      if (bad.isEmpty()) {
        continue;
      }
      damaged += bad.size();
      Rewrite rewrite = rewrite(file, path, codec, frames, bad, listed, fetchedAgain, client);
      refetched += rewrite.refetched;
      salvaged += rewrite.salvaged;
      failed.removeAll(rewrite.stored);
      verified.addAll(rewrite.stored);
      for (MessageRow m : rewrite.lost) {
        failed.add(m.key());
      }
      lost.addAll(rewrite.lostDescribed);
    }
    verified.removeAll(failed);
    info.accept(
        "re-read "
            + checked
            + " archived frame(s) ("
            + bytesChecked
            + " bytes) in "
            + (System.nanoTime() - startNanos) / 1_000_000
            + " ms: "
            + damaged
            + " damaged; "
            + verified.size()
            + " message(s) verified");
    return new Result(verified, lost, checked, damaged, refetched, salvaged);
  }

  private static long compressedBytes(List<FrameRow> frames) {
    long sum = 0;
    for (FrameRow f : frames) {
      sum += f.length();
    }
    return sum;
  }

  /** Re-reads frames; records the intact ones as verified now; returns the ids of the others. */
  private Set<Long> check(Path path, Codec codec, List<FrameRow> frames) throws IOException {
    List<List<String>> problems = ArchiveReader.checkFrames(path, codec, expected(frames));
    Set<Long> bad = new HashSet<>();
    List<Long> good = new ArrayList<>();
    for (int i = 0; i < frames.size(); i++) {
      if (problems.get(i).isEmpty()) {
        good.add(frames.get(i).id());
      } else {
        bad.add(frames.get(i).id());
        notices.accept(
            "damaged archive: "
                + problems.get(i).get(0)
                + (problems.get(i).size() > 1
                    ? " (and " + (problems.get(i).size() - 1) + " more problems in that frame)"
                    : ""));
      }
    }
    ledger.markVerified(good, clock.instant());
    return bad;
  }

  private static final class Rewrite {
    final Set<ArchivedKey> stored = new HashSet<>();
    final List<MessageRow> lost = new ArrayList<>();
    List<LostMessage> lostDescribed = List.of();
    int refetched;
    int salvaged;
  }

  private record Item(FrameRow frame, MessageRow row, Integer number) {}

  private Rewrite rewrite(
      ArchiveFileRow file,
      Path path,
      Codec codec,
      List<FrameRow> frames,
      Set<Long> bad,
      Map<ArchivedKey, Integer> listed,
      Set<ArchivedKey> fetchedAgain,
      Pop3Client client)
      throws IOException {
    Instant now = clock.instant();
    String replacementRel = file.relativePath() + ".repair";
    Path replacement = root.shown(Path.of(replacementRel));
    String asideRel =
        Files.exists(path) ? file.relativePath() + ".damaged-" + STAMP.format(now) : null;
    Rewrite result = new Rewrite();
    List<FrameRow> keep = new ArrayList<>();
    List<Item> items = new ArrayList<>();
    for (FrameRow f : frames) {
      if (!bad.contains(f.id())) {
        keep.add(f);
        continue;
      }
      for (MessageRow m : f.messages()) {
        Integer number = listed.get(m.key());
        // One server message gives one fresh copy, even if the ledger holds its key twice.
        if (number != null && fetchedAgain.add(m.key())) {
          items.add(new Item(f, m, number));
        } else if (readsBack(path, codec, f, m)) {
          items.add(new Item(f, m, null));
        } else {
          result.lost.add(m);
        }
      }
    }
    List<ArchiveRewrite.Range> ranges = new ArrayList<>();
    for (FrameRow f : keep) {
      ranges.add(new ArchiveRewrite.Range(f.offset(), f.length()));
    }
    boolean recorded = false;
    try {
      List<Long> offsets =
          ArchiveRewrite.copyFrames(
              root, Path.of(file.relativePath()), Path.of(replacementRel), ranges);
      long copied = 0;
      for (FrameRow f : keep) {
        copied += f.length();
      }
      List<FileReplacement.AddedFrame> added = new ArrayList<>();
      long newLength;
      try (ArchiveFile out =
          ArchiveFile.openForAppend(root, Path.of(replacementRel), codec, copied)) {
        int next = 0;
        while (next < items.size()) {
          int end = next;
          long bytes = 0;
          while (end < items.size()
              && end - next < batchMessages
              && (end == next || bytes < batchBytes)) {
            bytes += items.get(end).row().listSize();
            end++;
          }
          added.add(writeFrame(out, path, codec, items.subList(next, end), client, result));
          next = end;
        }
        newLength = out.length();
      }
      // The copies are proven too: what is recorded below is what a later reader will see.
      List<FrameRow> moved = new ArrayList<>();
      for (int i = 0; i < keep.size(); i++) {
        FrameRow f = keep.get(i);
        moved.add(new FrameRow(f.id(), offsets.get(i), f.length(), f.messages()));
      }
      List<List<String>> problems = ArchiveReader.checkFrames(replacement, codec, expected(moved));
      for (List<String> p : problems) {
        if (!p.isEmpty()) {
          throw new ArchiveCorruptException(
              "repair: a copied frame did not read back: " + p.get(0));
        }
      }
      List<FileReplacement.KeptFrame> kept = new ArrayList<>();
      for (FrameRow f : moved) {
        kept.add(new FileReplacement.KeptFrame(f.id(), f.offset()));
      }
      List<FileReplacement.MessageKey> lostKeys = new ArrayList<>();
      for (MessageRow m : result.lost) {
        lostKeys.add(new FileReplacement.MessageKey(m.uidl(), m.listSize(), m.sha256()));
      }
      ledger.replaceFile(
          new FileReplacement(
              file.id(), runId, replacementRel, asideRel, newLength, now, kept, added, lostKeys),
          now);
      recorded = true;
    } finally {
      if (!recorded) {
        Files.deleteIfExists(root.file(Path.of(replacementRel)));
      }
    }
    ArchiveRewrite.swapIn(
        root,
        Path.of(file.relativePath()),
        Path.of(replacementRel),
        asideRel == null ? null : Path.of(asideRel));
    ledger.replacementDone(file.id());
    List<LostMessage> described = new ArrayList<>();
    for (LostMessage l : ledger.lostMessages(accountId)) {
      if (l.lostAt().toEpochMilli() == now.toEpochMilli()
          && l.damagedCopy().equals(asideRel != null ? asideRel : file.relativePath())) {
        described.add(l);
      }
    }
    result.lostDescribed = described;
    notices.accept(
        "repaired "
            + path
            + ": "
            + bad.size()
            + " damaged frame(s) replaced; "
            + result.refetched
            + " message(s) fetched again from the server, "
            + result.salvaged
            + " recovered intact from the damaged copy, "
            + result.lost.size()
            + " lost"
            + (asideRel != null
                ? "; the damaged original is kept as " + root.shown(Path.of(asideRel))
                : ""));
    for (LostMessage l : described) {
      notices.accept("lost (damaged here and gone from the server): " + l.describe());
    }
    return result;
  }

  /** Writes one frame of fresh copies, verifies it, and returns it for the ledger. */
  private FileReplacement.AddedFrame writeFrame(
      ArchiveFile out,
      Path damaged,
      Codec codec,
      List<Item> items,
      Pop3Client client,
      Rewrite result)
      throws IOException {
    List<FileReplacement.RepairedMessage> messages = new ArrayList<>();
    FrameWriter frame = out.beginFrame();
    try {
      Map<Integer, Item> byNumber = new HashMap<>();
      List<Integer> numbers = new ArrayList<>();
      for (Item item : items) {
        if (item.number() != null) {
          byNumber.put(item.number(), item);
          numbers.add(item.number());
        }
      }
      if (!numbers.isEmpty()) {
        client.retrieve(
            numbers,
            (number, body) -> {
              Item item = byNumber.get(number);
              HeaderCapture capture = new HeaderCapture(body);
              EncodedMessage e = frame.append(capture, item.row().archivedAt());
              HeaderSummary h = capture.summary();
              if (!Arrays.equals(e.sha256(), item.row().sha256())) {
                notices.accept(
                    "UIDL "
                        + item.row().uidl()
                        + ": the server's copy differs from the one archived before (SHA-256);"
                        + " the server's copy is archived now");
              }
              messages.add(repaired(item.row(), e, h));
              result.stored.add(item.row().key());
              result.refetched++;
            });
      }
      for (Item item : items) {
        if (item.number() == null) {
          FrameRow f = item.frame();
          try (InputStream in =
              ArchiveReader.openMessage(
                  damaged, codec, f.offset(), f.length(), encoded(item.row()))) {
            EncodedMessage e = frame.append(in, item.row().archivedAt());
            messages.add(repaired(item.row(), e, HeaderSummary.empty()));
          }
          result.stored.add(item.row().key());
          result.salvaged++;
        }
      }
      frame.finish();
      Frame verified = frame.verify();
      info.accept(
          "repair: wrote and verified a frame of "
              + messages.size()
              + " message(s) at offset "
              + verified.offset());
      return new FileReplacement.AddedFrame(verified.offset(), verified.length(), messages);
    } catch (IOException | RuntimeException | Error e) {
      try {
        frame.abort();
      } catch (IOException | RuntimeException secondary) {
        e.addSuppressed(secondary);
      }
      throw e;
    }
  }

  private static FileReplacement.RepairedMessage repaired(
      MessageRow old, EncodedMessage e, HeaderSummary h) {
    return new FileReplacement.RepairedMessage(
        old.sha256(),
        new MessageRow(
            old.uidl(),
            old.listSize(),
            e.wireLength(),
            e.sha256(),
            e.offset(),
            e.length(),
            e.rawFromLine(),
            e.noFinalNewline(),
            h.messageId(),
            h.date(),
            h.from(),
            h.subject(),
            h.to(),
            h.cc(),
            old.archivedAt(),
            null));
  }

  /** Tells whether one message of a damaged frame still decodes to its length and SHA-256. */
  private static boolean readsBack(Path path, Codec codec, FrameRow f, MessageRow m) {
    if (!Files.exists(path)) {
      return false;
    }
    try (InputStream in =
        ArchiveReader.openMessage(path, codec, f.offset(), f.length(), encoded(m))) {
      in.transferTo(OutputStream.nullOutputStream());
      return true;
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  static EncodedMessage encoded(MessageRow m) {
    return new EncodedMessage(
        m.offsetInFrame(),
        m.encodedLength(),
        m.wireLength(),
        m.sha256(),
        m.rawFromLine(),
        m.noFinalNewline());
  }

  static List<ExpectedFrame> expected(List<FrameRow> rows) {
    List<ExpectedFrame> frames = new ArrayList<>(rows.size());
    for (FrameRow frame : rows) {
      List<ExpectedMessage> messages = new ArrayList<>(frame.messages().size());
      for (MessageRow m : frame.messages()) {
        messages.add(new ExpectedMessage("UIDL " + m.uidl(), encoded(m)));
      }
      frames.add(new ExpectedFrame(frame.offset(), frame.length(), messages));
    }
    return frames;
  }
}
