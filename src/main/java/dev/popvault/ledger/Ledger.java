package dev.popvault.ledger;

import dev.popvault.ledger.LedgerException.Kind;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
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

  private Ledger(Path file, Duration busyTimeout, Connection connection) {
    this.file = file;
    this.busyTimeout = busyTimeout;
    this.connection = connection;
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
    int version = read(this::checkVersion);
    for (int target = version + 1; target <= latest; target++) {
      int to = target;
      write(
          () -> {
            // Another process may have migrated between our read and our write lock.
            int current = checkVersion();
            if (current >= to) {
              return null;
            }
            try (Statement s = connection.createStatement()) {
              for (String sql : Schema.MIGRATIONS.get(to - 1)) {
                s.execute(sql);
              }
              s.execute("PRAGMA user_version = " + to);
            }
            return null;
          });
    }
  }

  /** Returns user_version after checking that this is a popvault ledger this code understands. */
  private int checkVersion() throws SQLException, LedgerException {
    int version;
    int applicationId;
    int objects;
    // One statement, so one snapshot: another process may commit a migration between two reads.
    try (Statement s = connection.createStatement();
        ResultSet r =
            s.executeQuery(
                "SELECT (SELECT user_version FROM pragma_user_version),"
                    + " (SELECT application_id FROM pragma_application_id),"
                    + " (SELECT count(*) FROM sqlite_schema)")) {
      r.next();
      version = r.getInt(1);
      applicationId = r.getInt(2);
      objects = r.getInt(3);
    }
    if (version == 0 && objects > 0 || version > 0 && applicationId != Schema.APPLICATION_ID) {
      throw new LedgerException(
          Kind.CORRUPT, "ledger " + file + " is a SQLite database but not a popvault ledger");
    }
    int latest = Schema.latestVersion();
    if (version > latest) {
      throw new LedgerException(
          Kind.NEWER_SCHEMA,
          "ledger "
              + file
              + " has schema version "
              + version
              + "; this popvault understands up to "
              + latest
              + " — upgrade popvault");
    }
    return version;
  }

  // ---------------------------------------------------------------------------------------------
  // Accounts

  /**
   * Finds or creates the account row by {@code name} and returns its id; records new host, port and
   * user if they changed. Writes nothing when the row is already up to date.
   */
  public synchronized long account(String name, String host, int port, String user)
      throws LedgerException {
    checkName(name);
    Objects.requireNonNull(host, "host");
    Objects.requireNonNull(user, "user");
    if (host.isEmpty()) {
      throw new IllegalArgumentException("empty host");
    }
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("port out of range: " + port);
    }
    Long current = read(() -> matchingAccount(name, host, port, user));
    if (current != null) {
      return current;
    }
    return write(
        () -> {
          Long id = matchingAccount(name, host, port, user);
          if (id != null) {
            return id;
          }
          try (PreparedStatement p =
              connection.prepareStatement(
                  "INSERT INTO account(name, host, port, user) VALUES (?, ?, ?, ?)"
                      + " ON CONFLICT(name) DO UPDATE SET"
                      + " host = excluded.host, port = excluded.port, user = excluded.user"
                      + " RETURNING id")) {
            p.setString(1, name);
            p.setString(2, host);
            p.setInt(3, port);
            p.setString(4, user);
            try (ResultSet r = p.executeQuery()) {
              r.next();
              return r.getLong(1);
            }
          }
        });
  }

  /** Returns the id of the account row with exactly these values, or null. */
  private Long matchingAccount(String name, String host, int port, String user)
      throws SQLException {
    try (PreparedStatement p =
        connection.prepareStatement(
            "SELECT id FROM account WHERE name = ? AND host = ? AND port = ? AND user = ?")) {
      p.setString(1, name);
      p.setString(2, host);
      p.setInt(3, port);
      p.setString(4, user);
      try (ResultSet r = p.executeQuery()) {
        return r.next() ? r.getLong(1) : null;
      }
    }
  }

  /** Returns the id of the account named {@code name}, if the ledger has one. */
  public synchronized OptionalLong findAccount(String name) throws LedgerException {
    checkName(name);
    return read(
        () -> {
          try (PreparedStatement p =
              connection.prepareStatement("SELECT id FROM account WHERE name = ?")) {
            p.setString(1, name);
            try (ResultSet r = p.executeQuery()) {
              return r.next() ? OptionalLong.of(r.getLong(1)) : OptionalLong.empty();
            }
          }
        });
  }

  /** Returns the names of all accounts, sorted. */
  public synchronized List<String> accountNames() throws LedgerException {
    return read(
        () -> {
          List<String> names = new ArrayList<>();
          try (Statement s = connection.createStatement();
              ResultSet r = s.executeQuery("SELECT name FROM account ORDER BY name")) {
            while (r.next()) {
              names.add(r.getString(1));
            }
          }
          return List.copyOf(names);
        });
  }

  // Account identity and renames (popvault rename). One mailbox (user@host:port) has one account.

  /** Returns every account, each with the target of its unfinished rename if any, by name. */
  public synchronized List<AccountRow> accounts() throws LedgerException {
    return read(
        () -> {
          List<AccountRow> rows = new ArrayList<>();
          try (Statement s = connection.createStatement();
              ResultSet r =
                  s.executeQuery(
                      "SELECT a.id, a.name, a.host, a.port, a.user, n.new_name FROM account a"
                          + " LEFT JOIN account_rename n ON n.account_id = a.id ORDER BY a.name")) {
            while (r.next()) {
              rows.add(
                  new AccountRow(
                      r.getLong(1),
                      r.getString(2),
                      r.getString(3),
                      r.getInt(4),
                      r.getString(5),
                      r.getString(6)));
            }
          }
          return List.copyOf(rows);
        });
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
    checkName(name);
    Objects.requireNonNull(host, "host");
    Objects.requireNonNull(user, "user");
    return write(
        () -> {
          try (PreparedStatement p =
              connection.prepareStatement(
                  "SELECT name FROM account WHERE name = ?1"
                      + " OR (host = ?2 COLLATE NOCASE AND port = ?3 AND user = ?4)"
                      + " UNION ALL SELECT new_name FROM account_rename WHERE new_name = ?1")) {
            p.setString(1, name);
            p.setString(2, host);
            p.setInt(3, port);
            p.setString(4, user);
            try (ResultSet r = p.executeQuery()) {
              if (r.next()) {
                throw new LedgerException(
                    Kind.CONFLICT,
                    "ledger "
                        + file
                        + ": account "
                        + r.getString(1)
                        + " already uses the name or the mailbox of "
                        + name);
              }
            }
          }
          try (PreparedStatement p =
              connection.prepareStatement(
                  "INSERT INTO account(name, host, port, user) VALUES (?, ?, ?, ?) RETURNING id")) {
            p.setString(1, name);
            p.setString(2, host);
            p.setInt(3, port);
            p.setString(4, user);
            try (ResultSet r = p.executeQuery()) {
              r.next();
              return r.getLong(1);
            }
          }
        });
  }

  /** Records that the account's mailbox is now reached as {@code user@host:port}. */
  public synchronized void moveAccount(long accountId, String host, int port, String user)
      throws LedgerException {
    write(
        () -> {
          try (PreparedStatement p =
              connection.prepareStatement(
                  "UPDATE account SET host = ?, port = ?, user = ? WHERE id = ?")) {
            p.setString(1, host);
            p.setInt(2, port);
            p.setString(3, user);
            p.setLong(4, accountId);
            if (p.executeUpdate() != 1) {
              throw new IllegalArgumentException("no account with id " + accountId);
            }
          }
          return null;
        });
  }

  /** Returns how many messages the account has archived (deleted from the server or not). */
  public synchronized long messageCount(long accountId) throws LedgerException {
    return read(
        () -> {
          try (PreparedStatement p =
              connection.prepareStatement("SELECT count(*) FROM message WHERE account_id = ?")) {
            p.setLong(1, accountId);
            try (ResultSet r = p.executeQuery()) {
              r.next();
              return r.getLong(1);
            }
          }
        });
  }

  /**
   * Returns the codec of the account's current archive file: the one that received the account's
   * newest frame, else (no frame committed yet) its newest file; null if it has no file.
   */
  public synchronized String currentCodec(long accountId) throws LedgerException {
    return read(
        () -> {
          try (PreparedStatement p =
              connection.prepareStatement(
                  "SELECT f.codec FROM archive_file f WHERE f.account_id = ?"
                      + " ORDER BY (SELECT max(id) FROM frame WHERE file_id = f.id) DESC NULLS LAST,"
                      + " f.id DESC LIMIT 1")) {
            p.setLong(1, accountId);
            try (ResultSet r = p.executeQuery()) {
              return r.next() ? r.getString(1) : null;
            }
          }
        });
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
    checkName(newName);
    ArchiveFileRow.checkRelativePath(oldDir);
    ArchiveFileRow.checkRelativePath(newDir);
    write(
        () -> {
          try (PreparedStatement p =
              connection.prepareStatement(
                  "SELECT 'account ' || name FROM account WHERE name = ?1"
                      + " UNION ALL SELECT 'rename to ' || new_name FROM account_rename"
                      + " WHERE new_name = ?1 OR account_id = ?2"
                      + " UNION ALL SELECT 'archive file ' || path FROM archive_file"
                      + " WHERE ?3 <> ?4 AND substr(path, 1, length(?3) + 1) = ?3 || '/'")) {
            p.setString(1, newName);
            p.setLong(2, accountId);
            p.setString(3, newDir);
            p.setString(4, oldDir);
            try (ResultSet r = p.executeQuery()) {
              if (r.next()) {
                throw new LedgerException(
                    Kind.CONFLICT,
                    "ledger " + file + " already records " + r.getString(1) + " (" + newName + ")");
              }
            }
          }
          try (PreparedStatement p =
              connection.prepareStatement(
                  "INSERT INTO account_rename(account_id, new_name, old_dir, new_dir)"
                      + " VALUES (?, ?, ?, ?)")) {
            p.setLong(1, accountId);
            p.setString(2, newName);
            p.setString(3, oldDir);
            p.setString(4, newDir);
            p.executeUpdate();
          }
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
          String newName;
          String oldDir;
          String newDir;
          try (PreparedStatement p =
              connection.prepareStatement(
                  "SELECT new_name, old_dir, new_dir FROM account_rename WHERE account_id = ?")) {
            p.setLong(1, accountId);
            try (ResultSet r = p.executeQuery()) {
              if (!r.next()) {
                throw new LedgerException(
                    Kind.CONFLICT, "ledger " + file + ": no unfinished rename of that account");
              }
              newName = r.getString(1);
              oldDir = r.getString(2);
              newDir = r.getString(3);
            }
          }
          try (PreparedStatement p =
              connection.prepareStatement(
                  "SELECT count(*) FROM archive_file WHERE account_id = ?"
                      + " AND substr(path, 1, length(?2) + 1) <> ?2 || '/'")) {
            p.setLong(1, accountId);
            p.setString(2, oldDir);
            try (ResultSet r = p.executeQuery()) {
              r.next();
              if (r.getLong(1) > 0) {
                throw new LedgerException(
                    Kind.CORRUPT,
                    "ledger " + file + ": archive files of the account lie outside " + oldDir);
              }
            }
          }
          // Every recorded path under the old directory: files, kept damaged originals, and the
          // damaged copies that lost messages name.
          for (String sql :
              new String[] {
                "UPDATE archive_file SET path = ?2 || substr(path, length(?3) + 1)"
                    + " WHERE account_id = ?1",
                "UPDATE archive_file SET aside = ?2 || substr(aside, length(?3) + 1)"
                    + " WHERE account_id = ?1 AND substr(aside, 1, length(?3) + 1) = ?3 || '/'",
                "UPDATE lost_message SET damaged_copy = ?2 || substr(damaged_copy, length(?3) + 1)"
                    + " WHERE account_id = ?1"
                    + " AND substr(damaged_copy, 1, length(?3) + 1) = ?3 || '/'"
              }) {
            try (PreparedStatement p = connection.prepareStatement(sql)) {
              p.setLong(1, accountId);
              p.setString(2, newDir);
              p.setString(3, oldDir);
              p.executeUpdate();
            }
          }
          try (PreparedStatement p =
              connection.prepareStatement("UPDATE account SET name = ? WHERE id = ?")) {
            p.setString(1, newName);
            p.setLong(2, accountId);
            p.executeUpdate();
          }
          try (PreparedStatement p =
              connection.prepareStatement("DELETE FROM account_rename WHERE account_id = ?")) {
            p.setLong(1, accountId);
            p.executeUpdate();
          }
          return null;
        });
  }

  private static void checkName(String name) {
    Objects.requireNonNull(name, "name");
    if (name.isEmpty()) {
      throw new IllegalArgumentException("empty account name");
    }
  }

  // ---------------------------------------------------------------------------------------------
  // What is archived

  /**
   * Returns every (uidl, LIST size) recorded for the account, deleted from the server or not, in
   * one query. A message whose key is in this set is archived and must not be downloaded again. The
   * set is new and belongs to the caller, who may change it.
   */
  public synchronized Set<ArchivedKey> archivedKeys(long accountId) throws LedgerException {
    return read(
        () -> {
          Set<ArchivedKey> keys = new HashSet<>();
          try (PreparedStatement p =
              connection.prepareStatement(
                  "SELECT DISTINCT uidl, size FROM message WHERE account_id = ?")) {
            p.setLong(1, accountId);
            try (ResultSet r = p.executeQuery()) {
              while (r.next()) {
                keys.add(new ArchivedKey(r.getString(1), r.getLong(2)));
              }
            }
          }
          // Not copied again: on a no-op run over a large mailbox every pass over the keys shows.
          return keys;
        });
  }

  /**
   * Returns when each key of the account was first archived. A key recorded more than once (same
   * UIDL and size, different content) maps to its earliest time.
   */
  public synchronized Map<ArchivedKey, Instant> firstArchived(long accountId)
      throws LedgerException {
    return read(
        () -> {
          Map<ArchivedKey, Instant> first = new HashMap<>();
          try (PreparedStatement p =
              connection.prepareStatement(
                  "SELECT uidl, size, min(archived_at) FROM message WHERE account_id = ?"
                      + " GROUP BY uidl, size")) {
            p.setLong(1, accountId);
            try (ResultSet r = p.executeQuery()) {
              while (r.next()) {
                first.put(
                    new ArchivedKey(r.getString(1), r.getLong(2)),
                    Instant.ofEpochMilli(r.getLong(3)));
              }
            }
          }
          return Map.copyOf(first);
        });
  }

  /**
   * Returns, for each (uidl, LIST size) of the account, the Message-IDs recorded under it (an empty
   * string stands for "no Message-ID header"). Lets a run notice a server that reuses a UIDL for
   * another message of the same size before deleting anything.
   */
  public synchronized Map<ArchivedKey, Set<String>> messageIds(long accountId)
      throws LedgerException {
    return read(
        () -> {
          Map<ArchivedKey, Set<String>> ids = new HashMap<>();
          try (PreparedStatement p =
              connection.prepareStatement(
                  "SELECT uidl, size, coalesce(message_id, '') FROM message WHERE account_id = ?")) {
            p.setLong(1, accountId);
            try (ResultSet r = p.executeQuery()) {
              while (r.next()) {
                ids.computeIfAbsent(
                        new ArchivedKey(r.getString(1), r.getLong(2)),
                        k -> new java.util.HashSet<>())
                    .add(r.getString(3));
              }
            }
          }
          return ids;
        });
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
    return read(
        () -> {
          List<ArchiveFileRow> rows = new ArrayList<>();
          try (PreparedStatement p =
              connection.prepareStatement(
                  "SELECT id, account_id, path, codec, committed_length FROM archive_file"
                      + " WHERE account_id = ? ORDER BY path")) {
            p.setLong(1, accountId);
            try (ResultSet r = p.executeQuery()) {
              while (r.next()) {
                rows.add(fileRow(r));
              }
            }
          }
          return List.copyOf(rows);
        });
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
    return write(
        () -> {
          ArchiveFileRow row = fileByPath(relativePath);
          if (row == null) {
            try (PreparedStatement p =
                connection.prepareStatement(
                    "INSERT INTO archive_file(account_id, path, codec) VALUES (?, ?, ?)")) {
              p.setLong(1, accountId);
              p.setString(2, relativePath);
              p.setString(3, codec);
              p.executeUpdate();
            } catch (SQLException e) {
              if (SqliteErrors.isConstraint(e)) {
                throw new IllegalArgumentException("no account with id " + accountId, e);
              }
              throw e;
            }
            return fileByPath(relativePath);
          }
          if (row.accountId() != accountId) {
            throw new LedgerException(
                Kind.CONFLICT,
                "ledger "
                    + file
                    + ": archive file "
                    + relativePath
                    + " belongs to another account");
          }
          if (!row.codec().equals(codec)) {
            throw new LedgerException(
                Kind.CONFLICT,
                "ledger "
                    + file
                    + ": archive file "
                    + relativePath
                    + " is recorded with codec "
                    + row.codec()
                    + ", not "
                    + codec);
          }
          return row;
        });
  }

  private ArchiveFileRow fileByPath(String relativePath) throws SQLException, LedgerException {
    try (PreparedStatement p =
        connection.prepareStatement(
            "SELECT id, account_id, path, codec, committed_length FROM archive_file WHERE path = ?")) {
      p.setString(1, relativePath);
      try (ResultSet r = p.executeQuery()) {
        return r.next() ? fileRow(r) : null;
      }
    }
  }

  private ArchiveFileRow fileRow(ResultSet r) throws SQLException, LedgerException {
    try {
      return new ArchiveFileRow(
          r.getLong(1), r.getLong(2), r.getString(3), r.getString(4), r.getLong(5));
    } catch (IllegalArgumentException | NullPointerException e) {
      throw new LedgerException(
          Kind.CORRUPT, "ledger " + file + " records an invalid archive file path or codec", e);
    }
  }

  /**
   * Returns the committed frames of a file in offset order, each with its messages in offset order.
   * Reads everything in one query, so the result is one consistent snapshot.
   */
  public synchronized List<FrameRow> frames(long fileId) throws LedgerException {
    return read(
        () -> {
          List<FrameRow> frames = new ArrayList<>();
          try (PreparedStatement p =
              connection.prepareStatement(
                  "SELECT f.id, f.file_offset, f.byte_length,"
                      + " m.uidl, m.size, m.wire_length, m.sha256, m.frame_offset,"
                      + " m.encoded_length, m.raw_from_line, m.no_final_newline, m.message_id,"
                      + " m.subject, m.archived_at, m.deleted_at"
                      + " FROM frame f LEFT JOIN message m ON m.frame_id = f.id"
                      + " WHERE f.file_id = ? ORDER BY f.file_offset, m.frame_offset, m.id")) {
            p.setLong(1, fileId);
            try (ResultSet r = p.executeQuery()) {
              long frameId = 0;
              long offset = 0;
              long length = 0;
              List<MessageRow> messages = null;
              while (r.next()) {
                long id = r.getLong(1);
                if (messages == null || id != frameId) {
                  if (messages != null) {
                    frames.add(frameRow(frameId, offset, length, messages));
                  }
                  frameId = id;
                  offset = r.getLong(2);
                  length = r.getLong(3);
                  messages = new ArrayList<>();
                }
                if (r.getString(4) != null) {
                  messages.add(messageRow(r));
                }
              }
              if (messages != null) {
                frames.add(frameRow(frameId, offset, length, messages));
              }
            }
          }
          return List.copyOf(frames);
        });
  }

  private FrameRow frameRow(long id, long offset, long length, List<MessageRow> messages)
      throws LedgerException {
    try {
      return new FrameRow(id, offset, length, messages);
    } catch (IllegalArgumentException e) {
      throw new LedgerException(Kind.CORRUPT, "ledger " + file + " records an invalid frame", e);
    }
  }

  private MessageRow messageRow(ResultSet r) throws SQLException, LedgerException {
    long deleted = r.getLong(15);
    Instant deletedAt = r.wasNull() ? null : Instant.ofEpochMilli(deleted);
    try {
      return new MessageRow(
          r.getString(4),
          r.getLong(5),
          r.getLong(6),
          r.getBytes(7),
          r.getLong(8),
          r.getLong(9),
          r.getLong(10),
          r.getInt(11) != 0,
          r.getString(12),
          r.getString(13),
          Instant.ofEpochMilli(r.getLong(14)),
          deletedAt);
    } catch (IllegalArgumentException | NullPointerException e) {
      throw new LedgerException(Kind.CORRUPT, "ledger " + file + " records an invalid message", e);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Verification and repair (M7)

  /**
   * Returns the ids of the frames that hold a message of the account filed under one of {@code
   * keys} (every copy of each key, so that a key can be judged by all of its rows).
   */
  public synchronized Set<Long> frameIdsHolding(long accountId, Collection<ArchivedKey> keys)
      throws LedgerException {
    return read(
        () -> {
          Set<Long> ids = new HashSet<>();
          try (PreparedStatement p =
              connection.prepareStatement(
                  "SELECT frame_id FROM message WHERE account_id = ? AND uidl = ? AND size = ?")) {
            for (ArchivedKey k : keys) {
              p.setLong(1, accountId);
              p.setString(2, k.uidl());
              p.setLong(3, k.listSize());
              try (ResultSet r = p.executeQuery()) {
                while (r.next()) {
                  ids.add(r.getLong(1));
                }
              }
            }
          }
          return ids;
        });
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
          try (PreparedStatement p =
              connection.prepareStatement("UPDATE frame SET verified_at = ? WHERE id = ?")) {
            for (long id : frameIds) {
              p.setLong(1, when.toEpochMilli());
              p.setLong(2, id);
              p.executeUpdate();
            }
          }
          return null;
        });
  }

  /** Returns when each frame of the file last read back intact (absent: never recorded). */
  public synchronized Map<Long, Instant> frameVerifiedAt(long fileId) throws LedgerException {
    return read(
        () -> {
          Map<Long, Instant> times = new HashMap<>();
          try (PreparedStatement p =
              connection.prepareStatement(
                  "SELECT id, verified_at FROM frame WHERE file_id = ? AND verified_at IS NOT NULL")) {
            p.setLong(1, fileId);
            try (ResultSet r = p.executeQuery()) {
              while (r.next()) {
                times.put(r.getLong(1), Instant.ofEpochMilli(r.getLong(2)));
              }
            }
          }
          return times;
        });
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
          long accountId;
          try (PreparedStatement p =
              connection.prepareStatement("SELECT account_id FROM archive_file WHERE id = ?")) {
            p.setLong(1, r.fileId());
            try (ResultSet rs = p.executeQuery()) {
              if (!rs.next()) {
                throw new IllegalArgumentException("no archive file with id " + r.fileId());
              }
              accountId = rs.getLong(1);
            }
          }
          String filePath = fileById(r.fileId());
          // Frames are re-inserted at their new offsets below; park every frame of the file at a
          // negative-free temporary place first so that the unique (file, offset) key never
          // collides while offsets shift.
          Set<Long> keptIds = new HashSet<>();
          for (FileReplacement.KeptFrame k : r.kept()) {
            keptIds.add(k.frameId());
          }
          List<Long> dropped = new ArrayList<>();
          try (PreparedStatement p =
              connection.prepareStatement("SELECT id FROM frame WHERE file_id = ?")) {
            p.setLong(1, r.fileId());
            try (ResultSet rs = p.executeQuery()) {
              while (rs.next()) {
                if (!keptIds.remove(rs.getLong(1))) {
                  dropped.add(rs.getLong(1));
                }
              }
            }
          }
          if (!keptIds.isEmpty()) {
            throw new IllegalArgumentException("kept frames that are not in the file: " + keptIds);
          }
          try (PreparedStatement p =
              connection.prepareStatement(
                  "UPDATE frame SET file_offset = file_offset + ? WHERE file_id = ?")) {
            // Past every old and new offset: committed length + new length + 1.
            p.setLong(1, 1L << 52);
            p.setLong(2, r.fileId());
            p.executeUpdate();
          }
          try (PreparedStatement p =
              connection.prepareStatement(
                  "UPDATE frame SET file_offset = ?, verified_at = ? WHERE id = ?")) {
            for (FileReplacement.KeptFrame k : r.kept()) {
              p.setLong(1, k.newOffset());
              p.setLong(2, r.verifiedAt().toEpochMilli());
              p.setLong(3, k.frameId());
              p.executeUpdate();
            }
          }
          for (FileReplacement.AddedFrame f : r.added()) {
            long frameId;
            try (PreparedStatement p =
                connection.prepareStatement(
                    "INSERT INTO frame(file_id, file_offset, byte_length, run_id, verified_at)"
                        + " VALUES (?, ?, ?, ?, ?) RETURNING id")) {
              p.setLong(1, r.fileId());
              p.setLong(2, f.offset());
              p.setLong(3, f.length());
              p.setLong(4, r.runId());
              p.setLong(5, r.verifiedAt().toEpochMilli());
              try (ResultSet rs = p.executeQuery()) {
                rs.next();
                frameId = rs.getLong(1);
              }
            }
            try (PreparedStatement p =
                connection.prepareStatement(
                    "UPDATE message SET frame_id = ?, frame_offset = ?, encoded_length = ?,"
                        + " raw_from_line = ?, no_final_newline = ?, wire_length = ?, sha256 = ?,"
                        + " message_id = coalesce(?, message_id), date = coalesce(?, date),"
                        + " from_addr = coalesce(?, from_addr), subject = coalesce(?, subject)"
                        + " WHERE account_id = ? AND uidl = ? AND size = ? AND sha256 = ?")) {
              for (FileReplacement.RepairedMessage m : f.messages()) {
                NewMessage n = m.fresh();
                p.setLong(1, frameId);
                p.setLong(2, n.offsetInFrame());
                p.setLong(3, n.encodedLength());
                p.setLong(4, n.rawFromLine());
                p.setInt(5, n.noFinalNewline() ? 1 : 0);
                p.setLong(6, n.wireLength());
                p.setBytes(7, n.sha256());
                setNullableString(p, 8, n.messageId());
                setNullableString(p, 9, n.date());
                setNullableString(p, 10, n.from());
                setNullableString(p, 11, n.subject());
                p.setLong(12, accountId);
                p.setString(13, n.uidl());
                p.setLong(14, n.listSize());
                p.setBytes(15, m.oldSha256());
                if (p.executeUpdate() != 1) {
                  throw new LedgerException(
                      Kind.CONFLICT,
                      "ledger "
                          + file
                          + ": repaired message UIDL "
                          + n.uidl()
                          + " is not recorded");
                }
              }
            }
          }
          try (PreparedStatement copy =
                  connection.prepareStatement(
                      "INSERT INTO lost_message(account_id, uidl, size, wire_length, sha256,"
                          + " message_id, date, from_addr, subject, archived_at, deleted_at,"
                          + " lost_at, damaged_copy)"
                          + " SELECT account_id, uidl, size, wire_length, sha256, message_id, date,"
                          + " from_addr, subject, archived_at, deleted_at, ?, ? FROM message"
                          + " WHERE account_id = ? AND uidl = ? AND size = ? AND sha256 = ?");
              PreparedStatement remove =
                  connection.prepareStatement(
                      "DELETE FROM message"
                          + " WHERE account_id = ? AND uidl = ? AND size = ? AND sha256 = ?")) {
            for (FileReplacement.MessageKey k : r.lost()) {
              copy.setLong(1, lostAt.toEpochMilli());
              copy.setString(2, r.aside() != null ? r.aside() : filePath);
              copy.setLong(3, accountId);
              copy.setString(4, k.uidl());
              copy.setLong(5, k.listSize());
              copy.setBytes(6, k.sha256());
              if (copy.executeUpdate() != 1) {
                throw new LedgerException(
                    Kind.CONFLICT,
                    "ledger " + file + ": lost message UIDL " + k.uidl() + " is not recorded");
              }
              remove.setLong(1, accountId);
              remove.setString(2, k.uidl());
              remove.setLong(3, k.listSize());
              remove.setBytes(4, k.sha256());
              remove.executeUpdate();
            }
          }
          try (PreparedStatement p =
              connection.prepareStatement("DELETE FROM frame WHERE id = ?")) {
            for (long id : dropped) {
              p.setLong(1, id);
              try {
                p.executeUpdate();
              } catch (SQLException e) {
                if (SqliteErrors.isConstraint(e)) {
                  // A message would be left pointing at a frame that no longer exists.
                  throw new LedgerException(
                      Kind.CONFLICT,
                      "ledger "
                          + file
                          + ": a dropped frame of "
                          + filePath
                          + " still holds a message that was neither repaired nor recorded lost",
                      e);
                }
                throw e;
              }
            }
          }
          try (PreparedStatement p =
              connection.prepareStatement(
                  "UPDATE archive_file SET committed_length = ?, replacement = ?, aside = ?"
                      + " WHERE id = ?")) {
            p.setLong(1, r.newLength());
            p.setString(2, r.replacement());
            setNullableString(p, 3, r.aside());
            p.setLong(4, r.fileId());
            p.executeUpdate();
          }
          return null;
        });
  }

  private String fileById(long fileId) throws SQLException {
    try (PreparedStatement p =
        connection.prepareStatement("SELECT path FROM archive_file WHERE id = ?")) {
      p.setLong(1, fileId);
      try (ResultSet r = p.executeQuery()) {
        r.next();
        return r.getString(1);
      }
    }
  }

  /** Returns the account's file rewrites whose renames may still be due. */
  public synchronized List<PendingReplacement> pendingReplacements(long accountId)
      throws LedgerException {
    return read(
        () -> {
          List<PendingReplacement> pending = new ArrayList<>();
          try (PreparedStatement p =
              connection.prepareStatement(
                  "SELECT id, path, replacement, aside FROM archive_file"
                      + " WHERE account_id = ? AND replacement IS NOT NULL")) {
            p.setLong(1, accountId);
            try (ResultSet r = p.executeQuery()) {
              while (r.next()) {
                try {
                  pending.add(
                      new PendingReplacement(
                          r.getLong(1), r.getString(2), r.getString(3), r.getString(4)));
                } catch (IllegalArgumentException e) {
                  throw new LedgerException(
                      Kind.CORRUPT, "ledger " + file + " records an invalid replacement path", e);
                }
              }
            }
          }
          return pending;
        });
  }

  /** Records that a file's rewrite is in place (see {@link #replaceFile}). */
  public synchronized void replacementDone(long fileId) throws LedgerException {
    write(
        () -> {
          try (PreparedStatement p =
              connection.prepareStatement(
                  "UPDATE archive_file SET replacement = NULL WHERE id = ?")) {
            p.setLong(1, fileId);
            p.executeUpdate();
          }
          return null;
        });
  }

  /** Returns the account's lost messages, oldest loss first. */
  public synchronized List<LostMessage> lostMessages(long accountId) throws LedgerException {
    return read(
        () -> {
          List<LostMessage> lost = new ArrayList<>();
          try (PreparedStatement p =
              connection.prepareStatement(
                  "SELECT uidl, message_id, date, from_addr, subject, archived_at, lost_at,"
                      + " damaged_copy FROM lost_message WHERE account_id = ? ORDER BY lost_at, id")) {
            p.setLong(1, accountId);
            try (ResultSet r = p.executeQuery()) {
              while (r.next()) {
                lost.add(
                    new LostMessage(
                        r.getString(1),
                        r.getString(2),
                        r.getString(3),
                        r.getString(4),
                        r.getString(5),
                        Instant.ofEpochMilli(r.getLong(6)),
                        Instant.ofEpochMilli(r.getLong(7)),
                        r.getString(8)));
              }
            }
          }
          return lost;
        });
  }

  // ---------------------------------------------------------------------------------------------
  // Runs

  /** Records the start of a run of the account and returns the run's id. */
  public synchronized long beginRun(long accountId, Instant started) throws LedgerException {
    Objects.requireNonNull(started, "started");
    return write(
        () -> {
          try (PreparedStatement p =
              connection.prepareStatement(
                  "INSERT INTO run(account_id, started) VALUES (?, ?) RETURNING id")) {
            p.setLong(1, accountId);
            p.setLong(2, started.toEpochMilli());
            try (ResultSet r = p.executeQuery()) {
              r.next();
              return r.getLong(1);
            }
          } catch (SQLException e) {
            if (SqliteErrors.isConstraint(e)) {
              throw new IllegalArgumentException("no account with id " + accountId, e);
            }
            throw e;
          }
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
          try (PreparedStatement p =
              connection.prepareStatement(
                  "UPDATE run SET ended = ?, outcome = ?, exit_code = ?, new_count = ?,"
                      + " skipped_count = ?, deleted_count = ?, bytes = ?, error = ?"
                      + " WHERE id = ? AND ended IS NULL")) {
            p.setLong(1, outcome.ended().toEpochMilli());
            p.setString(2, outcome.outcome());
            p.setInt(3, outcome.exitCode());
            p.setInt(4, outcome.newCount());
            p.setInt(5, outcome.skippedCount());
            p.setInt(6, outcome.deletedCount());
            p.setLong(7, outcome.bytes());
            if (outcome.error() == null) {
              p.setNull(8, Types.VARCHAR);
            } else {
              p.setString(8, outcome.error());
            }
            p.setLong(9, runId);
            if (p.executeUpdate() == 1) {
              return null;
            }
          }
          if (runAccount(runId) == null) {
            throw new IllegalArgumentException("no run with id " + runId);
          }
          throw new LedgerException(
              Kind.CONFLICT, "ledger " + file + ": run " + runId + " has already ended");
        });
  }

  /** Returns the account's most recent runs, newest first, at most {@code limit} of them. */
  public synchronized List<RunRow> runs(long accountId, int limit) throws LedgerException {
    if (limit < 0) {
      throw new IllegalArgumentException("negative limit " + limit);
    }
    return read(
        () -> {
          List<RunRow> rows = new ArrayList<>();
          try (PreparedStatement p =
              connection.prepareStatement(
                  "SELECT id, started, ended, outcome, exit_code, new_count, skipped_count,"
                      + " deleted_count, bytes, error FROM run WHERE account_id = ?"
                      + " ORDER BY started DESC, id DESC LIMIT ?")) {
            p.setLong(1, accountId);
            p.setInt(2, limit);
            try (ResultSet r = p.executeQuery()) {
              while (r.next()) {
                rows.add(runRow(accountId, r));
              }
            }
          }
          return List.copyOf(rows);
        });
  }

  private RunRow runRow(long accountId, ResultSet r) throws SQLException, LedgerException {
    try {
      RunOutcome outcome = null;
      if (r.getString(4) != null) {
        outcome =
            new RunOutcome(
                Instant.ofEpochMilli(r.getLong(3)),
                r.getString(4),
                r.getInt(5),
                r.getInt(6),
                r.getInt(7),
                r.getInt(8),
                r.getLong(9),
                r.getString(10));
      }
      return new RunRow(r.getLong(1), accountId, Instant.ofEpochMilli(r.getLong(2)), outcome);
    } catch (IllegalArgumentException e) {
      throw new LedgerException(Kind.CORRUPT, "ledger " + file + " records an invalid run", e);
    }
  }

  private Long runAccount(long runId) throws SQLException {
    try (PreparedStatement p =
        connection.prepareStatement("SELECT account_id FROM run WHERE id = ?")) {
      p.setLong(1, runId);
      try (ResultSet r = p.executeQuery()) {
        return r.next() ? r.getLong(1) : null;
      }
    }
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
      long fileId, long runId, long frameOffset, long frameLength, List<NewMessage> messages)
      throws LedgerException {
    if (frameOffset < 0 || frameLength <= 0) {
      throw new IllegalArgumentException(
          "invalid frame range: offset " + frameOffset + ", length " + frameLength);
    }
    if (frameOffset > Long.MAX_VALUE - frameLength) {
      throw new IllegalArgumentException("frame end overflows");
    }
    List<NewMessage> batch = List.copyOf(messages);
    if (batch.isEmpty()) {
      throw new IllegalArgumentException("a frame must hold at least one message");
    }
    long end = 0;
    for (NewMessage m : batch) {
      if (m.offsetInFrame() < end) {
        throw new IllegalArgumentException("messages out of frame order or overlapping");
      }
      end = m.offsetInFrame() + m.encodedLength();
    }
    write(
        () -> {
          long accountId;
          long committed;
          String path;
          try (PreparedStatement p =
              connection.prepareStatement(
                  "SELECT account_id, committed_length, path FROM archive_file WHERE id = ?")) {
            p.setLong(1, fileId);
            try (ResultSet r = p.executeQuery()) {
              if (!r.next()) {
                throw new IllegalArgumentException("no archive file with id " + fileId);
              }
              accountId = r.getLong(1);
              committed = r.getLong(2);
              path = r.getString(3);
            }
          }
          if (committed != frameOffset) {
            throw new LedgerException(
                Kind.CONFLICT,
                "ledger "
                    + file
                    + ": archive file "
                    + path
                    + " has committed length "
                    + committed
                    + ", but the new frame starts at "
                    + frameOffset);
          }
          Long runAccount = runAccount(runId);
          if (runAccount == null) {
            throw new IllegalArgumentException("no run with id " + runId);
          }
          if (runAccount != accountId) {
            throw new IllegalArgumentException(
                "run " + runId + " and archive file " + fileId + " belong to different accounts");
          }
          try {
            insertFrame(fileId, runId, frameOffset, frameLength, accountId, batch);
          } catch (SQLException e) {
            if (SqliteErrors.isConstraint(e)) {
              throw new LedgerException(
                  Kind.CONFLICT,
                  "ledger "
                      + file
                      + ": a message of this frame or the frame itself is already recorded"
                      + " (archive file "
                      + path
                      + ", offset "
                      + frameOffset
                      + ")",
                  e);
            }
            throw e;
          }
          return null;
        });
  }

  private void insertFrame(
      long fileId,
      long runId,
      long frameOffset,
      long frameLength,
      long accountId,
      List<NewMessage> batch)
      throws SQLException {
    long frameId;
    try (PreparedStatement p =
        connection.prepareStatement(
            "INSERT INTO frame(file_id, file_offset, byte_length, run_id, verified_at)"
                + " VALUES (?, ?, ?, ?, ?) RETURNING id")) {
      p.setLong(1, fileId);
      p.setLong(2, frameOffset);
      p.setLong(3, frameLength);
      p.setLong(4, runId);
      // A frame is committed only after it read back intact (M1): its archive time is when.
      p.setLong(5, batch.get(batch.size() - 1).archivedAt().toEpochMilli());
      try (ResultSet r = p.executeQuery()) {
        r.next();
        frameId = r.getLong(1);
      }
    }
    // Plain INSERT: a duplicate key must abort the whole frame, never be skipped silently.
    try (PreparedStatement p =
        connection.prepareStatement(
            "INSERT INTO message(account_id, uidl, size, wire_length, sha256, frame_id,"
                + " frame_offset, encoded_length, raw_from_line, no_final_newline, message_id,"
                + " date, from_addr, subject, archived_at)"
                + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
      for (NewMessage m : batch) {
        p.setLong(1, accountId);
        p.setString(2, m.uidl());
        p.setLong(3, m.listSize());
        p.setLong(4, m.wireLength());
        p.setBytes(5, m.sha256());
        p.setLong(6, frameId);
        p.setLong(7, m.offsetInFrame());
        p.setLong(8, m.encodedLength());
        p.setLong(9, m.rawFromLine());
        p.setInt(10, m.noFinalNewline() ? 1 : 0);
        setNullableString(p, 11, m.messageId());
        setNullableString(p, 12, m.date());
        setNullableString(p, 13, m.from());
        setNullableString(p, 14, m.subject());
        p.setLong(15, m.archivedAt().toEpochMilli());
        p.executeUpdate();
      }
    }
    try (PreparedStatement p =
        connection.prepareStatement(
            "UPDATE archive_file SET committed_length = ? WHERE id = ? AND committed_length = ?")) {
      p.setLong(1, frameOffset + frameLength);
      p.setLong(2, fileId);
      p.setLong(3, frameOffset);
      if (p.executeUpdate() != 1) {
        throw new IllegalStateException("committed length changed inside a write transaction");
      }
    }
  }

  private static void setNullableString(PreparedStatement p, int index, String value)
      throws SQLException {
    if (value == null) {
      p.setNull(index, Types.VARCHAR);
    } else {
      p.setString(index, value);
    }
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
    int unknown =
        write(
            () -> {
              int missing = 0;
              try (PreparedStatement exists =
                      connection.prepareStatement(
                          "SELECT 1 FROM message WHERE account_id = ? AND uidl = ? AND size = ?"
                              + " LIMIT 1");
                  PreparedStatement mark =
                      connection.prepareStatement(
                          "UPDATE message SET deleted_at = ? WHERE account_id = ? AND uidl = ?"
                              + " AND size = ? AND deleted_at IS NULL")) {
                for (ArchivedKey k : batch) {
                  exists.setLong(1, accountId);
                  exists.setString(2, k.uidl());
                  exists.setLong(3, k.listSize());
                  try (ResultSet r = exists.executeQuery()) {
                    if (!r.next()) {
                      missing++;
                      continue;
                    }
                  }
                  mark.setLong(1, when.toEpochMilli());
                  mark.setLong(2, accountId);
                  mark.setString(3, k.uidl());
                  mark.setLong(4, k.listSize());
                  mark.executeUpdate();
                }
              }
              return missing;
            });
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
