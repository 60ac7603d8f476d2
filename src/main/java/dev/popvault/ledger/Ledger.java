package dev.popvault.ledger;

import dev.popvault.ledger.LedgerException.Kind;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

/**
 * Records what has been archived: the single source of truth for "archived" (DESIGN.md §5, M5).
 *
 * <p>One instance owns one SQLite connection to one ledger file. Methods are synchronized, so an
 * instance may be shared between threads; several processes may use the same file, and a writer
 * waits up to the busy timeout for another process's write to finish, then fails with {@link
 * Kind#LOCKED}.
 *
 * <p>Every write is one {@code BEGIN IMMEDIATE} transaction with {@code synchronous=FULL}: when a
 * method returns, its change is durable; when it throws, nothing of it was committed (except {@link
 * #markDeleted}, which documents its own rule). Reads run outside explicit transactions and see
 * only committed data.
 *
 * <p>Times are stored as milliseconds since the epoch, so instants read back are truncated to
 * milliseconds.
 *
 * <p>This class is the facade: it checks arguments, owns the connection and the transactions, and
 * hands the SQL work to package-private parts, one per table or concern ({@code Accounts}, {@code
 * Renames}, {@code Runs}, {@code ArchiveFiles}, {@code Frames}, {@code Messages}, {@code
 * LostMessages}, {@code Commits}, {@code Replacements}; {@code Schema} for migrations).
 */
public final class Ledger implements AutoCloseable {
  /** The busy timeout used by {@link #open(Path)}. */
  public static final Duration DEFAULT_BUSY_TIMEOUT = Duration.ofSeconds(10);

  /** Hidden system property (milliseconds) that replaces the default busy timeout in tests. */
  public static final String BUSY_TIMEOUT_PROPERTY = "popvault.ledger.busyTimeoutMillis";

  private static final long WAL_RETRY_MILLIS = 20;

  private final Path file;
  private final Duration busyTimeout;
  private Connection connection;

  // The per-table parts: each holds its table's SQL and runs inside the transaction given here.
  private final Sql sql;
  private final Accounts accounts;
  private final Renames renames;
  private final Runs runs;
  private final ArchiveFiles files;
  private final Messages messages;
  private final Frames frames;
  private final LostMessages lost;
  private final Commits commits;
  private final Replacements replacements;
  private final Catalog catalog;
  private final Uploads uploads;

  private Ledger(Path file, Duration busyTimeout, Connection connection) {
    this.file = file;
    this.busyTimeout = busyTimeout;
    this.connection = connection;
    sql = new Sql(connection, file);
    accounts = new Accounts(sql);
    renames = new Renames(sql);
    runs = new Runs(sql);
    files = new ArchiveFiles(sql);
    messages = new Messages(sql);
    frames = new Frames(sql, messages);
    lost = new LostMessages(sql);
    commits = new Commits(sql, files, runs, frames, messages);
    replacements = new Replacements(sql, files, frames, messages, lost);
    catalog = new Catalog(sql);
    uploads = new Uploads(sql);
  }

  /**
   * Opens or creates the ledger at {@code file} with a busy timeout of 10 s (see {@link
   * #BUSY_TIMEOUT_PROPERTY}) and brings its schema up to date.
   *
   * @throws LedgerException {@link Kind#IO} if the file or its directories cannot be created or
   *     opened, {@link Kind#CORRUPT} if it is not a popvault ledger, {@link Kind#NEWER_SCHEMA} if a
   *     newer popvault wrote it, {@link Kind#LOCKED} if a migration waited too long for another
   *     process
   */
  public static Ledger open(Path file) throws LedgerException {
    return open(file, busyTimeout());
  }

  /**
   * Returns the busy timeout for {@link #open(Path)}: {@link #DEFAULT_BUSY_TIMEOUT}, unless the
   * system property {@value #BUSY_TIMEOUT_PROPERTY} (milliseconds, for tests) says otherwise.
   */
  static Duration busyTimeout() {
    String millis = System.getProperty(BUSY_TIMEOUT_PROPERTY);
    if (millis == null || millis.isBlank()) {
      return DEFAULT_BUSY_TIMEOUT;
    }
    try {
      long ms = Long.parseLong(millis.trim());
      if (ms >= 0 && ms <= Integer.MAX_VALUE) {
        return Duration.ofMillis(ms);
      }
    } catch (NumberFormatException e) {
      // Fall through: a bad test setting must not change what users get.
    }
    return DEFAULT_BUSY_TIMEOUT;
  }

