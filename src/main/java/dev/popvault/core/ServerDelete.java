package dev.popvault.core;

import dev.popvault.ledger.ArchivedKey;
import dev.popvault.ledger.Ledger;
import dev.popvault.ledger.MailDates;
import dev.popvault.ledger.RunKind;
import dev.popvault.ledger.RunOutcome;
import dev.popvault.mime.HeaderSummary;
import dev.popvault.pop3.Pop3Client;
import dev.popvault.pop3.Pop3Log;
import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The {@code delete} use case: removes the messages a {@link Selection} names from the server,
 * through the {@link DeletionGate}. One session lists the mailbox, reads the candidates' headers
 * ({@code TOP n 0}, when offered), re-reads the archived copies of the chosen messages and repairs
 * a damaged one from the server (M7), DELEs what the gate lets through and QUITs; the ledger then
 * records what the server confirmed.
 *
 * <p>A chosen message this machine holds no copy of stays on the server, unless the user asked for
 * it ({@code --unarchived-too}) and {@link Confirmation confirmed} it before any DELE. A dry run
 * stops after choosing: it neither re-reads, repairs nor deletes anything.
 */
public final class ServerDelete {
  /** What happens (or, in a dry run, would happen) to a chosen message. */
  public enum Fate {
    /** Archived, and its copy read back intact in this run: deleted. */
    DELETED,
    /** Not archived here; the user asked for it and confirmed: deleted. */
    DELETED_UNARCHIVED,
    /** Not archived here: kept (only {@code --unarchived-too} deletes it). */
    KEPT_UNARCHIVED,
    /** Archived, but its copy did not read back intact and could not be repaired: kept. */
    KEPT_UNVERIFIED,
    /** The user declined, or the run stopped before QUIT: kept. */
    KEPT
  }

  /**
   * One chosen message. The header fields are null when the server does not offer TOP; {@code
   * archivedAt} is when it was first archived here, or null.
   */
  public record Chosen(
      int number,
      String uidl,
      long size,
      String date,
      String from,
      String subject,
      Instant archivedAt,
      Fate fate) {
    Chosen withFate(Fate newFate) {
      return new Chosen(number, uidl, size, date, from, subject, archivedAt, newFate);
    }

    ArchivedKey key() {
      return new ArchivedKey(uidl, size);
    }
  }

  /** Asks the user whether chosen messages without an archived copy may be deleted. */
  @FunctionalInterface
  public interface Confirmation {
    /**
     * Called once, before any DELE, with every chosen message that has no archived copy here.
     *
     * @return true to delete them (and the archived ones); false to delete nothing
     * @throws PopvaultException when nobody can be asked (the session ends, nothing is deleted)
     */
    boolean confirm(List<Chosen> unarchived);
  }

  /**
   * What the session did.
   *
   * @param listed messages on the server
   * @param deleted messages the server deleted (QUIT answered +OK), the unarchived ones included
   * @param deletedUnarchived of those, messages that had no archived copy here
   * @param keptUnarchived chosen messages kept because they have no archived copy here
   * @param keptUnverified chosen messages kept because their copy did not read back intact
   * @param declined the user did not confirm, so nothing was deleted
   */
  public record Report(
      String account,
      int listed,
      int chosen,
      int deleted,
      int deletedUnarchived,
      long bytesDeleted,
      int keptUnarchived,
      int keptUnverified,
      boolean dryRun,
      boolean headers,
      boolean declined) {}

  private final ArchiveSettings settings;
  private final Clock clock;
  private final Pop3Log log;
  private final StopRequest stop;
  private final Consumer<String> notices;
  private final Consumer<String> info;

  ServerDelete(
      ArchiveSettings settings,
      Clock clock,
      Pop3Log log,
      StopRequest stop,
      Consumer<String> notices,
      Consumer<String> info) {
    this.settings = settings;
    this.clock = clock;
    this.log = log;
    this.stop = stop;
    this.notices = notices;
    this.info = info;
  }

