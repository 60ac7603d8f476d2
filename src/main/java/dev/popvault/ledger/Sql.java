package dev.popvault.ledger;

import dev.popvault.ledger.LedgerException.Kind;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Prepares, binds, runs and maps one statement: the JDBC steps every table part repeats. Arguments
 * bind by position: null as SQL NULL, Boolean as INTEGER 0/1, Instant as epoch milliseconds (the
 * schema's time convention), other values by their Java type. The caller owns the transaction;
 * nothing here begins or commits one.
 */
final class Sql {
  /** Maps the current row of a result set. */
  @FunctionalInterface
  interface Row<T> {
    T map(ResultSet r) throws SQLException, LedgerException;
  }

  /** Consumes the current row of a result set. */
  @FunctionalInterface
  interface Each {
    void accept(ResultSet r) throws SQLException, LedgerException;
  }

  private final Connection connection;
  private final Path file;

  Sql(Connection connection, Path file) {
    this.connection = connection;
    this.file = file;
  }

  /**
   * Returns a ledger exception whose one-line message is "ledger FILE" followed by {@code rest}.
   */
  LedgerException error(Kind kind, String rest, Throwable cause) {
    return new LedgerException(kind, "ledger " + file + rest, cause);
  }

  LedgerException error(Kind kind, String rest) {
    return new LedgerException(kind, "ledger " + file + rest);
  }

  /** Prepares {@code sql} for use with several argument lists; close it when done. */
  Statement prepare(String sql) throws SQLException {
    return new Statement(connection.prepareStatement(sql));
  }

  /** Runs an INSERT, UPDATE or DELETE once and returns how many rows it changed. */
  int update(String sql, Object... args) throws SQLException {
    try (Statement s = prepare(sql)) {
      return s.update(args);
    }
  }

  /** Runs a query once and maps its first row, or returns null if it has none. */
  <T> T first(String sql, Row<T> row, Object... args) throws SQLException, LedgerException {
    try (Statement s = prepare(sql)) {
      return s.first(row, args);
    }
  }

  /** Runs a query once and maps every row, in result order. */
  <T> List<T> all(String sql, Row<T> row, Object... args) throws SQLException, LedgerException {
    try (Statement s = prepare(sql)) {
      return s.all(row, args);
    }
  }

  /** Runs a query once and hands every row to {@code each}, in result order. */
  void each(String sql, Each each, Object... args) throws SQLException, LedgerException {
    try (Statement s = prepare(sql)) {
      s.each(each, args);
    }
  }

  /** Runs a query whose first row holds one integer: a count, or an id from RETURNING. */
  long number(String sql, Object... args) throws SQLException, LedgerException {
    return first(sql, r -> r.getLong(1), args);
  }

  /** A prepared statement, re-bound on each call. */
  static final class Statement implements AutoCloseable {
    private final PreparedStatement p;

    private Statement(PreparedStatement p) {
      this.p = p;
    }

    int update(Object... args) throws SQLException {
      bind(args);
      return p.executeUpdate();
    }

    <T> T first(Row<T> row, Object... args) throws SQLException, LedgerException {
      bind(args);
      try (ResultSet r = p.executeQuery()) {
        return r.next() ? row.map(r) : null;
      }
    }

    <T> List<T> all(Row<T> row, Object... args) throws SQLException, LedgerException {
      List<T> rows = new ArrayList<>();
      each(r -> rows.add(row.map(r)), args);
      return rows;
    }

    void each(Each each, Object... args) throws SQLException, LedgerException {
      bind(args);
      try (ResultSet r = p.executeQuery()) {
        while (r.next()) {
          each.accept(r);
        }
      }
    }

    private void bind(Object[] args) throws SQLException {
      for (int i = 0; i < args.length; i++) {
        Object a = args[i];
        if (a == null) {
          p.setNull(i + 1, Types.NULL);
        } else if (a instanceof Boolean b) {
          p.setInt(i + 1, b ? 1 : 0);
        } else if (a instanceof Instant t) {
          p.setLong(i + 1, t.toEpochMilli());
        } else if (a instanceof String s) {
          p.setString(i + 1, s);
        } else if (a instanceof Long l) {
          p.setLong(i + 1, l);
        } else if (a instanceof Integer n) {
          p.setInt(i + 1, n);
        } else {
          p.setObject(i + 1, a);
        }
      }
    }

    @Override
    public void close() throws SQLException {
      p.close();
    }
  }
}
