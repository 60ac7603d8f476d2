package dev.popvault.ledger;

import dev.popvault.ledger.LedgerException.Kind;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * Holds the numbered schema migrations. Migration {@code n} (1-based) brings a ledger from
 * user_version {@code n - 1} to {@code n}. Published migrations are never edited: a change is a new
 * migration.
 *
 * <p>A migration is SQL statements, then, where SQL cannot do the work, a Java step; both run in
 * the one transaction that also sets the new user_version.
 *
 * <p>Conventions: times are INTEGER milliseconds since the epoch (UTC), which sort and compare
 * correctly; booleans are INTEGER 0/1; tables are STRICT so a wrong type fails loudly.
 */
final class Schema {
  /** Identifies a popvault ledger among SQLite files (PRAGMA application_id, ASCII "popv"). */
  static final int APPLICATION_ID = 0x706f7076;

  static final List<Migration> MIGRATIONS =
      List.of(
          Migration.of(
              "PRAGMA application_id = " + APPLICATION_ID,
              """
              CREATE TABLE account (
                id INTEGER PRIMARY KEY,
                name TEXT NOT NULL UNIQUE,
                host TEXT NOT NULL,
                port INTEGER NOT NULL CHECK (port BETWEEN 1 AND 65535),
                user TEXT NOT NULL
              ) STRICT""",
              // outcome, ended and the counts stay NULL while a run is in progress; a row left that
              // way after the process is gone records a run that was killed.
              """
              CREATE TABLE run (
                id INTEGER PRIMARY KEY,
                account_id INTEGER NOT NULL REFERENCES account(id),
                started INTEGER NOT NULL,
                ended INTEGER,
                outcome TEXT CHECK (outcome IN ('ok', 'failed', 'interrupted')),
                exit_code INTEGER,
                new_count INTEGER,
                skipped_count INTEGER,
                deleted_count INTEGER,
                bytes INTEGER,
                error TEXT
              ) STRICT""",
              "CREATE INDEX run_by_account ON run(account_id, started)",
              """
              CREATE TABLE archive_file (
                id INTEGER PRIMARY KEY,
                account_id INTEGER NOT NULL REFERENCES account(id),
                path TEXT NOT NULL UNIQUE,
                codec TEXT NOT NULL,
                committed_length INTEGER NOT NULL DEFAULT 0 CHECK (committed_length >= 0)
              ) STRICT""",
              "CREATE INDEX archive_file_by_account ON archive_file(account_id)",
              """
              CREATE TABLE frame (
                id INTEGER PRIMARY KEY,
                file_id INTEGER NOT NULL REFERENCES archive_file(id),
                file_offset INTEGER NOT NULL CHECK (file_offset >= 0),
                byte_length INTEGER NOT NULL CHECK (byte_length > 0),
                run_id INTEGER NOT NULL REFERENCES run(id),
                UNIQUE (file_id, file_offset)
              ) STRICT""",
              "CREATE INDEX frame_by_run ON frame(run_id)",
              // size is the LIST size. It is part of the unique key so that a server reusing a UIDL
              // for
              // another message yields a second row instead of a lost message. The key's index also
              // serves lookups by (account_id, uidl) and the covering scan behind archivedKeys.
              """
              CREATE TABLE message (
                id INTEGER PRIMARY KEY,
                account_id INTEGER NOT NULL REFERENCES account(id),
                uidl TEXT NOT NULL,
                size INTEGER NOT NULL CHECK (size >= 0),
                wire_length INTEGER NOT NULL CHECK (wire_length >= 0),
                sha256 BLOB NOT NULL CHECK (length(sha256) = 32),
                frame_id INTEGER NOT NULL REFERENCES frame(id),
                frame_offset INTEGER NOT NULL CHECK (frame_offset >= 0),
                encoded_length INTEGER NOT NULL CHECK (encoded_length >= 0),
                raw_from_line INTEGER NOT NULL CHECK (raw_from_line >= -1),
                no_final_newline INTEGER NOT NULL CHECK (no_final_newline IN (0, 1)),
                message_id TEXT,
                date TEXT,
                from_addr TEXT,
                subject TEXT,
                archived_at INTEGER NOT NULL,
                deleted_at INTEGER,
                UNIQUE (account_id, uidl, size, sha256)
              ) STRICT""",
              "CREATE INDEX message_by_frame ON message(frame_id, frame_offset)"),
          // 2: verification and repair (issue 9, M7). verified_at: when the frame last read back
          // intact from disk. replacement/aside: a verified rewrite of the file (relative path)
          // waiting to be renamed over it, and where the damaged original goes; set in the same
          // transaction that describes the rewritten layout, cleared once the renames are done, so
          // an interrupted repair is finished by the next run. lost_message: messages whose only
          // copy was damaged and that were gone from the server, kept so that they are never
          // silently forgotten.
          Migration.of(
              "ALTER TABLE frame ADD COLUMN verified_at INTEGER",
              "ALTER TABLE archive_file ADD COLUMN replacement TEXT",
              "ALTER TABLE archive_file ADD COLUMN aside TEXT",
              """
              CREATE TABLE lost_message (
                id INTEGER PRIMARY KEY,
                account_id INTEGER NOT NULL REFERENCES account(id),
                uidl TEXT NOT NULL,
                size INTEGER NOT NULL,
                wire_length INTEGER NOT NULL,
                sha256 BLOB NOT NULL,
                message_id TEXT,
                date TEXT,
                from_addr TEXT,
                subject TEXT,
                archived_at INTEGER NOT NULL,
                deleted_at INTEGER,
                lost_at INTEGER NOT NULL,
                damaged_copy TEXT NOT NULL
              ) STRICT""",
              "CREATE INDEX lost_message_by_account ON lost_message(account_id, lost_at)"),
          // 3: account renames (popvault rename): a row here means the account's directory may
          // already
          // have moved to new_dir while the ledger still records old_dir. Archive runs refuse such
          // an account and the rename's target name until `rename` finishes; the row goes away in
          // the same transaction that renames the account and rewrites its archive_file paths.
          Migration.of(
              """
              CREATE TABLE account_rename (
                account_id INTEGER PRIMARY KEY REFERENCES account(id),
                new_name TEXT NOT NULL UNIQUE,
                old_dir TEXT NOT NULL,
                new_dir TEXT NOT NULL
              ) STRICT"""),
          // 4: catalog queries. date_ms is the Date header read by MailDates (epoch ms, NULL when
          // absent or unparsable), beside the raw date text; written with every date, back-filled
          // here for the rows already recorded. Listing by date or sender is per account, as every
          // ledger query is; a Message-ID is looked up in any account.
          new Migration(
              List.of(
                  "ALTER TABLE message ADD COLUMN date_ms INTEGER",
                  "CREATE INDEX message_by_date ON message(account_id, date_ms)",
                  "CREATE INDEX message_by_from ON message(account_id, from_addr)",
                  "CREATE INDEX message_by_message_id ON message(message_id)"),
              Schema::backfillDates),
          // 5: what a run did (archive, repair or delete: `popvault history` tells them apart);
          // the messages `delete --unarchived-too` removed from the server without an archived
          // copy here, recorded with the run that removed them so that such a deletion is never
          // silent (archived messages a run deleted keep their row with deleted_at set); and the
          // account's last login with the server's LOGIN-DELAY (RFC 2449, seconds), so that a run
          // that comes too early stops before it connects.
          Migration.of(
              "ALTER TABLE account ADD COLUMN last_login INTEGER",
              "ALTER TABLE account ADD COLUMN login_delay INTEGER CHECK (login_delay >= 0)",
              "ALTER TABLE run ADD COLUMN kind TEXT NOT NULL DEFAULT 'archive'"
                  + " CHECK (kind IN ('archive', 'repair', 'delete'))",
              """
              CREATE TABLE unarchived_deletion (
                id INTEGER PRIMARY KEY,
                account_id INTEGER NOT NULL REFERENCES account(id),
                run_id INTEGER NOT NULL REFERENCES run(id),
                uidl TEXT NOT NULL,
                size INTEGER NOT NULL CHECK (size >= 0),
                deleted_at INTEGER NOT NULL
              ) STRICT""",
              "CREATE INDEX unarchived_deletion_by_account"
                  + " ON unarchived_deletion(account_id, deleted_at)"),
          // 6: UIDLs that another tool (mpop, fetchmail, getmail, Thunderbird) already downloaded,
          // recorded by `popvault adopt` so that the first run fetches only what is new. They are
          // never a reason to DELE (M10): deletion reads only the message table. slash_as_dash: the
          // source (getmail) wrote '/' in a UIDL as '-', so the match is made in that form.
          Migration.of(
              """
              CREATE TABLE adopted (
                id INTEGER PRIMARY KEY,
                account_id INTEGER NOT NULL REFERENCES account(id),
                uidl TEXT NOT NULL,
                slash_as_dash INTEGER NOT NULL CHECK (slash_as_dash IN (0, 1)),
                source TEXT NOT NULL,
                adopted_at INTEGER NOT NULL,
                UNIQUE (account_id, uidl, slash_as_dash)
              ) STRICT"""),
          // 7: the search catalog. To and Cc join the header columns; cataloged is 1 once they
          // were read (at archive time, or for older rows by the back-fill that `search` and
          // `export` run from the archive files). catalog is an FTS5 index over the message
          // table's header text (external content: the text itself stays in message), kept in
          // step by triggers and filled here from what older rows already hold.
          Migration.of(
              "ALTER TABLE message ADD COLUMN to_addr TEXT",
              "ALTER TABLE message ADD COLUMN cc_addr TEXT",
              "ALTER TABLE message ADD COLUMN cataloged INTEGER NOT NULL DEFAULT 0"
                  + " CHECK (cataloged IN (0, 1))",
              "CREATE INDEX message_uncataloged ON message(account_id) WHERE cataloged = 0",
              "CREATE VIRTUAL TABLE catalog USING fts5(from_addr, to_addr, cc_addr, subject,"
                  + " message_id, content = 'message', content_rowid = 'id',"
                  + " tokenize = 'unicode61 remove_diacritics 2')",
              """
              CREATE TRIGGER message_catalog_insert AFTER INSERT ON message BEGIN
                INSERT INTO catalog(rowid, from_addr, to_addr, cc_addr, subject, message_id)
                VALUES (new.id, new.from_addr, new.to_addr, new.cc_addr, new.subject,
                  new.message_id);
              END""",
              """
              CREATE TRIGGER message_catalog_delete AFTER DELETE ON message BEGIN
                INSERT INTO catalog(catalog, rowid, from_addr, to_addr, cc_addr, subject,
                  message_id)
                VALUES ('delete', old.id, old.from_addr, old.to_addr, old.cc_addr, old.subject,
                  old.message_id);
              END""",
              """
              CREATE TRIGGER message_catalog_update
              AFTER UPDATE OF from_addr, to_addr, cc_addr, subject, message_id ON message BEGIN
                INSERT INTO catalog(catalog, rowid, from_addr, to_addr, cc_addr, subject,
                  message_id)
                VALUES ('delete', old.id, old.from_addr, old.to_addr, old.cc_addr, old.subject,
                  old.message_id);
                INSERT INTO catalog(rowid, from_addr, to_addr, cc_addr, subject, message_id)
                VALUES (new.id, new.from_addr, new.to_addr, new.cc_addr, new.subject,
                  new.message_id);
              END""",
              "INSERT INTO catalog(catalog) VALUES ('rebuild')"),
          // 8: uploads to IMAP (`popvault upload`). A row is written as 'appending' and committed
          // before the APPEND is sent, and set 'done' (with the APPENDUID when the server gives
          // one) after the server confirmed it: a crash in between leaves 'appending', and the
          // next run looks for the message at the destination before it appends it again.
          // destination: imaps://user@host:port/folder.
          Migration.of(
              """
              CREATE TABLE upload (
                id INTEGER PRIMARY KEY,
                message_id INTEGER NOT NULL REFERENCES message(id),
                destination TEXT NOT NULL,
                state TEXT NOT NULL CHECK (state IN ('appending', 'done')),
                uid_validity INTEGER,
                uid INTEGER,
                started_at INTEGER NOT NULL,
                done_at INTEGER,
                UNIQUE (message_id, destination)
              ) STRICT""",
              "CREATE INDEX upload_by_destination ON upload(destination, state)"),
          // 9: where a run's messages came from when not from the POP3 server: `popvault import`
          // records the file or Maildir (its messages carry UIDLs "imported <sha-256>", which no
          // server can list: a UIDL holds no space, so they never license a DELE, M10).
          Migration.of("ALTER TABLE run ADD COLUMN source TEXT"));

