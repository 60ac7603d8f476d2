package dev.popvault.core;

import dev.popvault.archive.ArchiveRoot;
import dev.popvault.core.FramePipeline.Planned;
import dev.popvault.ledger.ArchivedKey;
import dev.popvault.ledger.Ledger;
import dev.popvault.ledger.MessageRow;
import dev.popvault.ledger.RunKind;
import dev.popvault.ledger.RunOutcome;
import dev.popvault.pop3.Pop3Client;
import dev.popvault.pop3.Pop3Log;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Runs the main job for one account: lock → recover → connect → UIDL/LIST → plan → RETR → verify →
 * commit → DELE → QUIT. The ordering invariants of docs/design.md hold on every path:
 *
 * <ul>
 *   <li>M1: a frame is forced and re-read ({@link FramePipeline}) before its ledger rows commit (on
 *       a background thread, while the next batch is fetched: {@link FrameCommitter});
 *   <li>M2: DELE is sent only for (UIDL, size) pairs the ledger holds;
 *   <li>M7: ... and only for those whose every archived copy was read back intact in this run:
 *       written and verified now, or re-read now ({@link ArchiveRepair}); a damaged copy of a
 *       message the server still lists is fetched again and its file rewritten (repair);
 *   <li>M3: bytes past a file's committed length are cut before anything is appended;
 *   <li>M4: on any failure the open frame is cut back ({@link FramePipeline}); committed frames
 *       stay;
 *   <li>M5: the plan comes from the ledger alone, never from scanning archives;
 *   <li>M6: the password lives in a char array that is wiped after login and is never logged.
 * </ul>
 */
public final class ArchiveRun {
  private final ArchiveSettings settings;
  private final Clock clock;
  private final Pop3Log log;
  private final StopRequest stop;
  private final Consumer<String> notices;
  private ProgressListener progress = ProgressListener.NONE;
  private Consumer<String> info = text -> {};
  private boolean repairOnly;
  private Selection selection = Selection.ALL;
  private java.util.function.Predicate<String> adopted = uidl -> false;
  // Set by execute(): the account's places, ledger row (under its lock) and POP3 session.
  private MailboxSession mailbox;
  private ArchiveRoot root;
  private String accountName;
  private Ledger ledger;
  private long accountId;
  private long runId;
  private final Counters counters = new Counters();
  // Longer LOGIN-DELAYs end the run; the next run (cron) goes on.
  private static final Duration MAX_LOGIN_DELAY_WAIT = Duration.ofMinutes(5);

  /**
   * Prepares a run.
   *
   * @param notices receives one-line notices for the user (e.g. a torn tail that was cut)
   */
  ArchiveRun(
      ArchiveSettings settings,
      Clock clock,
      Pop3Log log,
      StopRequest stop,
      Consumer<String> notices) {
    this.settings = settings;
    this.clock = clock;
    this.log = log;
    this.stop = stop;
    this.notices = notices;
  }

  /** Sets who hears what the run does, step by step (for {@code -v}); returns this run. */
  public ArchiveRun withInfo(Consumer<String> listener) {
    this.info = listener;
    return this;
  }

  /**
   * Makes this run a repair ({@code verify --repair}): it re-reads every frame of the account,
   * repairs damaged files from the server, and neither fetches new mail nor deletes anything.
   */
  public ArchiveRun repairOnly() {
    this.repairOnly = true;
    return this;
  }

  /**
   * Makes this run work on the messages {@code selection} names only: the others are neither
   * fetched nor deleted, and stay unread on the server. Returns this run.
   */
  public ArchiveRun withSelection(Selection chosen) {
    this.selection = chosen;
    return this;
  }

  /** Sets who hears about progress; returns this run. */
  public ArchiveRun withProgress(ProgressListener listener) {
    this.progress = listener;
    return this;
  }

  /**
   * Executes the run.
   *
   * @throws PopvaultException for every failure the user can act on; anything else is a bug
   */
  public RunReport execute() {
    long startNanos = System.nanoTime();
    try (MailboxSession opened = MailboxSession.open(settings, clock, log, notices, info)) {
      mailbox = opened;
      root = opened.root();
      accountName = opened.accountName();
      ledger = opened.ledger();
      accountId = opened.accountId();
      return run(startNanos);
    } catch (IOException e) {
      throw Failures.ofIo(e);
    } catch (RuntimeException e) {
      throw Failures.ofRuntime(e);
    } finally {
      progress.finished();
    }
  }

