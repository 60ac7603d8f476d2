package dev.popvault.ledger;

import dev.popvault.ledger.LedgerException.Kind;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;

/**
 * The {@code archive_file} table: one row per archive file (relative path), with its codec, its
 * committed length (bytes past it are not recorded, M3) and a pending rewrite (replacement, aside:
 * migration 2) until that rewrite is renamed into place.
 */
final class ArchiveFiles {
  private static final String COLUMNS = "id, account_id, path, codec, committed_length";

  private final Sql sql;

  ArchiveFiles(Sql sql) {
    this.sql = sql;
  }

  /** The account's files, by path. */
  List<ArchiveFileRow> ofAccount(long accountId) throws SQLException, LedgerException {
    return List.copyOf(
        sql.all(
            "SELECT " + COLUMNS + " FROM archive_file WHERE account_id = ? ORDER BY path",
            this::row,
            accountId));
  }

  ArchiveFileRow findOrCreate(long accountId, String relativePath, String codec)
      throws SQLException, LedgerException {
    ArchiveFileRow row = byPath(relativePath);
    if (row == null) {
      try {
        sql.update(
            "INSERT INTO archive_file(account_id, path, codec) VALUES (?, ?, ?)",
            accountId,
            relativePath,
            codec);
      } catch (SQLException e) {
        if (SqliteErrors.isConstraint(e)) {
          throw new IllegalArgumentException("no account with id " + accountId, e);
        }
        throw e;
      }
      return byPath(relativePath);
    }
    if (row.accountId() != accountId) {
      throw sql.error(
          Kind.CONFLICT, ": archive file " + relativePath + " belongs to another account");
    }
    if (!row.codec().equals(codec)) {
      throw sql.error(
          Kind.CONFLICT,
          ": archive file "
              + relativePath
              + " is recorded with codec "
              + row.codec()
              + ", not "
              + codec);
    }
    return row;
  }

  private ArchiveFileRow byPath(String relativePath) throws SQLException, LedgerException {
    return sql.first(
        "SELECT " + COLUMNS + " FROM archive_file WHERE path = ?", this::row, relativePath);
  }

  /** Returns the file's row, or null if there is none; its path is not checked. */
  Unchecked byId(long fileId) throws SQLException, LedgerException {
    return sql.first(
        "SELECT account_id, committed_length, path FROM archive_file WHERE id = ?",
        r -> new Unchecked(r.getLong(1), r.getLong(2), r.getString(3)),
        fileId);
  }

  /** A file's account, committed length and path as recorded. */
  record Unchecked(long accountId, long committedLength, String path) {}

  private ArchiveFileRow row(ResultSet r) throws SQLException, LedgerException {
    try {
      return new ArchiveFileRow(
          r.getLong(1), r.getLong(2), r.getString(3), r.getString(4), r.getLong(5));
    } catch (IllegalArgumentException | NullPointerException e) {
      throw sql.error(Kind.CORRUPT, " records an invalid archive file path or codec", e);
    }
  }

  /**
   * The codec of the file that received the account's newest frame, else of its newest file; null
   * if the account has no file.
   */
  String currentCodec(long accountId) throws SQLException, LedgerException {
    return sql.first(
        "SELECT f.codec FROM archive_file f WHERE f.account_id = ?"
            + " ORDER BY (SELECT max(id) FROM frame WHERE file_id = f.id) DESC NULLS LAST,"
            + " f.id DESC LIMIT 1",
        r -> r.getString(1),
        accountId);
  }

  /** Moves the committed length from {@code from} to {@code to}; it must still be {@code from}. */
  void extend(long fileId, long from, long to) throws SQLException {
    if (sql.update(
            "UPDATE archive_file SET committed_length = ? WHERE id = ? AND committed_length = ?",
            to,
            fileId,
            from)
        != 1) {
      throw new IllegalStateException("committed length changed inside a write transaction");
    }
  }

  /** Records a verified rewrite: its length and the renames still due. */
  void replace(long fileId, long newLength, String replacement, String aside) throws SQLException {
    sql.update(
        "UPDATE archive_file SET committed_length = ?, replacement = ?, aside = ? WHERE id = ?",
        newLength,
        replacement,
        aside,
        fileId);
  }

  List<PendingReplacement> pendingReplacements(long accountId)
      throws SQLException, LedgerException {
    return sql.all(
        "SELECT id, path, replacement, aside FROM archive_file"
            + " WHERE account_id = ? AND replacement IS NOT NULL",
        r -> {
          try {
            return new PendingReplacement(
                r.getLong(1), r.getString(2), r.getString(3), r.getString(4));
          } catch (IllegalArgumentException e) {
            throw sql.error(Kind.CORRUPT, " records an invalid replacement path", e);
          }
        },
        accountId);
  }

  void replacementDone(long fileId) throws SQLException {
    sql.update("UPDATE archive_file SET replacement = NULL WHERE id = ?", fileId);
  }
}