  /**
   * Opens or creates the ledger at {@code file}, waiting at most {@code busyTimeout} for another
   * process's write lock on every write. A new file is created 0600 (missing parent directories
   * 0700) before SQLite opens it. Then sets WAL journaling, {@code synchronous=FULL}, foreign keys,
   * and applies each missing migration in its own transaction, tracked by {@code PRAGMA
   * user_version}.
   *
   * @throws LedgerException as for {@link #open(Path)}
   */
  public static Ledger open(Path file, Duration busyTimeout) throws LedgerException {
    Objects.requireNonNull(file, "file");
    Objects.requireNonNull(busyTimeout, "busyTimeout");
    if (busyTimeout.isNegative() || busyTimeout.toMillis() > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("busy timeout out of range: " + busyTimeout);
    }
    NativeLibrary.prepare(System.getenv());
    String absolute = file.toAbsolutePath().toString();
    // sqlite-jdbc reads a '?' in its URL as the start of connection parameters, which would open a
    // file other than the one created with private permissions here.
    if (absolute.indexOf('?') >= 0) {
      throw new LedgerException(
          Kind.IO, "cannot open ledger " + file + ": its path must not contain '?'");
    }
    LedgerFiles.createIfMissing(file);
    Connection c;
    try {
      c = DriverManager.getConnection("jdbc:sqlite:" + absolute);
    } catch (SQLException e) {
      throw SqliteErrors.map(e, file, busyTimeout);
    }
    Ledger ledger = new Ledger(file, busyTimeout, c);
    try {
      ledger.configure();
      ledger.migrate();
      return ledger;
    } catch (LedgerException | RuntimeException e) {
      ledger.close();
      throw e;
    }
  }

  /** Returns the ledger file as given to {@link #open}. */
  public Path file() {
    return file;
  }

  private void configure() throws LedgerException {
    try (Statement s = connection.createStatement()) {
      s.execute("PRAGMA busy_timeout = " + busyTimeout.toMillis());
      String mode = enableWal(s);
      if (!"wal".equalsIgnoreCase(mode)) {
        throw new LedgerException(
            Kind.IO, "cannot use WAL journaling for ledger " + file + " (got " + mode + ")");
      }
      s.execute("PRAGMA synchronous = FULL");
      s.execute("PRAGMA foreign_keys = ON");
    } catch (SQLException e) {
      throw SqliteErrors.map(e, file, busyTimeout);
    }
  }