  private Schema() {}

  /** Java work of a migration, run after its SQL in the same transaction. */
  @FunctionalInterface
  interface Step {
    void apply(Sql sql) throws SQLException, LedgerException;
  }

  /** One numbered migration: its statements in order, then {@code then} if not null. */
  record Migration(List<String> statements, Step then) {
    static Migration of(String... statements) {
      return new Migration(List.of(statements), null);
    }

    void apply(Connection connection, Sql sql) throws SQLException, LedgerException {
      try (Statement s = connection.createStatement()) {
        for (String statement : statements) {
          s.execute(statement);
        }
      }
      if (then != null) {
        then.apply(sql);
      }
    }
  }

  /**
   * Migration 4's back-fill: date_ms for every recorded date, read by the same parser as at insert
   * time. All rows are read before the first update: SQLite leaves a scan of a table that is being
   * changed undefined.
   */
  static void backfillDates(Sql sql) throws SQLException, LedgerException {
    record Dated(long id, String date) {}
    List<Dated> rows =
        sql.all(
            "SELECT id, date FROM message WHERE date IS NOT NULL",
            r -> new Dated(r.getLong(1), r.getString(2)));
    MailDates dates = new MailDates();
    try (Sql.Statement set = sql.prepare("UPDATE message SET date_ms = ? WHERE id = ?")) {
      for (Dated d : rows) {
        Long ms = dates.epochMillis(d.date());
        if (ms != null) {
          set.update(ms, d.id());
        }
      }
    }
  }

  /**
   * Returns user_version after checking that this is a popvault ledger this code understands.
   *
   * @throws LedgerException {@link Kind#CORRUPT} for another SQLite database, {@link
   *     Kind#NEWER_SCHEMA} for a ledger written by a newer popvault
   */
  static int checkVersion(Connection connection, Path file) throws SQLException, LedgerException {
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
    if (version == 0 && objects > 0 || version > 0 && applicationId != APPLICATION_ID) {
      throw new LedgerException(
          Kind.CORRUPT, "ledger " + file + " is a SQLite database but not a popvault ledger");
    }
    int latest = latestVersion();
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

  /** Returns the newest schema version this code knows. */
  static int latestVersion() {
    return MIGRATIONS.size();
  }
}