  /**
   * Runs the session and hands each chosen message, with its fate, to {@code shown} (in server
   * order, once the fates are known).
   *
   * @param unarchivedToo also delete chosen messages that have no archived copy here (after {@code
   *     confirmation})
   * @throws PopvaultException for every failure the user can act on; anything else is a bug
   */
  public Report run(
      Selection selection,
      boolean dryRun,
      boolean unarchivedToo,
      Confirmation confirmation,
      Consumer<Chosen> shown) {
    if (settings.noUidl()) {
      throw new PopvaultException(
          ExitCode.USAGE, "no-uidl never deletes: without UIDL a message cannot be named safely");
    }
    try (MailboxSession mailbox = MailboxSession.open(settings, clock, log, notices, info)) {
      Ledger ledger = mailbox.ledger();
      long accountId = mailbox.accountId();
      if (!dryRun) {
        ArchiveRecovery.recover(
            settings.archiveDir(), mailbox.root(), ledger, accountId, true, false, notices);
      }
      Map<ArchivedKey, Instant> archived = ledger.firstArchived(accountId);
      MailboxSession.Connected session = mailbox.await();
      try (Pop3Client client = session.client()) {
        MailboxListing listing = session.listing();
        selection.checkNumbers(listing);
        boolean headers = MailboxHeaders.available(client);
        if (selection.needsHeaders() && !headers) {
          throw new PopvaultException(
              ExitCode.UNAVAILABLE,
              "the server does not offer TOP, so "
                  + String.join(" and ", selection.headerOptions())
                  + " cannot be checked; nothing was deleted");
        }
        List<Chosen> chosen = choose(client, listing, archived, selection, headers);
        Session run =
            new Session(mailbox, client, listing, chosen, dryRun, unarchivedToo, headers, shown);
        return run.decideAndDelete(confirmation);
      }
    } catch (IOException e) {
      throw Failures.ofIo(e);
    } catch (RuntimeException e) {
      throw Failures.ofRuntime(e);
    }
  }

  /** The listed messages the selection names, with their headers when the server offers TOP. */
  private static List<Chosen> choose(
      Pop3Client client,
      MailboxListing listing,
      Map<ArchivedKey, Instant> archived,
      Selection selection,
      boolean headers)
      throws IOException {
    List<Integer> candidates = new ArrayList<>();
    for (MailboxListing.Listed entry : listing.entries()) {
      if (selection.matchesListing(entry.number(), entry.key(), archived.get(entry.key()))) {
        candidates.add(entry.number());
      }
    }
    List<Chosen> chosen = new ArrayList<>(candidates.size());
    if (!headers) {
      for (int number : candidates) {
        chosen.add(chosen(listing, archived, number, HeaderSummary.empty()));
      }
      return chosen;
    }
    MailDates dates = new MailDates();
    MailboxHeaders.read(
        client,
        candidates,
        (number, summary) -> {
          if (selection.matchesHeaders(summary, dates.epochMillis(summary.date()))) {
            chosen.add(chosen(listing, archived, number, summary));
          }
        });
    return chosen;
  }

  private static Chosen chosen(
      MailboxListing listing,
      Map<ArchivedKey, Instant> archived,
      int number,
      HeaderSummary headers) {
    ArchivedKey key = listing.keyOf(number);
    Instant when = archived.get(key);
    return new Chosen(
        number,
        key.uidl(),
        key.listSize(),
        headers.date(),
        headers.from(),
        headers.subject(),
        when,
        when == null ? Fate.KEPT_UNARCHIVED : Fate.DELETED);
  }

  /** The decision and the DELE phase of one session. */
  private final class Session {
    private final MailboxSession mailbox;
    private final Pop3Client client;
    private final MailboxListing listing;
    private final List<Chosen> chosen;
    private final boolean dryRun;
    private final boolean unarchivedToo;
    private final boolean headers;
    private final Consumer<Chosen> shown;

    Session(
        MailboxSession mailbox,
        Pop3Client client,
        MailboxListing listing,
        List<Chosen> chosen,
        boolean dryRun,
        boolean unarchivedToo,
        boolean headers,
        Consumer<Chosen> shown) {
      this.mailbox = mailbox;
      this.client = client;
      this.listing = listing;
      this.chosen = chosen;
      this.dryRun = dryRun;
      this.unarchivedToo = unarchivedToo;
      this.headers = headers;
      this.shown = shown;
    }

    Report decideAndDelete(Confirmation confirmation) throws IOException {
      List<Chosen> unarchived = new ArrayList<>();
      for (Chosen c : chosen) {
        if (c.archivedAt() == null) {
          unarchived.add(c);
        }
      }
      boolean waive = unarchivedToo && !unarchived.isEmpty();
      if (dryRun) {
        client.quit();
        return finish(wouldDo(waive), false);
      }
      if (waive && !confirmation.confirm(List.copyOf(unarchived))) {
        client.quit();
        return finish(allKept(), true);
      }
      return delete(waive);
    }

