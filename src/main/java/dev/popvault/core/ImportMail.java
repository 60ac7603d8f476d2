package dev.popvault.core;

import dev.popvault.archive.ArchiveLayout;
import dev.popvault.archive.Codec;
import dev.popvault.ledger.ArchivedKey;
import dev.popvault.ledger.Ledger;
import dev.popvault.ledger.MessageRow;
import dev.popvault.ledger.RunOutcome;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The {@code import} use case: brings the messages of another tool's mbox files and Maildirs into
 * an account's archive and catalog, through the same frame pipeline as an archive run (write,
 * force, re-read, verify, commit: M1, M4), under the account's lock, after the same recovery (M3).
 * Each source is read twice: first to hash every message, so that one already archived for the
 * account (same SHA-256, from the server or an earlier import) is skipped; then to store the rest.
 * An imported message's UIDL is "imported " + its SHA-256: no POP3 server can list it (a UIDL holds
 * no space), so it never licenses a DELE (M10), and deletion policies do not count it.
 */
public final class ImportMail {
  /** What an import did, per source and in all. */
  public record Report(String account, int read, int imported, int duplicates, long bytes) {}

  private static final String PREFIX = "imported ";
  private static final int BATCH_MESSAGES = 1000;
  private static final long BATCH_BYTES = 64L << 20;

  private ImportMail() {}

  /**
   * Imports {@code sources} into {@code account} (created as an import-only account if the ledger
   * does not know it) in {@code archiveDir}.
   */
  public static Report run(
      Path archiveDir,
      Path ledgerFile,
      String account,
      List<Path> sources,
      Clock clock,
      ProgressListener progress,
      Consumer<String> notices,
      Consumer<String> info) {
    try {
      RunPlaces places = RunPlaces.open(archiveDir, ledgerFile, notices);
      String dirName = ArchiveLayout.safeDirName(account);
      try (Ledger ledger = Ledger.open(places.ledger());
          AccountLock lock = places.lock(dirName, account)) {
        java.util.OptionalLong existing = ledger.findAccount(account);
        long accountId =
            existing.isPresent()
                ? existing.getAsLong()
                : ledger.createAccount(account, "import.invalid", 1, account);
        String recorded = ledger.currentCodec(accountId);
        Codec codec = recorded == null ? Codec.ZSTD : Codec.parse(recorded);
        places.check(ArchiveLayout.relativeFileFor(dirName, codec, clock.instant()).getParent());
        ArchiveRecovery.recover(
            archiveDir, places.archive(), ledger, accountId, false, false, notices);
        Set<String> known = ledger.digests(accountId);
        int read = 0;
        int imported = 0;
        int duplicates = 0;
        long bytes = 0;
        for (Path source : sources) {
          List<FramePipeline.Planned> plan = new ArrayList<>();
          long planned = 0;
          try (ForeignMailbox mailbox = ForeignMailbox.open(source)) {
            int number = 0;
            for (InputStream m; (m = mailbox.next()) != null; ) {
              number++;
              Hashed h = hash(m);
              if (known.add(h.hex())) {
                plan.add(
                    new FramePipeline.Planned(number, new ArchivedKey(PREFIX + h.hex(), h.size())));
                planned += h.size();
              } else {
                duplicates++;
              }
            }
            read += number;
          }
          info.accept(source + ": " + plan.size() + " new message(s), " + planned + " bytes");
          if (plan.isEmpty()) {
            continue;
          }
          progress.planned(plan.size(), planned);
          long runId = ledger.beginImportRun(accountId, clock.instant(), source.toString());
          int[] committed = {0};
          long[] committedBytes = {0};
          try (ForeignMailbox mailbox = ForeignMailbox.open(source);
              ArchiveFrames frames =
                  new ArchiveFrames(
                      places.archive(), ledger, accountId, runId, dirName, codec, notices, info);
              FramePipeline pipeline =
                  new FramePipeline(
                      new Replay(mailbox),
                      frames,
                      () -> false,
                      clock,
                      BATCH_MESSAGES,
                      BATCH_BYTES,
                      new FramePipeline.Listener() {
                        @Override
                        public void written(long wireBytes) {
                          progress.archived(wireBytes);
                        }

                        @Override
                        public void committed(List<MessageRow> rows) {
                          for (MessageRow row : rows) {
                            committed[0]++;
                            committedBytes[0] += row.wireLength();
                            if (!row.uidl()
                                .equals(PREFIX + HexFormat.of().formatHex(row.sha256()))) {
                              notices.accept(
                                  source
                                      + " changed while it was imported: message stored as read"
                                      + " the second time");
                            }
                          }
                        }
                      })) {
            pipeline.run(plan);
          } catch (IOException | RuntimeException e) {
            PopvaultException failure = Failures.translate(e);
            ledger.endRun(
                runId,
                new RunOutcome(
                    clock.instant(),
                    "failed",
                    failure == null ? ExitCode.SOFTWARE : failure.exitCode(),
                    committed[0],
                    0,
                    0,
                    committedBytes[0],
                    e.getMessage()));
            throw e;
          }
          ledger.endRun(
              runId,
              new RunOutcome(
                  clock.instant(), "ok", ExitCode.OK, committed[0], 0, 0, committedBytes[0], null));
          imported += committed[0];
          bytes += committedBytes[0];
        }
        return new Report(account, read, imported, duplicates, bytes);
      }
    } catch (IOException e) {
      throw Failures.ofIo(e);
    } catch (RuntimeException e) {
      throw Failures.ofRuntime(e);
    } finally {
      progress.finished();
    }
  }

  private record Hashed(String hex, long size) {}

  private static Hashed hash(InputStream message) throws IOException {
    MessageDigest sha;
    try {
      sha = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    long size = new DigestInputStream(message, sha).transferTo(OutputStream.nullOutputStream());
    return new Hashed(HexFormat.of().formatHex(sha.digest()), size);
  }

  /** Serves the planned messages again, by their number in the source, in increasing order. */
  private static final class Replay implements FramePipeline.Source {
    private final ForeignMailbox mailbox;
    private int position;

    Replay(ForeignMailbox mailbox) {
      this.mailbox = mailbox;
    }

    @Override
    public void retrieve(List<Integer> numbers, dev.popvault.pop3.BodyHandler handler)
        throws IOException {
      for (int wanted : numbers) {
        InputStream m = null;
        while (position < wanted) {
          m = mailbox.next();
          position++;
          if (m == null) {
            throw new IOException("the source ended before message " + wanted);
          }
        }
        handler.body(wanted, m);
      }
    }
  }
}
