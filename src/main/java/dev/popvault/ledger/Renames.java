package dev.popvault.ledger;

import dev.popvault.ledger.LedgerException.Kind;
import java.sql.SQLException;

/**
 * The {@code account_rename} table (migration 3): a row says the account's directory may already
 * have moved from old_dir to new_dir; it goes away in the transaction that renames the account and
 * rewrites every recorded path under old_dir.
 */
final class Renames {
  private final Sql sql;

  Renames(Sql sql) {
    this.sql = sql;
  }

  void begin(long accountId, String newName, String oldDir, String newDir)
      throws SQLException, LedgerException {
    String taken =
        sql.first(
            "SELECT 'account ' || name FROM account WHERE name = ?1"
                + " UNION ALL SELECT 'rename to ' || new_name FROM account_rename"
                + " WHERE new_name = ?1 OR account_id = ?2"
                + " UNION ALL SELECT 'archive file ' || path FROM archive_file"
                + " WHERE ?3 <> ?4 AND substr(path, 1, length(?3) + 1) = ?3 || '/'",
            r -> r.getString(1),
            newName,
            accountId,
            newDir,
            oldDir);
    if (taken != null) {
      throw sql.error(Kind.CONFLICT, " already records " + taken + " (" + newName + ")");
    }
    sql.update(
        "INSERT INTO account_rename(account_id, new_name, old_dir, new_dir) VALUES (?, ?, ?, ?)",
        accountId,
        newName,
        oldDir,
        newDir);
  }

  void finish(long accountId) throws SQLException, LedgerException {
    String[] rename =
        sql.first(
            "SELECT new_name, old_dir, new_dir FROM account_rename WHERE account_id = ?",
            r -> new String[] {r.getString(1), r.getString(2), r.getString(3)},
            accountId);
    if (rename == null) {
      throw sql.error(Kind.CONFLICT, ": no unfinished rename of that account");
    }
    String newName = rename[0];
    String oldDir = rename[1];
    String newDir = rename[2];
    if (sql.number(
            "SELECT count(*) FROM archive_file WHERE account_id = ?"
                + " AND substr(path, 1, length(?2) + 1) <> ?2 || '/'",
            accountId,
            oldDir)
        > 0) {
      throw sql.error(Kind.CORRUPT, ": archive files of the account lie outside " + oldDir);
    }
    // Every recorded path under the old directory: files, kept damaged originals, and the damaged
    // copies that lost messages name.
    for (String update :
        new String[] {
          "UPDATE archive_file SET path = ?2 || substr(path, length(?3) + 1) WHERE account_id = ?1",
          "UPDATE archive_file SET aside = ?2 || substr(aside, length(?3) + 1)"
              + " WHERE account_id = ?1 AND substr(aside, 1, length(?3) + 1) = ?3 || '/'",
          "UPDATE lost_message SET damaged_copy = ?2 || substr(damaged_copy, length(?3) + 1)"
              + " WHERE account_id = ?1 AND substr(damaged_copy, 1, length(?3) + 1) = ?3 || '/'"
        }) {
      sql.update(update, accountId, newDir, oldDir);
    }
    sql.update("UPDATE account SET name = ? WHERE id = ?", newName, accountId);
    sql.update("DELETE FROM account_rename WHERE account_id = ?", accountId);
  }
}