    /** Re-reads the archived copies (M7), then hands the DELE phase to the gate. */
    private Report delete(boolean waive) throws IOException {
      Ledger ledger = mailbox.ledger();
      long accountId = mailbox.accountId();
      long runId = ledger.beginRun(accountId, clock.instant(), RunKind.DELETE);
      int deleted = 0;
      try {
        DeletionGate gate = new DeletionGate();
        Set<ArchivedKey> due = new LinkedHashSet<>();
        List<ArchivedKey> archivedKeys = new ArrayList<>();
        for (Chosen c : chosen) {
          if (c.archivedAt() != null) {
            archivedKeys.add(c.key());
          } else if (waive) {
            gate.waive(c.key());
          } else {
            continue;
          }
          due.add(c.key());
        }
        Set<ArchivedKey> verified = Set.of();
        if (!archivedKeys.isEmpty()) {
          ArchiveRepair repair =
              new ArchiveRepair(
                  mailbox.root(),
                  ledger,
                  accountId,
                  runId,
                  clock,
                  notices,
                  info,
                  settings.batchMessages(),
                  settings.batchBytes());
          verified =
              repair.checkAndRepair(archivedKeys, false, listing.numberByKey(), client).verified();
          gate.admitAll(verified);
        }
        deleted =
            gate.deleteAndQuit(
                listing,
                due,
                DeletionGate.Session.of(client),
                (archived, unarchived, when) ->
                    ledger.recordDeletions(accountId, runId, archived, unarchived, when),
                stop::requested,
                clock::instant,
                kept -> {});
        List<Chosen> result = fatesAfter(!stop.requested(), verified, waive);
        if (stop.requested()) {
          throw new PopvaultException(
              stop.exitCode(), "stopped by " + stop.signalName() + "; nothing was deleted");
        }
        ledger.endRun(runId, outcome("ok", ExitCode.OK, deleted, null));
        return finish(result, false);
      } catch (RuntimeException | Error | IOException e) {
        PopvaultException known = Failures.translate(e);
        try {
          ledger.endRun(
              runId,
              outcome(
                  stop.requested() ? "interrupted" : "failed",
                  known == null ? ExitCode.SOFTWARE : known.exitCode(),
                  deleted,
                  known == null ? e.getClass().getName() : known.getMessage()));
        } catch (IOException | RuntimeException secondary) {
          e.addSuppressed(secondary);
        }
        throw e;
      }
    }

    private RunOutcome outcome(String outcome, int code, int deleted, String error) {
      return new RunOutcome(clock.instant(), outcome, code, 0, 0, deleted, 0, error);
    }

    /** The fates once QUIT was answered ({@code committed}) or not. */
    private List<Chosen> fatesAfter(boolean committed, Set<ArchivedKey> verified, boolean waive) {
      List<Chosen> result = new ArrayList<>(chosen.size());
      for (Chosen c : chosen) {
        Fate fate;
        if (c.archivedAt() == null) {
          fate = waive ? Fate.DELETED_UNARCHIVED : Fate.KEPT_UNARCHIVED;
        } else {
          fate = verified.contains(c.key()) ? Fate.DELETED : Fate.KEPT_UNVERIFIED;
        }
        if (!committed && fate != Fate.KEPT_UNARCHIVED && fate != Fate.KEPT_UNVERIFIED) {
          fate = Fate.KEPT;
        }
        result.add(c.withFate(fate));
      }
      return result;
    }

    /** A dry run: what the real run would do, before it re-reads any copy. */
    private List<Chosen> wouldDo(boolean waive) {
      List<Chosen> result = new ArrayList<>(chosen.size());
      for (Chosen c : chosen) {
        result.add(
            c.archivedAt() != null
                ? c.withFate(Fate.DELETED)
                : c.withFate(waive ? Fate.DELETED_UNARCHIVED : Fate.KEPT_UNARCHIVED));
      }
      return result;
    }

    private List<Chosen> allKept() {
      List<Chosen> result = new ArrayList<>(chosen.size());
      for (Chosen c : chosen) {
        result.add(c.withFate(Fate.KEPT));
      }
      return result;
    }

    private Report finish(List<Chosen> result, boolean declined) {
      int deleted = 0;
      int deletedUnarchived = 0;
      int keptUnarchived = 0;
      int keptUnverified = 0;
      long bytes = 0;
      for (Chosen c : result) {
        shown.accept(c);
        keptUnarchived += c.fate() == Fate.KEPT_UNARCHIVED ? 1 : 0;
        keptUnverified += c.fate() == Fate.KEPT_UNVERIFIED ? 1 : 0;
        boolean gone = c.fate() == Fate.DELETED || c.fate() == Fate.DELETED_UNARCHIVED;
        if (gone) {
          deleted++;
          bytes += c.size();
          if (c.fate() == Fate.DELETED_UNARCHIVED) {
            deletedUnarchived++;
          }
        }
      }
      return new Report(
          mailbox.accountName(),
          listing.size(),
          result.size(),
          deleted,
          deletedUnarchived,
          bytes,
          keptUnarchived,
          keptUnverified,
          dryRun,
          headers,
          declined);
    }
  }
}
