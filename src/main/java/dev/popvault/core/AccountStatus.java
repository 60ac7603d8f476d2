package dev.popvault.core;

import dev.popvault.ledger.AccountRow;
import dev.popvault.ledger.AccountTotals;
import dev.popvault.ledger.ArchiveFileRow;
import dev.popvault.ledger.Ledger;
import dev.popvault.ledger.RunOutcome;
import dev.popvault.ledger.RunRow;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * The {@code status} use case: what this machine knows of each account, from the ledger and the
 * archive files alone (no server is contacted and nothing is written).
 */
public final class AccountStatus {
  /**
   * One account's status.
   *
   * @param messages messages archived; {@code bytes} their sizes as the server sent them
   * @param deleted of those, messages the server confirmed deleted
   * @param lost messages whose only copy was damaged after they left the server
   * @param unarchivedDeleted messages {@code delete --unarchived-too} removed without a copy here
   * @param files archive files; {@code bytesOnDisk} their sizes on disk (compressed)
   * @param lastRun the latest run of any kind, or null
   * @param lastSuccess when the latest run that ended "ok" ended, or null
   * @param lastFailure the latest run that failed or was interrupted, or null
   * @param due archived messages not known to be deleted that the account's deletion policy makes
   *     due now, or null when the account does not delete (or its policy is unknown here)
   * @param nextLogin when the server allows the next login (LOGIN-DELAY), if that is later than
   *     now; else null
   */
  public record Status(
      String account,
      String mailbox,
      Path ledger,
      long messages,
      long bytes,
      long deleted,
      long lost,
      long unarchivedDeleted,
      long files,
      long bytesOnDisk,
      Instant firstArchived,
      Instant lastLogin,
      Run lastRun,
      Instant lastSuccess,
      Run lastFailure,
      Long due,
      Instant nextLogin) {}

  /**
   * One recorded run. {@code ended}, {@code outcome} and {@code exitCode} are null for a run whose
   * process died before it could record an end (or that is still running); the counts are then 0.
   *
   * @param kind archive, repair or delete
   */
  public record Run(
      long id,
      String kind,
      Instant started,
      Instant ended,
      String outcome,
      Integer exitCode,
      int newCount,
      int skippedCount,
      int deletedCount,
      long bytes,
      String error) {
    static Run of(RunRow row) {
      if (row == null) {
        return null;
      }
      RunOutcome o = row.outcome();
      return o == null
          ? new Run(row.id(), row.kind().word(), row.started(), null, null, null, 0, 0, 0, 0, null)
          : new Run(
              row.id(),
              row.kind().word(),
              row.started(),
              o.ended(),
              o.outcome(),
              o.exitCode(),
              o.newCount(),
              o.skippedCount(),
              o.deletedCount(),
              o.bytes(),
              o.error());
    }
  }

  private AccountStatus() {}

  /**
   * Reads the status of the named accounts of a ledger (every account when {@code names} is empty);
   * a missing ledger has none.
   *
   * @param keep each account's deletion policy: how long a message stays on the server after it was
   *     archived (zero: deleted once archived), empty when the account does not delete
   * @throws PopvaultException when the ledger cannot be read
   */
  public static List<Status> read(
      Path archiveDir,
      Path ledgerFile,
      Collection<String> names,
      Function<String, Optional<Duration>> keep,
      Clock clock) {
    List<Status> all = new ArrayList<>();
    if (!Files.exists(ledgerFile)) {
      return all;
    }
    try (Ledger ledger = Ledger.open(ledgerFile)) {
      Instant now = clock.instant();
      for (AccountRow row : ledger.accounts()) {
        if (!names.isEmpty() && !names.contains(row.name())) {
          continue;
        }
        List<RunRow> runs = ledger.runs(row.id(), 1000);
        Instant lastSuccess = null;
        RunRow lastFailure = null;
        for (RunRow run : runs) {
          if (run.outcome() == null) {
            continue;
          }
          if (lastSuccess == null && "ok".equals(run.outcome().outcome())) {
            lastSuccess = run.outcome().ended();
          }
          if (lastFailure == null && !"ok".equals(run.outcome().outcome())) {
            lastFailure = run;
          }
        }
        Optional<Duration> policy = keep.apply(row.name());
        Long due =
            policy.isEmpty()
                ? null
                : ledger.undeletedArchivedBefore(row.id(), now.minus(policy.get()));
        Instant nextLogin =
            ledger.nextLoginAllowed(row.id()).filter(t -> t.isAfter(now)).orElse(null);
        AccountTotals t = ledger.totals(row.id());
        all.add(
            new Status(
                row.name(),
                row.mailbox(),
                ledgerFile,
                t.messages(),
                t.wireBytes(),
                t.deleted(),
                t.lost(),
                t.unarchivedDeleted(),
                t.files(),
                bytesOnDisk(archiveDir, ledger.archiveFiles(row.id())),
                t.firstArchived(),
                t.lastLogin(),
                Run.of(runs.isEmpty() ? null : runs.get(0)),
                lastSuccess,
                Run.of(lastFailure),
                due,
                nextLogin));
      }
      return all;
    } catch (IOException e) {
      throw Failures.ofIo(e);
    } catch (RuntimeException e) {
      throw Failures.ofRuntime(e);
    }
  }

  /**
   * The runs of the named accounts of a ledger (every account when {@code names} is empty), newest
   * first, at most {@code limit} per account.
   */
  public static List<Named> history(Path ledgerFile, Collection<String> names, int limit) {
    List<Named> all = new ArrayList<>();
    if (!Files.exists(ledgerFile)) {
      return all;
    }
    try (Ledger ledger = Ledger.open(ledgerFile)) {
      for (AccountRow row : ledger.accounts()) {
        if (names.isEmpty() || names.contains(row.name())) {
          for (RunRow run : ledger.runs(row.id(), limit)) {
            all.add(new Named(row.name(), Run.of(run)));
          }
        }
      }
      return all;
    } catch (IOException e) {
      throw Failures.ofIo(e);
    } catch (RuntimeException e) {
      throw Failures.ofRuntime(e);
    }
  }

  /** A run with its account's name. */
  public record Named(String account, Run run) {}

  private static long bytesOnDisk(Path archiveDir, List<ArchiveFileRow> files) {
    long total = 0;
    for (ArchiveFileRow file : files) {
      try {
        total += Files.size(archiveDir.resolve(file.relativePath()));
      } catch (IOException e) {
        // A missing file is verify's business; status counts what is there.
      }
    }
    return total;
  }
}