  private RunReport run(long startNanos) throws IOException {
    runId =
        ledger.beginRun(accountId, clock.instant(), repairOnly ? RunKind.REPAIR : RunKind.ARCHIVE);
    List<String> notes = new ArrayList<>();
    try {
      recover(notes);
      transfer();
      Duration elapsed = Duration.ofNanos(System.nanoTime() - startNanos);
      if (stop.requested()) {
        throw new PopvaultException(
            stop.exitCode(),
            "stopped by "
                + stop.signalName()
                + " after archiving "
                + counters.newCount
                + " messages; "
                + (counters.deletedCount == 0
                    ? "nothing was deleted"
                    : "the server had already deleted " + counters.deletedCount));
      }
      if (counters.deferredNote != null) {
        notices.accept(counters.deferredNote);
      }
      ledger.endRun(runId, counters.outcome(clock.instant(), "ok", ExitCode.OK, null));
      return new RunReport(
          accountName,
          counters.newCount,
          counters.skippedCount,
          counters.deletedCount,
          counters.bytes,
          elapsed,
          concat(notes, counters.allNotes()),
          counters.lost,
          counters.repaired);
    } catch (RuntimeException | Error | IOException e) {
      PopvaultException known = Failures.translate(e);
      String outcome = stop.requested() ? "interrupted" : "failed";
      int code = known == null ? ExitCode.SOFTWARE : known.exitCode();
      String message = known == null ? e.getClass().getName() : known.getMessage();
      try {
        ledger.endRun(runId, counters.outcome(clock.instant(), outcome, code, message));
      } catch (IOException | RuntimeException secondary) {
        e.addSuppressed(secondary);
      }
      throw e;
    }
  }

  /** M3: finishes an interrupted repair and cuts the torn tails of interrupted runs. */
  private void recover(List<String> notes) throws IOException {
    ArchiveRecovery.recover(
        settings.archiveDir(),
        root,
        ledger,
        accountId,
        settings.delete() && !repairOnly,
        repairOnly,
        note -> {
          notes.add(note);
          notices.accept(note);
        });
  }

  /** Why a session ended, and whether the run logs in again. */
  private enum Next {
    /** Nothing more for this run. */
    DONE,
    /** The checkpoint cut the plan: the next session goes on with it. */
    CHECKPOINT,
    /** {@code until-done}: this session brought new messages, the server may list more now. */
    AGAIN
  }

  /**
   * Runs one POP3 session, then more while a checkpoint cut the plan or ({@code until-done}) a
   * session brought new mail; each session ends with QUIT, so its deletions commit.
   */
  private void transfer() throws IOException {
    // M5: the plan's other half comes from the ledger alone; read while the session still lists.
    Set<ArchivedKey> archived = ledger.archivedKeys(accountId);
    // M10: UIDLs another tool downloaded (popvault adopt) are not fetched, and never deleted.
    adopted = ledger.adoptedUidls(accountId);
    MailboxSession.Connected session = mailbox.await();
    for (int number = 1; ; number++) {
      Next next = oneSession(session, archived, number);
      if (next == Next.DONE || stop.requested()) {
        return;
      }
      if (number >= RunLimits.MAX_SESSIONS) {
        note("stopped after " + number + " sessions; the next run goes on where this one ended");
        return;
      }
      if (!waitForLoginDelay(session.client())) {
        return;
      }
      info.accept(
          accountName
              + ": logging in again ("
              + (next == Next.CHECKPOINT ? "checkpoint" : "until-done")
              + ", session "
              + (number + 1)
              + ")");
      archived = ledger.archivedKeys(accountId);
      session = mailbox.reconnect();
    }
  }

  /** A note for the user: shown now (unless quiet) and kept in the run's report. */
  private void note(String text) {
    counters.notes.add(text);
    notices.accept(text);
  }

