package dev.popvault.core;

import dev.popvault.archive.ArchiveFile;
import dev.popvault.archive.ArchiveLayout;
import dev.popvault.archive.ArchiveRoot;
import dev.popvault.archive.Codec;
import dev.popvault.archive.EncodedMessage;
import dev.popvault.archive.FrameWriter;
import dev.popvault.config.ConfigException;
import dev.popvault.ledger.ArchiveFileRow;
import dev.popvault.ledger.ArchivedKey;
import dev.popvault.ledger.Ledger;
import dev.popvault.ledger.NewMessage;
import dev.popvault.ledger.RunOutcome;
import dev.popvault.mime.HeaderCapture;
import dev.popvault.mime.HeaderSummary;
import dev.popvault.pop3.ListEntry;
import dev.popvault.pop3.Listing;
import dev.popvault.pop3.Pop3Client;
import dev.popvault.pop3.Pop3Exception;
import dev.popvault.pop3.Pop3Log;
import dev.popvault.pop3.UidlEntry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.function.Consumer;

/**
 * Runs the main job for one account: lock → recover → connect → UIDL/LIST → plan → RETR → verify →
 * commit → DELE → QUIT. The ordering invariants of docs/design.md hold on every path:
 *
 * <ul>
 *   <li>M1: a frame is forced and re-read ({@link FrameWriter#verify()}) before its ledger rows
 *       commit (on a background thread, while the next batch is fetched: {@link FrameCommitter});
 *   <li>M2: DELE is sent only for (UIDL, size) pairs the ledger holds;
 *   <li>M7: ... and only for those whose every archived copy was read back intact in this run:
 *       written and verified now, or re-read now ({@link ArchiveRepair}); a damaged copy of a
 *       message the server still lists is fetched again and its file rewritten (repair);
 *   <li>M3: bytes past a file's committed length are cut before anything is appended;
 *   <li>M4: on any failure the open frame is cut back ({@link FrameWriter#abort()}); committed
 *       frames stay;
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
  // The archive directory's boundary (M9), set when the run starts.
  private ArchiveRoot root;
  // Decided by execute() under the account's lock, before the session logs in.
  private String accountName;
  private Codec codec;

  /**
   * Prepares a run.
   *
   * @param notices receives one-line notices for the user (e.g. a torn tail that was cut)
   */
  public ArchiveRun(
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
    // The name was validated when the account was resolved (config.AccountConfig).
    String requestedDir = ArchiveLayout.safeDirName(settings.accountName());
    // M9: every write below the archive directory goes through its root.
    RunPlaces places = RunPlaces.open(settings.archiveDir(), settings.ledgerFile(), notices);
    root = places.archive();
    // A link leading outside the directory this run would write to is refused before the server or
    // the ledger is touched (the account the ledger picks below is checked again under its lock).
    places.check(
        ArchiveLayout.relativeFileFor(requestedDir, settings.codec(), clock.instant()).getParent());
    // Connecting overlaps opening the ledger, but credentials go out only once the ledger has
    // accepted the account (AccountBinding) and its directory was checked: a refused run never
    // logs in.
    CompletableFuture<Void> accountBound = new CompletableFuture<>();
    try (SessionOpener session =
            SessionOpener.start(() -> openSession(readPassword(), accountBound));
        Ledger ledger = Ledger.open(places.ledger())) {
      AccountBinding.Request request =
          new AccountBinding.Request(
              settings.accountName(),
              settings.nameGiven(),
              settings.server().host(),
              settings.server().port(),
              settings.user());
      AccountBinding.Plan plan = AccountBinding.plan(ledger, request, settings.archiveDir());
      accountName = plan.name();
      String dirName = ArchiveLayout.safeDirName(accountName);
      try (AccountLock lock = places.lock(dirName, accountName)) {
        long accountId = bind(plan, request, ledger);
        // A link leading outside the account's current directory is refused before login.
        places.check(ArchiveLayout.relativeFileFor(dirName, codec, clock.instant()).getParent());
        accountBound.complete(null);
        return run(session, ledger, accountId, dirName, startNanos);
      }
    } catch (IOException e) {
      PopvaultException known = Failures.translate(e);
      throw known != null ? known : new PopvaultException(ExitCode.IO_ERROR, e.toString(), e);
    } catch (RuntimeException e) {
      PopvaultException known = Failures.translate(e);
      throw known != null ? known : e;
    } finally {
      accountBound.cancel(false);
      progress.finished();
    }
  }

  /** Creates or updates the account row as planned and picks the codec; says what it decided. */
  private long bind(AccountBinding.Plan plan, AccountBinding.Request request, Ledger ledger)
      throws IOException {
    long accountId = plan.apply(ledger, request);
    if (plan.decision() instanceof AccountBinding.Move) {
      // The user named the account for this port: a -v line, not a notice on every port change.
      info.accept(
          "account \"" + accountName + "\" now archives " + request.mailbox() + " (port changed)");
    } else if (!accountName.equals(settings.accountName())) {
      info.accept(request.mailbox() + " is archived as account \"" + accountName + "\"");
    }
    String current = ledger.currentCodec(accountId);
    codec = settings.codec();
    if (current != null && !current.equals(codec.cliName())) {
      if (settings.codecGiven()) {
        info.accept(
            accountName
                + ": codec "
                + codec.cliName()
                + " chosen; new mail goes to a new "
                + codec.fileSuffix()
                + " file (the current file is "
                + current
                + ")");
      } else {
        // Without an explicit choice the month's file continues instead of a second file
        // beside it.
        codec = Codec.parse(current);
        info.accept(accountName + ": keeping codec " + current + " of the current archive file");
      }
    }
    return accountId;
  }

  private RunReport run(
      SessionOpener session, Ledger ledger, long accountId, String dirName, long startNanos)
      throws IOException {
    long runId = ledger.beginRun(accountId, clock.instant());
    Counters counters = new Counters();
    List<String> notes = new ArrayList<>();
    try {
      recover(ledger, accountId, notes);
      transfer(session, ledger, accountId, runId, dirName, counters);
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
      ledger.endRun(runId, counters.outcome(clock.instant(), "ok", ExitCode.OK, null));
      return new RunReport(
          accountName,
          counters.newCount,
          counters.skippedCount,
          counters.deletedCount,
          counters.bytes,
          elapsed,
          concat(notes, counters.notes),
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

  /** M3: cuts the torn tails that an interrupted run left past each file's committed length. */
  private void recover(Ledger ledger, long accountId, List<String> notes) throws IOException {
    // First: a repair that was recorded but not renamed into place (the ledger describes it).
    ArchiveRepair.finishPending(
        root,
        ledger,
        accountId,
        note -> {
          notes.add(note);
          notices.accept(note);
        });
    for (ArchiveFileRow row : ledger.archiveFiles(accountId)) {
      Path path = settings.archiveDir().resolve(row.relativePath());
      if (!Files.isRegularFile(path)) {
        // M5: a moved archive does not make its messages new again; but deleting them from the
        // server could lose the only copy.
        if (settings.delete() && row.committedLength() > 0 && !repairOnly) {
          throw new PopvaultException(
              ExitCode.DATA_ERROR,
              "archive file "
                  + path
                  + " is missing (the ledger records "
                  + row.committedLength()
                  + " bytes); refusing to delete; run popvault verify --repair");
        }
        continue;
      }
      long size = Files.size(path);
      if (size < row.committedLength() && repairOnly) {
        continue; // The repair rewrites the file from what is left of it.
      }
      if (size < row.committedLength()) {
        // Committed mail is gone from disk: never delete from the server, never append after a
        // hole.
        throw new PopvaultException(
            ExitCode.DATA_ERROR,
            "archive file "
                + path
                + " is "
                + (row.committedLength() - size)
                + " bytes shorter than the ledger's committed length "
                + row.committedLength()
                + "; nothing was deleted; run popvault verify --repair");
      }
      if (size == row.committedLength()) {
        continue;
      }
      try (ArchiveFile file =
          ArchiveFile.openForAppend(
              root, Path.of(row.relativePath()), Codec.parse(row.codec()), row.committedLength())) {
        String note =
            "cut "
                + file.truncatedBytes()
                + " bytes of an interrupted run from "
                + path
                + " (they were never committed)";
        notes.add(note);
        notices.accept(note);
      }
    }
  }

  private char[] readPassword() {
    try {
      return settings.password().read();
    } catch (ConfigException e) {
      throw new PopvaultException(ExitCode.CONFIG, e.getMessage(), e);
    }
  }

  /**
   * Connects, logs in and lists the mailbox; runs on {@link SessionOpener}'s thread while the
   * ledger opens and recovery runs. Logs in only after {@code accountBound} completes, so a run
   * whose account the ledger refuses sends no credential. M6: wipes the password after login,
   * whatever happens.
   */
  private SessionOpener.Session openSession(char[] password, Future<Void> accountBound)
      throws IOException {
    Pop3Client client;
    try {
      client = Pop3Client.connect(settings.server(), log);
    } catch (IOException | RuntimeException | Error e) {
      Arrays.fill(password, '\0');
      throw e;
    }
    try {
      try {
        awaitAccount(accountBound);
        switch (settings.oauth()) {
          case XOAUTH2 -> client.loginXoauth2(settings.user(), password, true);
          case OAUTHBEARER -> client.loginOauthbearer(settings.user(), password, true);
          case NONE -> client.login(settings.user(), password, settings.auth());
        }
      } finally {
        Arrays.fill(password, '\0');
      }
      info.accept(
          accountName
              + ": logged in to "
              + settings.server().host()
              + ":"
              + settings.server().port()
              + client
                  .tlsSession()
                  .map(t -> " (" + t.getProtocol() + ", " + t.getCipherSuite() + ")")
                  .orElse(" (no TLS)")
              + (client.pipelining() ? ", pipelining" : ", lock-step")
              + (client.utf8Enabled() ? ", UTF-8 mode" : ""));
      return new SessionOpener.Session(client, client.listing());
    } catch (IOException | RuntimeException | Error e) {
      client.close();
      throw e;
    }
  }

  /** Waits until the run has bound its account; a refused or failed run cancels the login. */
  private static void awaitAccount(Future<Void> accountBound) throws IOException {
    try {
      accountBound.get();
    } catch (CancellationException | ExecutionException e) {
      throw new IOException("the run ended before logging in", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted before logging in", e);
    }
  }

  private void transfer(
      SessionOpener opener,
      Ledger ledger,
      long accountId,
      long runId,
      String dirName,
      Counters counters)
      throws IOException {
    // M5: the plan's other half comes from the ledger alone; read while the session still lists.
    Set<ArchivedKey> archived = ledger.archivedKeys(accountId);
    SessionOpener.Session session = opener.await();
    try (Pop3Client client = session.client()) {
      Listing listing = session.listing();
      List<UidlEntry> uidls = listing.uidls();
      Map<Integer, Long> sizes = new HashMap<>();
      for (ListEntry entry : listing.sizes()) {
        sizes.put(entry.number(), entry.size());
      }
      Set<Integer> inUidl = new HashSet<>();
      for (UidlEntry entry : uidls) {
        inUidl.add(entry.number());
      }
      for (Integer number : sizes.keySet()) {
        if (!inUidl.contains(number)) {
          // A message without a UIDL could never be archived nor deleted: say so, do not skip it.
          throw new Pop3Exception(
              Pop3Exception.Kind.PROTOCOL,
              "server listed message " + number + " in LIST but not in UIDL");
        }
      }
      List<Planned> plan = new ArrayList<>();
      Map<Integer, ArchivedKey> keyByNumber = new HashMap<>();
      for (UidlEntry entry : uidls) {
        Long size = sizes.get(entry.number());
        if (size == null) {
          throw new Pop3Exception(
              Pop3Exception.Kind.PROTOCOL,
              "server listed message " + entry.number() + " in UIDL but not in LIST");
        }
        ArchivedKey key = new ArchivedKey(entry.uidl().value(), size);
        keyByNumber.put(entry.number(), key);
        if (archived.contains(key)) {
          counters.skippedCount++;
        } else {
          plan.add(new Planned(entry.number(), key));
        }
      }
      Map<ArchivedKey, Integer> listed = new HashMap<>();
      for (Map.Entry<Integer, ArchivedKey> e : keyByNumber.entrySet()) {
        listed.put(e.getValue(), e.getKey());
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
        account(repair.checkAndRepair(List.of(), true, listed, client), counters);
        client.quit();
        return;
      }
      if (settings.delete()) {
        recheckReusedUidls(client, ledger, accountId, uidls, keyByNumber, archived, plan, counters);
        // M7: the copies of what would be deleted are read back now, and repaired if damaged.
        Set<ArchivedKey> onServerAndArchived = new HashSet<>();
        for (ArchivedKey key : keyByNumber.values()) {
          if (archived.contains(key)) {
            onServerAndArchived.add(key);
          }
        }
        if (!onServerAndArchived.isEmpty()) {
          account(repair.checkAndRepair(onServerAndArchived, false, listed, client), counters);
        }
      }
      long planBytes = plan.stream().mapToLong(p -> p.key().listSize()).sum();
      info.accept(
          accountName
              + ": "
              + uidls.size()
              + " on the server, "
              + plan.size()
              + " to fetch ("
              + planBytes
              + " bytes), "
              + counters.skippedCount
              + " already archived");
      progress.planned(plan.size(), planBytes);
      fetch(client, ledger, accountId, runId, dirName, plan, archived, counters);
      if (stop.requested()) {
        // A clean stop deletes nothing: close without QUIT so the server discards any state.
        return;
      }
      if (settings.delete()) {
        deleteArchived(client, ledger, accountId, uidls, keyByNumber, counters);
      } else {
        client.quit();
      }
    }
  }

  /**
   * Fetches the plan in batches; each batch becomes one verified, committed frame. A finished frame
   * is verified and committed on a background thread while the next batch is fetched.
   */
  private void fetch(
      Pop3Client client,
      Ledger ledger,
      long accountId,
      long runId,
      String dirName,
      List<Planned> plan,
      Set<ArchivedKey> archived,
      Counters counters)
      throws IOException {
    ArchiveFile file = null;
    ArchiveFileRow fileRow = null;
    FrameCommitter committer = new FrameCommitter();
    try {
      int next = 0;
      while (next < plan.size() && !stop.requested()) {
        int end = next;
        long batchBytes = 0;
        while (end < plan.size()
            && end - next < settings.batchMessages()
            && (end == next || batchBytes < settings.batchBytes())) {
          batchBytes += plan.get(end).key().listSize();
          end++;
        }
        List<Planned> batch = plan.subList(next, end);
        Instant now = clock.instant();
        Path relativePath = ArchiveLayout.relativeFileFor(dirName, codec, now);
        String relative = relativePath.toString();
        if (fileRow == null || !fileRow.relativePath().equals(relative)) {
          // The ledger and the old file are needed here: the frame in flight must be settled first.
          settle(committer, null, archived, counters);
          if (file != null) {
            file.close();
            file = null;
          }
          // M9: a link leading outside is refused before the ledger learns of the file.
          root.file(relativePath);
          // The row exists (committed length 0) before the file gets its first byte, so recovery
          // knows it.
          fileRow = ledger.archiveFile(accountId, relative, codec.cliName());
          file = ArchiveFile.openForAppend(root, relativePath, codec, fileRow.committedLength());
          if (file.truncatedBytes() > 0) {
            notices.accept(
                "cut " + file.truncatedBytes() + " uncommitted bytes from " + file.path());
          }
        }
        fetchBatch(client, committer, ledger, runId, fileRow, file, batch, now, archived, counters);
        next = end;
      }
      settle(committer, null, archived, counters);
    } finally {
      if (committer.hasPending()) {
        // Only on a failure path that has not settled: learn the frame's fate before closing.
        try {
          settle(committer, null, archived, counters);
        } catch (IOException | RuntimeException ignored) {
          // The failure already thrown is the one to report; recovery cuts what stays (M3).
        }
      }
      committer.close();
      if (file != null) {
        file.close();
      }
    }
  }

  /**
   * Streams one batch into one frame and hands it to the committer; before that, settles the
   * previous frame (whose verification overlapped this batch's transfer).
   */
  private void fetchBatch(
      Pop3Client client,
      FrameCommitter committer,
      Ledger ledger,
      long runId,
      ArchiveFileRow fileRow,
      ArchiveFile file,
      List<Planned> batch,
      Instant now,
      Set<ArchivedKey> archived,
      Counters counters)
      throws IOException {
    Map<Integer, ArchivedKey> keys = new HashMap<>();
    List<Integer> numbers = new ArrayList<>(batch.size());
    for (Planned p : batch) {
      keys.put(p.number(), p.key());
      numbers.add(p.number());
    }
    List<NewMessage> rows = new ArrayList<>(batch.size());
    FrameWriter frame = file.beginFrame();
    try {
      try {
        client.retrieve(
            numbers,
            (number, body) -> {
              if (stop.requested()) {
                // Only between messages, so the frame holds whole messages only.
                throw new StopRequested();
              }
              ArchivedKey key = keys.get(number);
              HeaderCapture capture = new HeaderCapture(body);
              EncodedMessage encoded = frame.append(capture, now);
              HeaderSummary headers = capture.summary();
              progress.archived(encoded.wireLength());
              rows.add(
                  new NewMessage(
                      key.uidl(),
                      key.listSize(),
                      encoded.wireLength(),
                      encoded.sha256(),
                      encoded.offset(),
                      encoded.length(),
                      encoded.rawFromLine(),
                      encoded.noFinalNewline(),
                      headers.messageId(),
                      headers.date(),
                      headers.from(),
                      headers.subject(),
                      now));
            });
      } catch (StopRequested e) {
        // The session is abandoned (pipelined replies may be in flight); what was received is kept
        // below.
      }
      if (rows.isEmpty()) {
        frame.abort();
        settle(committer, null, archived, counters);
        return;
      }
      frame.finish();
      settle(committer, frame, archived, counters);
    } catch (IOException | RuntimeException | Error e) {
      // M4: this frame is cut back (it is never recorded here), then the previous one is settled.
      try {
        frame.abort();
      } catch (IOException | RuntimeException secondary) {
        e.addSuppressed(secondary);
      }
      if (committer.hasPending()) {
        try {
          settle(committer, null, archived, counters);
        } catch (IOException | RuntimeException | Error secondary) {
          e.addSuppressed(secondary);
        }
      }
      throw e;
    }
    // M1: the rows commit only after this frame is forced and re-read (on the committer's thread).
    // If the commit fails the bytes stay past the committed length, where the next run's recovery
    // cuts them (M3).
    committer.submit(
        frame,
        verified -> {
          ledger.commitFrame(fileRow.id(), runId, verified.offset(), verified.length(), rows);
          info.accept(
              "committed "
                  + rows.size()
                  + " messages: frame at offset "
                  + verified.offset()
                  + " ("
                  + verified.length()
                  + " bytes) of "
                  + fileRow.relativePath());
        },
        rows);
  }

  /**
   * Waits for the frame being verified and committed, if any, and counts its messages. If it
   * failed, cuts back {@code later} (the frame written meanwhile, if any) and, if it did not
   * verify, the frame itself, then throws its failure.
   */
  private void settle(
      FrameCommitter committer, FrameWriter later, Set<ArchivedKey> archived, Counters counters)
      throws IOException {
    if (!committer.hasPending()) {
      return;
    }
    FrameCommitter.Outcome outcome = committer.await();
    Throwable failure = outcome.failure();
    if (failure == null) {
      counters.newCount += outcome.rows().size();
      for (NewMessage row : outcome.rows()) {
        counters.bytes += row.wireLength();
        ArchivedKey key = new ArchivedKey(row.uidl(), row.listSize());
        archived.add(key);
        counters.gate.admit(key);
      }
      return;
    }
    if (later != null) {
      try {
        later.abort();
      } catch (IOException | RuntimeException secondary) {
        failure.addSuppressed(secondary);
      }
    }
    if (!outcome.verified()) {
      try {
        outcome.frame().abort();
      } catch (IOException | RuntimeException secondary) {
        failure.addSuppressed(secondary);
      }
    }
    Failures.rethrow(failure, "frame verification failed");
  }

  /** Hands the DELE phase to the deletion gate (M2, M7), the only path to DELE. */
  private void deleteArchived(
      Pop3Client client,
      Ledger ledger,
      long accountId,
      List<UidlEntry> uidls,
      Map<Integer, ArchivedKey> keyByNumber,
      Counters counters)
      throws IOException {
    int deleted =
        counters.gate.deleteAndQuit(
            uidls,
            keyByNumber,
            new DeletionGate.Session() {
              @Override
              public void delete(List<Integer> numbers) throws IOException {
                client.delete(numbers);
              }

              @Override
              public void reset() throws IOException {
                client.rset();
              }

              @Override
              public void quit() throws IOException {
                client.quit();
              }
            },
            (keys, when) -> ledger.markDeleted(accountId, keys, when),
            stop::requested,
            clock::instant,
            kept ->
                info.accept(
                    kept
                        + " message(s) stay on the server: not archived, or their archived copy"
                        + " was not verified in this run"));
    if (deleted > 0) {
      info.accept("deleted " + deleted + " archived messages from the server (QUIT answered +OK)");
    }
    counters.deletedCount = deleted;
  }

  /**
   * Guards {@code --delete} against a server that reuses a UIDL for another message of the same
   * size (the ledger keys on UIDL and LIST size): for every message that looks archived by an
   * earlier run, compares the Message-ID in its headers (TOP n 0, when offered) with the ones
   * archived under that key. A mismatch is fetched as a new message before anything is deleted.
   * Costs one TOP per such message; after a normal {@code --delete} run there are none left on the
   * server.
   */
  private void recheckReusedUidls(
      Pop3Client client,
      Ledger ledger,
      long accountId,
      List<UidlEntry> uidls,
      Map<Integer, ArchivedKey> keyByNumber,
      Set<ArchivedKey> archived,
      List<Planned> plan,
      Counters counters)
      throws IOException {
    if (!client.capabilities().contains("TOP")) {
      return;
    }
    Map<ArchivedKey, Set<String>> known = null;
    List<Integer> numbers = new ArrayList<>();
    for (UidlEntry entry : uidls) {
      ArchivedKey key = keyByNumber.get(entry.number());
      if (!archived.contains(key)) {
        continue;
      }
      if (known == null) {
        known = ledger.messageIds(accountId);
      }
      if (known.containsKey(key)) {
        numbers.add(entry.number());
      }
    }
    if (numbers.isEmpty()) {
      return;
    }
    // One pipelined TOP n 0 per candidate (the same window as RETR and DELE).
    Map<Integer, String> seen = new HashMap<>();
    client.top(
        numbers,
        0,
        (number, body) -> {
          HeaderCapture capture = new HeaderCapture(body);
          capture.transferTo(java.io.OutputStream.nullOutputStream());
          String id = capture.summary().messageId();
          seen.put(number, id == null ? "" : id);
        });
    for (int number : numbers) {
      ArchivedKey key = keyByNumber.get(number);
      if (!known.get(key).contains(seen.get(number))) {
        notices.accept(
            "UIDL "
                + key.uidl()
                + " (message "
                + number
                + ") now names a different message than the one archived under it;"
                + " archiving it before any deletion");
        plan.add(new Planned(number, key));
        counters.skippedCount--;
      }
    }
    plan.sort(java.util.Comparator.comparingInt(Planned::number));
  }

  private record Planned(int number, ArchivedKey key) {}

  /** Signals, from inside the RETR handler, that a stop was requested between two messages. */
  private static final class StopRequested extends IOException {
    private static final long serialVersionUID = 1L;

    StopRequested() {
      super("stop requested", null);
    }
  }

  private static List<String> concat(List<String> a, List<String> b) {
    List<String> all = new ArrayList<>(a);
    all.addAll(b);
    return all;
  }

  /** Adds what a re-read and repair did to the run's counts. */
  private static void account(ArchiveRepair.Result result, Counters counters) {
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

    RunOutcome outcome(Instant ended, String outcome, int exitCode, String error) {
      return new RunOutcome(
          ended, outcome, exitCode, newCount, skippedCount, deletedCount, bytes, error);
    }
  }
}
