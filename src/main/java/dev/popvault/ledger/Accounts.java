package dev.popvault.ledger;

import dev.popvault.ledger.LedgerException.Kind;
import java.sql.SQLException;
import java.util.List;
import java.util.Objects;
import java.util.OptionalLong;

/**
 * The {@code account} table: one row per mailbox (user@host:port), found by name. Runs inside the
 * caller's transaction; arguments are checked by {@link Ledger}.
 */
final class Accounts {
  private final Sql sql;

  Accounts(Sql sql) {
    this.sql = sql;
  }

  static void checkName(String name) {
    Objects.requireNonNull(name, "name");
    if (name.isEmpty()) {
      throw new IllegalArgumentException("empty account name");
    }
  }

  /** Returns the id of the account row with exactly these values, or null. */
  Long matching(String name, String host, int port, String user)
      throws SQLException, LedgerException {
    return sql.first(
        "SELECT id FROM account WHERE name = ? AND host = ? AND port = ? AND user = ?",
        r -> r.getLong(1),
        name,
        host,
        port,
        user);
  }

  /** Creates the row named {@code name}, or gives the existing one these values; returns its id. */
  long upsert(String name, String host, int port, String user)
      throws SQLException, LedgerException {
    return sql.number(
        "INSERT INTO account(name, host, port, user) VALUES (?, ?, ?, ?)"
            + " ON CONFLICT(name) DO UPDATE SET"
            + " host = excluded.host, port = excluded.port, user = excluded.user"
            + " RETURNING id",
        name,
        host,
        port,
        user);
  }

  OptionalLong find(String name) throws SQLException, LedgerException {
    Long id = sql.first("SELECT id FROM account WHERE name = ?", r -> r.getLong(1), name);
    return id == null ? OptionalLong.empty() : OptionalLong.of(id);
  }

  List<String> names() throws SQLException, LedgerException {
    return List.copyOf(sql.all("SELECT name FROM account ORDER BY name", r -> r.getString(1)));
  }

  /** Every account with the target of its unfinished rename, if any, by name. */
  List<AccountRow> all() throws SQLException, LedgerException {
    return List.copyOf(
        sql.all(
            "SELECT a.id, a.name, a.host, a.port, a.user, n.new_name FROM account a"
                + " LEFT JOIN account_rename n ON n.account_id = a.id ORDER BY a.name",
            r ->
                new AccountRow(
                    r.getLong(1),
                    r.getString(2),
                    r.getString(3),
                    r.getInt(4),
                    r.getString(5),
                    r.getString(6))));
  }

  /**
   * Creates an account row unless the name, a rename's target name or the mailbox (host without
   * case) is taken already; returns its id.
   */
  long create(String name, String host, int port, String user)
      throws SQLException, LedgerException {
    String taken =
        sql.first(
            "SELECT name FROM account WHERE name = ?1"
                + " OR (host = ?2 COLLATE NOCASE AND port = ?3 AND user = ?4)"
                + " UNION ALL SELECT new_name FROM account_rename WHERE new_name = ?1",
            r -> r.getString(1),
            name,
            host,
            port,
            user);
    if (taken != null) {
      throw sql.error(
          Kind.CONFLICT, ": account " + taken + " already uses the name or the mailbox of " + name);
    }
    return sql.number(
        "INSERT INTO account(name, host, port, user) VALUES (?, ?, ?, ?) RETURNING id",
        name,
        host,
        port,
        user);
  }

  void move(long accountId, String host, int port, String user) throws SQLException {
    if (sql.update(
            "UPDATE account SET host = ?, port = ?, user = ? WHERE id = ?",
            host,
            port,
            user,
            accountId)
        != 1) {
      throw new IllegalArgumentException("no account with id " + accountId);
    }
  }
}