  /**
   * Waits out the server's LOGIN-DELAY before the next session of this run, if it is short; returns
   * false (and leaves a note) when the next run should go on instead.
   */
  private boolean waitForLoginDelay(Pop3Client closed) {
    int delay = closed.loginDelaySeconds().orElse(0);
    if (delay <= 0) {
      return true;
    }
    if (delay > MAX_LOGIN_DELAY_WAIT.toSeconds()) {
      note(
          "the server allows one login every "
              + delay
              + " s (LOGIN-DELAY); the next run goes on where this one ended");
      return false;
    }
    info.accept(accountName + ": waiting " + delay + " s (LOGIN-DELAY) before logging in again");
    long until = System.nanoTime() + Duration.ofSeconds(delay).toNanos();
    while (System.nanoTime() < until && !stop.requested()) {
      try {
        Thread.sleep(Math.min(200, Math.max(1, (until - System.nanoTime()) / 1_000_000)));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }
    return !stop.requested();
  }

  /** Plans from the listing and the ledger (M5), re-reads what may be deleted, fetches, deletes. */
  private Next oneSession(MailboxSession.Connected session, Set<ArchivedKey> archived, int number)
      throws IOException {
    try (Pop3Client client = session.client()) {
      // The whole listing names what the server holds (repair needs it); the chosen part is what
      // this run may fetch and delete.
      MailboxListing whole = session.listing();
      MailboxListing listing = selection.isAll() || repairOnly ? whole : chosenOnly(client, whole);
      List<Planned> plan = listing.notIn(archived);
      if (!repairOnly) {
        plan.removeIf(p -> adopted.test(p.key().uidl()));
      }
      if (number == 1) {
        counters.skippedCount = listing.size() - plan.size();
      }
      ArchiveRepair repair =
          new ArchiveRepair(
              root,
              ledger,
              accountId,
              runId,
              clock,
              note -> {
                counters.notes.add(note);
                notices.accept(note);
              },
              info,
              settings.batchMessages(),
              settings.batchBytes());
      if (repairOnly) {
        counters.skippedCount = 0;
        account(repair.checkAndRepair(List.of(), true, whole.numberByKey(), client));
        client.quit();
        return Next.DONE;
      }
      if (settings.delete()) {
        plan = ReusedUidls.recheck(client, ledger, accountId, listing, archived, plan, notices);
        if (number == 1) {
          counters.skippedCount = listing.size() - plan.size();
        }
        // M7: the copies of what is due for deletion are read back now, and repaired if damaged;
        // a copy that stays on the server this time (--keep-days) is not read.
        Set<ArchivedKey> due = dueNow(listing, archived);
        if (!due.isEmpty()) {
          account(repair.checkAndRepair(due, false, whole.numberByKey(), client));
        }
      }
      RunLimits limits = settings.limits();
      RunLimits.Applied limited = limits.apply(plan, counters.newCount, counters.bytes);
      plan = limited.fetch();
      String tooBig = counters.noteLimits(limited, limits, number == 1);
      if (tooBig != null) {
        notices.accept(tooBig);
      }
      boolean cut = limits.checkpoint() > 0 && plan.size() > limits.checkpoint();
      if (cut) {
        plan = plan.subList(0, limits.checkpoint());
      }
      long planBytes = plan.stream().mapToLong(p -> p.key().listSize()).sum();
      info.accept(
          accountName
              + ": "
              + listing.size()
              + " on the server, "
              + plan.size()
              + " to fetch ("
              + planBytes
              + " bytes)"
              + (number == 1 ? ", " + counters.skippedCount + " already archived" : ""));
      if (number == 1) {
        progress.planned(
            limited.fetch().size(),
            limited.fetch().stream().mapToLong(p -> p.key().listSize()).sum());
      }
      int before = counters.newCount;
      fetch(client, plan);
      if (stop.requested()) {
        // A clean stop deletes nothing: close without QUIT so the server discards any state.
        return Next.DONE;
      }
      if (settings.delete()) {
        deleteArchived(client, listing, whole);
      } else {
        client.quit();
      }
      if (cut) {
        return Next.CHECKPOINT;
      }
      boolean broughtNew = counters.newCount > before;
      return limits.untilDone() && broughtNew && limited.deferred() == 0 ? Next.AGAIN : Next.DONE;
    }
  }

  /**
   * The listing narrowed to what the selection names: what is not chosen is neither planned nor
   * due, so it is neither fetched nor deleted. Message numbers keep their meaning in the session.
   */
  private MailboxListing chosenOnly(Pop3Client client, MailboxListing listing) throws IOException {
    Set<ArchivedKey> chosen =
        SelectionFilter.chosen(
            client,
            listing,
            selection,
            selection.archivedOnly() ? ledger.firstArchived(accountId) : Map.of());
    List<MailboxListing.Listed> kept = new ArrayList<>(chosen.size());
    for (MailboxListing.Listed entry : listing.entries()) {
      if (chosen.contains(entry.key())) {
        kept.add(entry);
      }
    }
    info.accept(accountName + ": " + kept.size() + " of " + listing.size() + " messages chosen");
    return MailboxListing.of(kept);
  }

  /** Fetches the plan through the frame pipeline (M1, M4) into the account's archive files. */
  private void fetch(Pop3Client client, List<Planned> plan) throws IOException {
    FramePipeline.Listener listener =
        new FramePipeline.Listener() {
          @Override
          public void written(long wireBytes) {
            progress.archived(wireBytes);
          }

          @Override
          public void committed(List<MessageRow> rows) {
            counters.newCount += rows.size();
            for (MessageRow row : rows) {
              counters.bytes += row.wireLength();
              counters.gate.admit(new ArchivedKey(row.uidl(), row.listSize()));
            }
          }
        };
    try (ArchiveFrames frames =
            new ArchiveFrames(
                root, ledger, accountId, runId, mailbox.dirName(), mailbox.codec(), notices, info);
        FramePipeline pipeline =
            new FramePipeline(
                client::retrieve,
                frames,
                stop::requested,
                clock,
                settings.batchMessages(),
                settings.batchBytes(),
                listener)) {
      pipeline.run(plan);
    }
  }

  /**
   * Hands the DELE phase to the deletion gate (M2, M7), the only path to DELE, with what {@link
   * Retention} finds due: {@code --delete} keeps nothing on the server once it is archived (zero
   * days), {@code --keep-days N} keeps each message N days after it was first archived.
   */
  private void deleteArchived(Pop3Client client, MailboxListing listing, MailboxListing whole)
      throws IOException {
    Set<ArchivedKey> due =
        Retention.due(listing, ledger.firstArchived(accountId), settings.keep(), clock.instant());
    int deleted =
        counters.gate.deleteAndQuit(
            whole,
            due,
            DeletionGate.Session.of(client),
            (archived, unarchived, when) ->
                ledger.recordDeletions(accountId, runId, archived, unarchived, when),
            stop::requested,
            clock::instant,
            kept ->
                info.accept(
                    kept
                        + " message(s) stay on the server: not archived"
                        + (settings.keep().isZero()
                            ? ""
                            : ", archived less than " + settings.keep().toDays() + " days ago")
                        + ", or their archived copy was not verified in this run"));
    if (deleted > 0) {
      info.accept("deleted " + deleted + " archived messages from the server (QUIT answered +OK)");
    }
    counters.deletedCount += deleted;
  }

  /**
   * The listed keys due for deletion before this run fetched anything: with zero days every
   * archived one (without reading the ledger's dates again), else those {@link Retention} picks.
   */
  private Set<ArchivedKey> dueNow(MailboxListing listing, Set<ArchivedKey> archived)
      throws IOException {
    if (!settings.keep().isZero()) {
      return Retention.due(
          listing, ledger.firstArchived(accountId), settings.keep(), clock.instant());
    }
    Set<ArchivedKey> due = new HashSet<>();
    for (MailboxListing.Listed entry : listing.entries()) {
      if (archived.contains(entry.key())) {
        due.add(entry.key());
      }
    }
    return due;
  }

  private static List<String> concat(List<String> a, List<String> b) {
    List<String> all = new ArrayList<>(a);
    all.addAll(b);
    return all;
  }

  /** Adds what a re-read and repair did to the run's counts. */
  private void account(ArchiveRepair.Result result) {
    counters.gate.admitAll(result.verified());
    counters.lost += result.lost().size();
    counters.repaired += result.refetched() + result.salvaged();
  }

  private static final class Counters {
    int newCount;
    int skippedCount;
    int deletedCount;
    int lost;
    int repaired;
    long bytes;
    // Keys committed or re-read intact in this run: what --delete may delete (M7).
    final DeletionGate gate = new DeletionGate();
    final List<String> notes = new ArrayList<>();
    String deferredNote;

    /**
     * Notes what the run limits left on the server: the too-big messages once (they are the same in
     * every session), the deferred ones as of the latest session.
     */
    String noteLimits(RunLimits.Applied limited, RunLimits limits, boolean firstSession) {
      String tooBigNote = null;
      if (firstSession && !limited.tooBig().isEmpty()) {
        StringBuilder note =
            new StringBuilder()
                .append(limited.tooBig().size())
                .append(limited.tooBig().size() == 1 ? " message is" : " messages are")
                .append(" larger than max-size (")
                .append(limits.maxSize())
                .append(" bytes) and stay on the server:");
        int shown = 0;
        for (Planned p : limited.tooBig()) {
          if (shown++ == 5) {
            note.append(" …");
            break;
          }
          note.append(' ')
              .append(p.key().uidl())
              .append(" (")
              .append(p.key().listSize())
              .append(')');
        }
        tooBigNote = note.toString();
        notes.add(tooBigNote);
      }
      deferredNote =
          limited.deferred() == 0
              ? null
              : limited.deferred()
                  + (limited.deferred() == 1 ? " message waits" : " messages wait")
                  + " for the next run (max-messages, max-bytes)";
      return tooBigNote;
    }

    List<String> allNotes() {
      List<String> all = new ArrayList<>(notes);
      if (deferredNote != null) {
        all.add(deferredNote);
      }
      return all;
    }

    RunOutcome outcome(Instant ended, String outcome, int exitCode, String error) {
      return new RunOutcome(
          ended, outcome, exitCode, newCount, skippedCount, deletedCount, bytes, error);
    }
  }
}