  /**
   * Switches the file to WAL journaling and returns the resulting mode. While another connection
   * has the file open, the switch fails with SQLITE_BUSY at once, without calling the busy handler
   * (this happens when two processes create a ledger together); it is retried until the busy
   * timeout.
   */
  private String enableWal(Statement s) throws SQLException, LedgerException {
    long deadline = System.nanoTime() + busyTimeout.toNanos();
    while (true) {
      try (ResultSet r = s.executeQuery("PRAGMA journal_mode = WAL")) {
        return r.next() ? r.getString(1) : "";
      } catch (SQLException e) {
        if (!SqliteErrors.isBusy(e) || System.nanoTime() - deadline >= 0) {
          throw e;
        }
      }
      try {
        Thread.sleep(WAL_RETRY_MILLIS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new LedgerException(
            Kind.LOCKED, "interrupted while waiting for the lock on ledger " + file, e);
      }
    }
  }

  private void migrate() throws LedgerException {
    int latest = Schema.latestVersion();
    int version = read(() -> Schema.checkVersion(connection, file));
    for (int target = version + 1; target <= latest; target++) {
      int to = target;
      write(
          () -> {
            // Another process may have migrated between our read and our write lock.
            if (Schema.checkVersion(connection, file) >= to) {
              return null;
            }
            Schema.MIGRATIONS.get(to - 1).apply(connection, sql);
            try (Statement s = connection.createStatement()) {
              s.execute("PRAGMA user_version = " + to);
            }
            return null;
          });
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Accounts and renames

  /**
   * Finds or creates the account row by {@code name} and returns its id; records new host, port and
   * user if they changed. Writes nothing when the row is already up to date.
   */
  public synchronized long account(String name, String host, int port, String user)
      throws LedgerException {
    Accounts.checkName(name);
    Objects.requireNonNull(host, "host");
    Objects.requireNonNull(user, "user");
    if (host.isEmpty()) {
      throw new IllegalArgumentException("empty host");
    }
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("port out of range: " + port);
    }
    Long current = read(() -> accounts.matching(name, host, port, user));
    if (current != null) {
      return current;
    }
    return write(
        () -> {
          Long id = accounts.matching(name, host, port, user);
          return id != null ? id : accounts.upsert(name, host, port, user);
        });
  }

  /** Returns the id of the account named {@code name}, if the ledger has one. */
  public synchronized OptionalLong findAccount(String name) throws LedgerException {
    Accounts.checkName(name);
    return read(() -> accounts.find(name));
  }

  /** Returns the names of all accounts, sorted. */
  public synchronized List<String> accountNames() throws LedgerException {
    return read(accounts::names);
  }

  // Account identity and renames (popvault rename). One mailbox (user@host:port) has one account.

  /** Returns every account, each with the target of its unfinished rename if any, by name. */
  public synchronized List<AccountRow> accounts() throws LedgerException {
    return read(accounts::all);
  }

  /**
   * Creates an account row and returns its id. Checked inside the write transaction, so that two
   * runs starting together cannot give one mailbox two accounts.
   *
   * @throws LedgerException {@link Kind#CONFLICT} if {@code name} is taken or is the target of an
   *     unfinished rename, or if another account archives the same mailbox (host without case)
   */
  public synchronized long createAccount(String name, String host, int port, String user)
      throws LedgerException {
    Accounts.checkName(name);
    Objects.requireNonNull(host, "host");
    Objects.requireNonNull(user, "user");
    return write(() -> accounts.create(name, host, port, user));
  }

  /** Records that the account's mailbox is now reached as {@code user@host:port}. */
  public synchronized void moveAccount(long accountId, String host, int port, String user)
      throws LedgerException {
    write(
        () -> {
          accounts.move(accountId, host, port, user);
          return null;
        });
  }

  /** Returns how many messages the account has archived (deleted from the server or not). */
  public synchronized long messageCount(long accountId) throws LedgerException {
    return read(() -> messages.count(accountId));
  }

  /**
   * Returns the codec of the account's current archive file: the one that received the account's
   * newest frame, else (no frame committed yet) its newest file; null if it has no file.
   */
  public synchronized String currentCodec(long accountId) throws LedgerException {
    return read(() -> files.currentCodec(accountId));
  }

  /**
   * Records the first step of a rename: the account's directory {@code oldDir} is about to move to
   * {@code newDir}. Until {@link #finishRename} the account shows {@link AccountRow#renamingTo()}.
   *
   * @throws LedgerException {@link Kind#CONFLICT} if {@code newName} is an account or the target of
   *     another rename, if archive paths under {@code newDir/} are recorded, or if the account has
   *     an unfinished rename already
   */
  public synchronized void beginRename(long accountId, String newName, String oldDir, String newDir)
      throws LedgerException {
    Accounts.checkName(newName);
    ArchiveFileRow.checkRelativePath(oldDir);
    ArchiveFileRow.checkRelativePath(newDir);
    write(
        () -> {
          renames.begin(accountId, newName, oldDir, newDir);
          return null;
        });
  }

  /**
   * Finishes a rename begun with {@link #beginRename}, in one transaction: gives the account its
   * new name, rewrites every archive file path from {@code oldDir/} to {@code newDir/} and forgets
   * the unfinished rename.
   *
   * @throws LedgerException {@link Kind#CORRUPT} if one of the account's paths is not under {@code
   *     oldDir/}; {@link Kind#CONFLICT} if the account has no unfinished rename
   */
  public synchronized void finishRename(long accountId) throws LedgerException {
    write(
        () -> {
          renames.finish(accountId);
          return null;
        });
  }

  // ---------------------------------------------------------------------------------------------
  // What is archived

  /**
   * Returns every (uidl, LIST size) recorded for the account, deleted from the server or not, in
   * one query. A message whose key is in this set is archived and must not be downloaded again. The
   * set is new and belongs to the caller, who may change it.
   */
  public synchronized Set<ArchivedKey> archivedKeys(long accountId) throws LedgerException {
    return read(() -> messages.keys(accountId));
  }

  /**
   * Returns when each key of the account was first archived. A key recorded more than once (same
   * UIDL and size, different content) maps to its earliest time.
   */
  public synchronized Map<ArchivedKey, Instant> firstArchived(long accountId)
      throws LedgerException {
    return read(() -> messages.firstArchived(accountId));
  }

  /**
   * Returns, for each (uidl, LIST size) of the account, the Message-IDs recorded under it (an empty
   * string stands for "no Message-ID header"). Lets a run notice a server that reuses a UIDL for
   * another message of the same size before deleting anything.
   */
  public synchronized Map<ArchivedKey, Set<String>> messageIds(long accountId)
      throws LedgerException {
    return read(() -> messages.messageIds(accountId));
  }

  // ---------------------------------------------------------------------------------------------
  // Archive files and frames

  /**
   * Returns the account's archive files, sorted by path.
   *
   * @throws LedgerException {@link Kind#CORRUPT} if a recorded path is absolute or leaves the
   *     archive directory
   */
  public synchronized List<ArchiveFileRow> archiveFiles(long accountId) throws LedgerException {
    return read(() -> files.ofAccount(accountId));
  }

  /**
   * Finds the account's archive file row by relative path, or creates it with committed length 0.
   * The row is committed when this returns, before any byte of the file is written, so recovery
   * always knows the file.
   *
   * @throws LedgerException {@link Kind#CONFLICT} if the path belongs to another account or was
   *     recorded with another codec
   */
  public synchronized ArchiveFileRow archiveFile(long accountId, String relativePath, String codec)
      throws LedgerException {
    ArchiveFileRow.checkRelativePath(relativePath);
    Objects.requireNonNull(codec, "codec");
    if (codec.isEmpty()) {
      throw new IllegalArgumentException("empty codec name");
    }
    return write(() -> files.findOrCreate(accountId, relativePath, codec));
  }

  /**
   * Returns the committed frames of a file in offset order, each with its messages in offset order.
   * Reads everything in one query, so the result is one consistent snapshot.
   */
  public synchronized List<FrameRow> frames(long fileId) throws LedgerException {
    return read(() -> frames.withMessages(fileId));
  }

  // ---------------------------------------------------------------------------------------------
  // Verification and repair (M7)

  /**
   * Returns the ids of the frames that hold a message of the account filed under one of {@code
   * keys} (every copy of each key, so that a key can be judged by all of its rows).
   */
  public synchronized Set<Long> frameIdsHolding(long accountId, Collection<ArchivedKey> keys)
      throws LedgerException {
    return read(() -> messages.frameIdsHolding(accountId, keys));
  }

  /** Records that these frames read back intact from disk at {@code when}. */
  public synchronized void markVerified(Collection<Long> frameIds, Instant when)
      throws LedgerException {
    Objects.requireNonNull(when, "when");
    if (frameIds.isEmpty()) {
      return;
    }
    write(
        () -> {
          frames.markVerified(frameIds, when);
          return null;
        });
  }

  /** Returns when each frame of the file last read back intact (absent: never recorded). */
  public synchronized Map<Long, Instant> frameVerifiedAt(long fileId) throws LedgerException {
    return read(() -> frames.verifiedAt(fileId));
  }

  /**
   * Records a verified rewrite of an archive file in one transaction (see {@link FileReplacement}):
   * kept frames move to their new offsets, the dropped frames' messages point at their fresh copies
   * or move to the lost list, the dropped frames go, the file's committed length becomes the
   * rewrite's length, and the pending rename is recorded. Call only after the rewrite is forced and
   * read back intact; rename it into place afterwards, then call {@link #replacementDone}.
   *
   * @throws LedgerException {@link Kind#CONFLICT} if a dropped frame still holds a message that is
   *     neither repaired nor lost, or a message is unknown; nothing is committed then
   */
  public synchronized void replaceFile(FileReplacement r, Instant lostAt) throws LedgerException {
    Objects.requireNonNull(lostAt, "lostAt");
    write(
        () -> {
          replacements.replace(r, lostAt);
          return null;
        });
  }

  /** Returns the account's file rewrites whose renames may still be due. */
  public synchronized List<PendingReplacement> pendingReplacements(long accountId)
      throws LedgerException {
    return read(() -> files.pendingReplacements(accountId));
  }

  /** Records that a file's rewrite is in place (see {@link #replaceFile}). */
  public synchronized void replacementDone(long fileId) throws LedgerException {
    write(
        () -> {
          files.replacementDone(fileId);
          return null;
        });
  }

  /** Returns the account's lost messages, oldest loss first. */
  public synchronized List<LostMessage> lostMessages(long accountId) throws LedgerException {
    return read(() -> lost.ofAccount(accountId));
  }

  // ---------------------------------------------------------------------------------------------
  // Runs

  /** Records the start of an archive run of the account and returns the run's id. */
  public synchronized long beginRun(long accountId, Instant started) throws LedgerException {
    return beginRun(accountId, started, RunKind.ARCHIVE);
  }

  /** Records the start of a run of the given kind and returns the run's id. */
  public synchronized long beginRun(long accountId, Instant started, RunKind kind)
      throws LedgerException {
    Objects.requireNonNull(started, "started");
    Objects.requireNonNull(kind, "kind");
    return write(() -> runs.begin(accountId, started, kind));
  }

  /**
   * Records the start of an import (`popvault import`) of {@code source} into the account: an
   * archive run whose messages come from a file or Maildir; returns the run's id.
   */
  public synchronized long beginImportRun(long accountId, Instant started, String source)
      throws LedgerException {
    Objects.requireNonNull(started, "started");
    return write(() -> runs.begin(accountId, started, RunKind.ARCHIVE, source));
  }

  /** Hex SHA-256 of every message archived for the account, for de-duplication by content. */
  public synchronized Set<String> digests(long accountId) throws LedgerException {
    return read(
        () -> {
          Set<String> digests = new HashSet<>();
          java.util.HexFormat hex = java.util.HexFormat.of();
          sql.each(
              "SELECT sha256 FROM message WHERE account_id = ?",
              r -> digests.add(hex.formatHex(r.getBytes(1))),
              accountId);
          return digests;
        });
  }

  /**
   * Records how a run ended.
   *
   * @throws LedgerException {@link Kind#CONFLICT} if the run was already ended
   */
  public synchronized void endRun(long runId, RunOutcome outcome) throws LedgerException {
    Objects.requireNonNull(outcome, "outcome");
    write(
        () -> {
          runs.end(runId, outcome);
          return null;
        });
  }

  /** Returns the account's most recent runs, newest first, at most {@code limit} of them. */
  public synchronized List<RunRow> runs(long accountId, int limit) throws LedgerException {
    if (limit < 0) {
      throw new IllegalArgumentException("negative limit " + limit);
    }
    return read(() -> runs.recent(accountId, limit));
  }

  // ---------------------------------------------------------------------------------------------
  // Committing

  /**
   * Commits a frame that has been forced to disk and verified (M1): in one transaction inserts the
   * frame, its messages, and sets the file's committed length to {@code frameOffset + frameLength}.
   *
   * <p>Precondition, checked inside the transaction: the file's committed length equals {@code
   * frameOffset}, that is, this frame directly follows the last committed one. Messages must be in
   * frame order without overlap.
   *
   * @throws LedgerException {@link Kind#CONFLICT} if the committed length differs from {@code
   *     frameOffset} or a message's (uidl, size, sha256) is already recorded for the account;
   *     nothing is committed then
   * @throws IllegalArgumentException if the file or run does not exist, they belong to different
   *     accounts, {@code messages} is empty, or the arguments are inconsistent
   */
  public synchronized void commitFrame(
      long fileId, long runId, long frameOffset, long frameLength, List<MessageRow> messages)
      throws LedgerException {
    if (frameOffset < 0 || frameLength <= 0) {
      throw new IllegalArgumentException(
          "invalid frame range: offset " + frameOffset + ", length " + frameLength);
    }
    if (frameOffset > Long.MAX_VALUE - frameLength) {
      throw new IllegalArgumentException("frame end overflows");
    }
    List<MessageRow> batch = List.copyOf(messages);
    if (batch.isEmpty()) {
      throw new IllegalArgumentException("a frame must hold at least one message");
    }
    long end = 0;
    for (MessageRow m : batch) {
      if (m.deletedAt() != null) {
        throw new IllegalArgumentException("a message to commit cannot be deleted already");
      }
      if (m.offsetInFrame() < end) {
        throw new IllegalArgumentException("messages out of frame order or overlapping");
      }
      end = m.offsetInFrame() + m.encodedLength();
    }
    write(
        () -> {
          commits.commit(fileId, runId, frameOffset, frameLength, batch);
          return null;
        });
  }

  /**
   * Records that these messages of the account were deleted from the server at {@code when}. Call
   * only after the server answered QUIT with +OK (M2, RFC 1939 §6). A message already marked keeps
   * its first deletion time. A key recorded more than once (same UIDL and size, different content)
   * is marked on every row.
   *
   * @throws IllegalArgumentException if some key is not in the ledger for this account: the server
   *     deleted a message that was never archived, which is a bug. The known keys are committed
   *     before this is thrown, because the deletions did happen.
   */
  public synchronized void markDeleted(long accountId, Collection<ArchivedKey> keys, Instant when)
      throws LedgerException {
    Objects.requireNonNull(when, "when");
    List<ArchivedKey> batch = List.copyOf(keys);
    if (batch.isEmpty()) {
      return;
    }
    int unknown = write(() -> messages.markDeleted(accountId, batch, when));
    if (unknown > 0) {
      throw new IllegalArgumentException(
          unknown
              + " of "
              + batch.size()
              + " deleted messages are not in the ledger for account "
              + accountId
              + " (the others were recorded)");
    }
  }

  /**
   * Records, in one transaction, what the server deleted when it answered QUIT with +OK: {@code
   * archived} messages get their deleted time (see {@link #markDeleted}); {@code unarchived} ones,
   * which the ledger holds no copy of ({@code delete --unarchived-too}), are recorded with the run.
   *
   * @throws IllegalArgumentException if an archived key is not in the ledger (nothing is recorded)
   */
  public synchronized void recordDeletions(
      long accountId,
      long runId,
      Collection<ArchivedKey> archived,
      Collection<ArchivedKey> unarchived,
      Instant when)
      throws LedgerException {
    Objects.requireNonNull(when, "when");
    List<ArchivedKey> known = List.copyOf(archived);
    List<ArchivedKey> others = List.copyOf(unarchived);
    if (known.isEmpty() && others.isEmpty()) {
      return;
    }
    write(
        () -> {
          int unknown = known.isEmpty() ? 0 : messages.markDeleted(accountId, known, when);
          if (unknown > 0) {
            throw new IllegalArgumentException(
                unknown + " of " + known.size() + " deleted messages are not in the ledger");
          }
          runs.recordUnarchivedDeletions(accountId, runId, others, when);
          return null;
        });
  }

  /**
   * Records a login to the account's server and the login delay it announced (RFC 2449 LOGIN-DELAY,
   * seconds; null when it announced none).
   */
  public synchronized void recordLogin(long accountId, Instant at, Integer loginDelaySeconds)
      throws LedgerException {
    Objects.requireNonNull(at, "at");
    write(
        () ->
            sql.update(
                "UPDATE account SET last_login = ?, login_delay = ? WHERE id = ?",
                at,
                loginDelaySeconds,
                accountId));
  }

  /**
   * When the account's server allows the next login: the last login plus the LOGIN-DELAY it
   * announced then; empty when either is unknown.
   */
  public synchronized Optional<Instant> nextLoginAllowed(long accountId) throws LedgerException {
    return Optional.ofNullable(
        read(
            () ->
                sql.first(
                    "SELECT last_login + 1000 * login_delay FROM account WHERE id = ?"
                        + " AND last_login IS NOT NULL AND login_delay IS NOT NULL",
                    r -> Instant.ofEpochMilli(r.getLong(1)),
                    accountId)));
  }

  /** Sums what the ledger holds for the account ({@code popvault status}). */
  public synchronized AccountTotals totals(long accountId) throws LedgerException {
    return read(
        () ->
            sql.first(
                "SELECT (SELECT count(*) FROM message WHERE account_id = a.id),"
                    + " (SELECT coalesce(sum(wire_length), 0) FROM message WHERE account_id = a.id),"
                    + " (SELECT count(*) FROM message WHERE account_id = a.id"
                    + " AND deleted_at IS NOT NULL),"
                    + " (SELECT count(*) FROM lost_message WHERE account_id = a.id),"
                    + " (SELECT count(*) FROM unarchived_deletion WHERE account_id = a.id),"
                    + " (SELECT count(*) FROM archive_file WHERE account_id = a.id),"
                    + " (SELECT min(archived_at) FROM message WHERE account_id = a.id),"
                    + " a.last_login FROM account a WHERE a.id = ?",
                r ->
                    new AccountTotals(
                        r.getLong(1),
                        r.getLong(2),
                        r.getLong(3),
                        r.getLong(4),
                        r.getLong(5),
                        r.getLong(6),
                        r.getObject(7) == null ? null : Instant.ofEpochMilli(r.getLong(7)),
                        r.getObject(8) == null ? null : Instant.ofEpochMilli(r.getLong(8))),
                accountId));
  }

  /**
   * Counts the account's archived messages not known to be deleted that were first archived before
   * {@code cutoff}: what a deletion policy makes due, as far as the ledger knows.
   */
  public synchronized long undeletedArchivedBefore(long accountId, Instant cutoff)
      throws LedgerException {
    return read(
        () ->
            sql.number(
                "SELECT count(*) FROM (SELECT uidl, size FROM message WHERE account_id = ?"
                    + " AND uidl NOT LIKE 'imported %'"
                    + " GROUP BY uidl, size HAVING max(deleted_at IS NULL) = 1"
                    + " AND min(archived_at) <= ?)",
                accountId, cutoff));
  }

  /**
   * Finds archived messages by UIDL or Message-ID (with or without its angle brackets), in every
   * account or in {@code account} only, oldest first.
   */
  public synchronized List<StoredMessage> locate(String uidlOrMessageId, String account)
      throws LedgerException {
    String bare = uidlOrMessageId.strip();
    String bracketed = bare.startsWith("<") ? bare : "<" + bare + ">";
    return read(
        () ->
            sql.all(
                "SELECT a.name, m.uidl, m.size, m.message_id, af.path, af.codec, f.file_offset,"
                    + " f.byte_length, m.frame_offset, m.encoded_length, m.wire_length, m.sha256,"
                    + " m.raw_from_line, m.no_final_newline"
                    + " FROM message m JOIN frame f ON f.id = m.frame_id"
                    + " JOIN archive_file af ON af.id = f.file_id"
                    + " JOIN account a ON a.id = m.account_id"
                    + " WHERE (m.uidl = ? OR m.message_id = ? OR m.message_id = ?)"
                    + " AND (? IS NULL OR a.name = ?)"
                    + " ORDER BY m.archived_at, m.id",
                r ->
                    new StoredMessage(
                        r.getString(1),
                        r.getString(2),
                        r.getLong(3),
                        r.getString(4),
                        r.getString(5),
                        r.getString(6),
                        r.getLong(7),
                        r.getLong(8),
                        r.getLong(9),
                        r.getLong(10),
                        r.getLong(11),
                        r.getBytes(12),
                        r.getLong(13),
                        r.getInt(14) == 1),
                bare,
                bare,
                bracketed,
                account,
                account));
  }

  /**
   * Finds archived messages in the catalog, in every account unless the filter names one; oldest
   * Date first, undated ones last; at most {@code limit}.
   *
   * @throws LedgerException {@link Kind#USAGE} if the filter's full-text query is malformed
   */
  public synchronized List<CatalogEntry> search(CatalogFilter filter, int limit)
      throws LedgerException {
    return read(() -> catalog.search(filter, limit));
  }

  /** Up to {@code limit} messages whose To and Cc the catalog has yet to read from the archive. */
  public synchronized List<CatalogEntry> uncataloged(int limit) throws LedgerException {
    return read(() -> catalog.uncataloged(limit));
  }

  /** How many messages the catalog's back-fill has yet to read. */
  public synchronized long uncatalogedCount() throws LedgerException {
    return read(catalog::uncatalogedCount);
  }

  /** Records the To and Cc read from archived copies (the catalog back-fill), in one commit. */
  public synchronized void recordAddresses(List<CatalogAddresses> read) throws LedgerException {
    if (read.isEmpty()) {
      return;
    }
    write(
        () -> {
          for (CatalogAddresses a : read) {
            catalog.recordAddresses(a.messageRowId(), a.to(), a.cc());
          }
          return null;
        });
  }

  /** Message row id → 'appending' or 'done', for every upload to {@code destination}. */
  public synchronized Map<Long, String> uploadStates(String destination) throws LedgerException {
    return read(() -> uploads.states(destination));
  }

  /** Hex SHA-256 of each message already uploaded to {@code destination}, from any account. */
  public synchronized Set<String> uploadedDigests(String destination) throws LedgerException {
    return read(() -> uploads.doneDigests(destination));
  }

  /**
   * Records, durably, that the APPEND of a message to {@code destination} is about to be sent. A
   * 'done' upload stays done.
   */
  public synchronized void beginUpload(long messageRowId, String destination, Instant at)
      throws LedgerException {
    write(
        () -> {
          uploads.begin(messageRowId, destination, at);
          return null;
        });
  }

  /**
   * Records that {@code destination} holds the message (the server confirmed the APPEND, or the
   * message was found there), with its UIDVALIDITY and UID when known.
   */
  public synchronized void finishUpload(
      long messageRowId, String destination, Long uidValidity, Long uid, Instant at)
      throws LedgerException {
    write(
        () -> {
          uploads.finish(messageRowId, destination, uidValidity, uid, at);
          return null;
        });
  }

  /**
   * Removes an account that a run created and that never got further than its login: its run rows
   * and the account row, in one transaction, and only if nothing else refers to it (no archive
   * file, message, adopted UIDL, deletion record, lost message or rename). Returns whether it was
   * removed. So a first run with a wrong password or an unreachable server leaves no account
   * behind.
   */
  public synchronized boolean forgetUnusedAccount(long accountId) throws LedgerException {
    return write(
        () -> {
          long refs =
              sql.number(
                  "SELECT (SELECT count(*) FROM archive_file WHERE account_id = ?)"
                      + " + (SELECT count(*) FROM message WHERE account_id = ?)"
                      + " + (SELECT count(*) FROM adopted WHERE account_id = ?)"
                      + " + (SELECT count(*) FROM unarchived_deletion WHERE account_id = ?)"
                      + " + (SELECT count(*) FROM lost_message WHERE account_id = ?)"
                      + " + (SELECT count(*) FROM account_rename WHERE account_id = ?)",
                  accountId,
                  accountId,
                  accountId,
                  accountId,
                  accountId,
                  accountId);
          if (refs > 0) {
            return false;
          }
          sql.update("DELETE FROM run WHERE account_id = ?", accountId);
          return sql.update("DELETE FROM account WHERE id = ?", accountId) == 1;
        });
  }

  /**
   * Records UIDLs another tool downloaded for the account ({@code popvault adopt}); returns how
   * many were new here. They only keep the first run from fetching those messages again: they are
   * never a reason to delete (M10).
   *
   * @param slashAsDash the tool wrote '/' in a UIDL as '-' (getmail): matched in that form
   */
  public synchronized int adopt(
      long accountId, Collection<String> uidls, boolean slashAsDash, String source, Instant when)
      throws LedgerException {
    Objects.requireNonNull(when, "when");
    List<String> batch = List.copyOf(uidls);
    return write(
        () -> {
          int added = 0;
          for (String uidl : batch) {
            added +=
                sql.update(
                    "INSERT OR IGNORE INTO adopted(account_id, uidl, slash_as_dash, source,"
                        + " adopted_at) VALUES (?, ?, ?, ?, ?)",
                    accountId,
                    uidl,
                    slashAsDash,
                    source,
                    when);
          }
          return added;
        });
  }

  /**
   * Tells, for a listed UIDL, whether another tool's state says it was downloaded already (see
   * {@link #adopt}). Returns a test over UIDLs built from one read of the table.
   */
  public synchronized java.util.function.Predicate<String> adoptedUidls(long accountId)
      throws LedgerException {
    Set<String> exact = new HashSet<>();
    Set<String> dashed = new HashSet<>();
    read(
        () -> {
          for (Object[] row :
              sql.all(
                  "SELECT uidl, slash_as_dash FROM adopted WHERE account_id = ?",
                  r -> new Object[] {r.getString(1), r.getInt(2) == 1},
                  accountId)) {
            ((Boolean) row[1] ? dashed : exact).add((String) row[0]);
          }
          return null;
        });
    if (exact.isEmpty() && dashed.isEmpty()) {
      return uidl -> false;
    }
    return uidl ->
        exact.contains(uidl) || (!dashed.isEmpty() && dashed.contains(uidl.replace('/', '-')));
  }

  /** How many messages the server deleted that were never archived here, for the account. */
  public synchronized long unarchivedDeletions(long accountId) throws LedgerException {
    return read(
        () ->
            sql.number("SELECT count(*) FROM unarchived_deletion WHERE account_id = ?", accountId));
  }

  // ---------------------------------------------------------------------------------------------
  // Transactions

  /** Does work that may fail with SQL or ledger errors and returns its result. */
  @FunctionalInterface
  private interface Work<T> {
    T run() throws SQLException, LedgerException;
  }

  private <T> T read(Work<T> work) throws LedgerException {
    ensureOpen();
    try {
      return work.run();
    } catch (SQLException e) {
      throw SqliteErrors.map(e, file, busyTimeout);
    }
  }

  /**
   * Runs {@code work} in one {@code BEGIN IMMEDIATE} transaction: the write lock is taken up front,
   * so two writers never deadlock upgrading read locks, and a busy ledger fails before any work.
   * Commits if {@code work} returns; rolls back on any exception, which is then rethrown.
   */
  private <T> T write(Work<T> work) throws LedgerException {
    ensureOpen();
    try (Statement s = connection.createStatement()) {
      s.execute("BEGIN IMMEDIATE");
      T result;
      try {
        result = work.run();
        s.execute("COMMIT");
      } catch (SQLException | LedgerException | RuntimeException e) {
        rollback(s, e);
        throw e;
      }
      return result;
    } catch (SQLException e) {
      throw SqliteErrors.map(e, file, busyTimeout);
    }
  }

  private static void rollback(Statement s, Exception cause) {
    try {
      s.execute("ROLLBACK");
    } catch (SQLException e) {
      // SQLite rolls back by itself after some errors (I/O, disk full); then there is nothing left.
      cause.addSuppressed(e);
    }
  }

  private void ensureOpen() {
    if (connection == null) {
      throw new IllegalStateException("ledger " + file + " is closed");
    }
  }

  /**
   * Closes the connection; SQLite checkpoints the WAL into the database file. Idempotent. Committed
   * data is durable already, so a failure here loses nothing and is not reported.
   */
  @Override
  public synchronized void close() {
    if (connection == null) {
      return;
    }
    try {
      connection.close();
    } catch (SQLException ignored) {
      // See the method contract: commits were durable before close.
    } finally {
      connection = null;
    }
  }
}
