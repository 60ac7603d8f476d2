package dev.popvault.core;

import dev.popvault.ledger.ArchivedKey;
import dev.popvault.pop3.Pop3Client;
import dev.popvault.pop3.Pop3Exception;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The only path to DELE (M2, M7). A run admits a message key when its archived copy was committed
 * to the ledger and read back intact from disk <em>in this run</em> (written and verified now, or
 * re-read now); the gate then DELEs exactly the listed messages whose key was admitted, and records
 * them as deleted only once the server answered QUIT with +OK (RFC 1939: DELE only marks).
 *
 * <p>Keys the ledger holds but that were not admitted — archived by an earlier run and not re-read,
 * or damaged and not repaired — stay on the server.
 *
 * <p>The one exception to M2 is explicit: {@code delete --unarchived-too}, after the user confirmed
 * on a terminal or with {@code --yes}, {@linkplain #waive waives} the rule for messages this
 * machine holds no copy of; they are recorded as such when the server deleted them.
 */
final class DeletionGate {
  /** What the gate needs of the POP3 session. */
  interface Session {
    /** Sends DELE for each number (pipelined or not); throws on the first -ERR. */
    void delete(List<Integer> numbers) throws IOException;

    /** Sends RSET: the server forgets the deletion marks. */
    void reset() throws IOException;

    /** Sends QUIT; returns normally only on +OK (the server committed the deletions). */
    void quit() throws IOException;

    /** The gate's view of a POP3 session: DELE (pipelined), RSET and QUIT of {@code client}. */
    static Session of(Pop3Client client) {
      return new Session() {
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
      };
    }
  }

  /** What the gate needs of the ledger. */
  interface DeletionRecord {
    /**
     * Records, at once, that the server deleted these messages: {@code archived} ones (admitted)
     * and {@code unarchived} ones (waived).
     */
    void recordDeleted(
        Collection<ArchivedKey> archived, Collection<ArchivedKey> unarchived, Instant when)
        throws IOException;
  }

  private final Set<ArchivedKey> admitted = new HashSet<>();
  private final Set<ArchivedKey> waived = new HashSet<>();

  /** Admits a key whose archived copy was committed and read back intact in this run. */
  void admit(ArchivedKey key) {
    admitted.add(key);
  }

  /** Admits every key of {@code keys} (see {@link #admit}). */
  void admitAll(Collection<ArchivedKey> keys) {
    admitted.addAll(keys);
  }

  /**
   * Lets a message that has no archived copy here be deleted: only for {@code delete
   * --unarchived-too} once the user confirmed it (the M2 exception above).
   */
  void waive(ArchivedKey key) {
    waived.add(key);
  }

  /**
   * Returns the numbers of the listed messages that may be deleted, in listing order: those due
   * (held by the ledger and chosen by {@link Retention}: M2) and admitted in this run (M7), and
   * those due and waived.
   */
  List<Integer> select(MailboxListing listing, Set<ArchivedKey> due) {
    List<Integer> numbers = new ArrayList<>();
    for (MailboxListing.Listed entry : listing.entries()) {
      ArchivedKey key = entry.key();
      if (due.contains(key) && (admitted.contains(key) || waived.contains(key))) {
        numbers.add(entry.number());
      }
    }
    return numbers;
  }

  /**
   * Ends the session: DELEs the listed messages that are due and admitted, QUITs, and records them
   * as deleted after +OK. A -ERR to a DELE undoes the marks (RSET), QUITs and fails with "nothing
   * was deleted". A stop requested while DELEs were under way ends without QUIT, so the server
   * deletes nothing.
   *
   * @param due the keys {@link Retention} chose from the ledger's facts
   * @param kept receives the number of listed messages that stay on the server (if any, and no
   *     stop)
   * @return how many messages the server deleted
   */
  int deleteAndQuit(
      MailboxListing listing,
      Set<ArchivedKey> due,
      Session session,
      DeletionRecord record,
      BooleanSupplier stopRequested,
      Supplier<Instant> clock,
      Consumer<Integer> kept)
      throws IOException {
    List<Integer> numbers = select(listing, due);
    if (numbers.size() < listing.size() && !stopRequested.getAsBoolean()) {
      kept.accept(listing.size() - numbers.size());
    }
    if (numbers.isEmpty()) {
      session.quit();
      return 0;
    }
    try {
      session.delete(numbers);
    } catch (Pop3Exception e) {
      if (e.kind() == Pop3Exception.Kind.PROTOCOL) {
        // Undo the marks so that a partial deletion cannot surprise anyone, then end normally.
        session.reset();
        session.quit();
        throw new Pop3Exception(
            Pop3Exception.Kind.PROTOCOL,
            e.getMessage() + "; nothing was deleted",
            e.responseCode(),
            e);
      }
      throw e;
    }
    if (stopRequested.getAsBoolean()) {
      // A stop that arrived during DELE: no QUIT, so the server deletes nothing (RFC 1939 §6).
      return 0;
    }
    session.quit();
    List<ArchivedKey> archived = new ArrayList<>(numbers.size());
    List<ArchivedKey> unarchived = new ArrayList<>();
    for (int n : numbers) {
      ArchivedKey key = listing.keyOf(n);
      (admitted.contains(key) ? archived : unarchived).add(key);
    }
    record.recordDeleted(archived, unarchived, clock.get());
    return numbers.size();
  }
}
