/**
 * Keeps the SQLite ledger: the single source of truth for what has been archived (DESIGN.md §5,
 * M5).
 *
 * <p>Lives here: {@link dev.popvault.ledger.Ledger} (open, migrate, query, commit), the plain value
 * records that cross its API, and {@link dev.popvault.ledger.LedgerException}, whose {@link
 * dev.popvault.ledger.LedgerException.Kind} tells callers what failed (IO, LOCKED, NEWER_SCHEMA,
 * CORRUPT, CONFLICT) without parsing messages. Behind the facade, one package-private part per
 * table or concern holds the SQL ({@code Accounts}, {@code Runs}, {@code Messages}, ...), sharing
 * the JDBC helper {@code Sql}; {@code Schema} holds the numbered migrations.
 *
 * <p>Must not depend on: any other popvault package. It knows nothing of POP3, sockets, codecs or
 * archive file contents; all values crossing the API are plain Java. {@code core} composes it with
 * {@code pop3} and {@code archive}.
 *
 * <p>Contracts callers rely on:
 *
 * <ul>
 *   <li>A message is archived if and only if its row is committed here; a frame and all its
 *       messages and the file's new committed length are committed in one transaction ({@code
 *       commitFrame}), so after a crash the ledger and the archive's committed prefix always agree
 *       (M1, M4).
 *   <li>Archive bytes past a file's committed length are not recorded here and must be truncated by
 *       recovery (M3).
 *   <li>Messages are keyed by (account, UIDL, LIST size, SHA-256): a reused UIDL with another size
 *       is a new message.
 *   <li>The ledger file is created 0600 and missing parent directories 0700 before SQLite opens it;
 *       the -wal and -shm files inherit the file's mode.
 *   <li>Exception messages are one line, name the ledger file and hold no SQL, values or secrets.
 *       Header fields stored here (Message-ID, Date, From, Subject) are untrusted mail data.
 * </ul>
 */
package dev.popvault.ledger;
