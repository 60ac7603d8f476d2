package dev.popvault.testsupport;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * Holds a ledger's SQLite write lock from a second connection ({@code BEGIN IMMEDIATE}), so that a
 * popvault process's next write (e.g. a frame's commit) waits for it — up to its busy timeout —
 * while readers go on (WAL). Lets a test stop a run exactly between "frame written and verified"
 * and "frame committed". Closing rolls back (nothing was written) and releases the lock.
 */
public final class LedgerWriteLock implements AutoCloseable {
  private final Connection connection;

  private LedgerWriteLock(Connection connection) {
    this.connection = connection;
  }

  /** Takes the write lock, waiting up to 10 s for a write in progress to finish. */
  public static LedgerWriteLock take(Path ledger) throws SQLException {
    Connection c = DriverManager.getConnection("jdbc:sqlite:" + ledger);
    try (Statement s = c.createStatement()) {
      s.execute("PRAGMA busy_timeout = 10000");
      s.execute("BEGIN IMMEDIATE");
    } catch (SQLException e) {
      c.close();
      throw e;
    }
    return new LedgerWriteLock(c);
  }

  @Override
  public void close() throws SQLException {
    try (Statement s = connection.createStatement()) {
      s.execute("ROLLBACK");
    } finally {
      connection.close();
    }
  }
}
