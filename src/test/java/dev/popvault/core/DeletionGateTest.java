package dev.popvault.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.popvault.ledger.ArchivedKey;
import dev.popvault.pop3.Pop3Exception;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * The deletion gate at unit level: a fake session and ledger record every call in order, so a
 * broken order or a DELE for a message whose copy was not proven in this run (M2, M7) fails here.
 */
class DeletionGateTest {
  private static final Instant NOW = Instant.parse("2026-12-05T12:00:00Z");

  private final List<String> calls = new ArrayList<>();
  private final List<MailboxListing.Listed> listing = new ArrayList<>();
  // What the ledger holds (and retention chose): by default every listed message.
  private final Set<ArchivedKey> due = new LinkedHashSet<>();
  private final AtomicBoolean stop = new AtomicBoolean();
  private final List<Integer> keptReported = new ArrayList<>();

  /** Records the POP3 commands; optionally fails DELE or QUIT like a server would. */
  private final class FakeSession implements DeletionGate.Session {
    Pop3Exception onDele;
    IOException onQuit;
    boolean stopDuringDele;

    @Override
    public void delete(List<Integer> numbers) throws IOException {
      for (int n : numbers) {
        calls.add("DELE " + n);
      }
      if (stopDuringDele) {
        stop.set(true);
      }
      if (onDele != null) {
        throw onDele;
      }
    }

    @Override
    public void reset() {
      calls.add("RSET");
    }

    @Override
    public void quit() throws IOException {
      calls.add("QUIT");
      if (onQuit != null) {
        throw onQuit;
      }
    }
  }

  private final FakeSession session = new FakeSession();

  private void record(
      Collection<ArchivedKey> archived, Collection<ArchivedKey> unarchived, Instant when) {
    calls.add("mark deleted " + uidls(archived) + " at " + when);
    if (!unarchived.isEmpty()) {
      calls.add("record unarchived " + uidls(unarchived) + " at " + when);
    }
  }

  private static List<String> uidls(Collection<ArchivedKey> keys) {
    List<String> uidls = new ArrayList<>();
    for (ArchivedKey k : keys) {
      uidls.add(k.uidl());
    }
    return uidls;
  }

  private ArchivedKey listed(int number, String uidl, long size) {
    ArchivedKey key = new ArchivedKey(uidl, size);
    listing.add(new MailboxListing.Listed(number, key));
    due.add(key);
    return key;
  }

  private int run(DeletionGate gate) throws IOException {
    return gate.deleteAndQuit(
        MailboxListing.of(listing),
        due,
        session,
        this::record,
        stop::get,
        () -> NOW,
        keptReported::add);
  }

  @Test
  void m2_m7_onlyMessagesAdmittedInThisRunAreDeleted() throws IOException {
    DeletionGate gate = new DeletionGate();
    ArchivedKey committedNow = listed(1, "a", 100);
    listed(
        2, "b", 200); // in the ledger from an earlier run, not re-read (or damaged): not admitted
    listed(3, "c", 300); // not archived at all
    ArchivedKey reReadNow = listed(4, "d", 400);
    gate.admit(committedNow);
    gate.admitAll(List.of(reReadNow));

    assertThat(run(gate)).isEqualTo(2);

    assertThat(calls).containsExactly("DELE 1", "DELE 4", "QUIT", "mark deleted [a, d] at " + NOW);
    assertThat(keptReported).containsExactly(2);
  }

  @Test
  void m2_onlyAWaivedUnarchivedMessageGoesAndItIsRecordedAsUnarchived() throws IOException {
    DeletionGate gate = new DeletionGate();
    ArchivedKey archived = listed(1, "a", 100);
    ArchivedKey confirmed = listed(2, "b", 200); // not archived; the user confirmed its deletion
    listed(3, "c", 300); // not archived, not confirmed
    gate.admit(archived);
    gate.waive(confirmed);

    assertThat(run(gate)).isEqualTo(2);

    assertThat(calls)
        .containsExactly(
            "DELE 1",
            "DELE 2",
            "QUIT",
            "mark deleted [a] at " + NOW,
            "record unarchived [b] at " + NOW);
  }

  @Test
  void m2_aMessageThatIsNotDueIsKeptEvenWhenAdmitted() throws IOException {
    DeletionGate gate = new DeletionGate();
    ArchivedKey recent = listed(1, "a", 100);
    ArchivedKey old = listed(2, "b", 200);
    gate.admitAll(List.of(recent, old));
    due.remove(recent); // e.g. archived less than --keep-days ago, or not in the ledger

    assertThat(run(gate)).isEqualTo(1);

    assertThat(calls).containsExactly("DELE 2", "QUIT", "mark deleted [b] at " + NOW);
    assertThat(keptReported).containsExactly(1);
  }

  @Test
  void aKeyAdmittedWithAnotherSizeDoesNotLicenseTheListedMessage() throws IOException {
    DeletionGate gate = new DeletionGate();
    listed(1, "reused", 500);
    gate.admit(new ArchivedKey("reused", 499));

    assertThat(run(gate)).isZero();

    assertThat(calls).containsExactly("QUIT");
  }

  @Test
  void nothingAdmittedSendsNoDeleAndMarksNothing() throws IOException {
    listed(1, "a", 1);
    listed(2, "b", 2);

    assertThat(run(new DeletionGate())).isZero();

    assertThat(calls).containsExactly("QUIT");
    assertThat(keptReported).containsExactly(2);
  }

  @Test
  void theLedgerLearnsOfDeletionsOnlyAfterQuitSucceeded() throws IOException {
    DeletionGate gate = new DeletionGate();
    gate.admit(listed(1, "a", 1));
    session.onQuit = new Pop3Exception(Pop3Exception.Kind.CONNECTION_LOST, "connection lost");

    assertThatThrownBy(() -> run(gate)).isSameAs(session.onQuit);

    assertThat(calls).containsExactly("DELE 1", "QUIT");
  }

  @Test
  void errOnDeleUndoesTheMarksAndQuitsAndSaysNothingWasDeleted() throws IOException {
    DeletionGate gate = new DeletionGate();
    gate.admit(listed(1, "a", 1));
    gate.admit(listed(2, "b", 2));
    session.onDele = new Pop3Exception(Pop3Exception.Kind.PROTOCOL, "DELE 2: -ERR no");

    assertThatThrownBy(() -> run(gate))
        .isInstanceOf(Pop3Exception.class)
        .hasMessageContaining("nothing was deleted");

    assertThat(calls).containsExactly("DELE 1", "DELE 2", "RSET", "QUIT");
  }

  @Test
  void aStopDuringDeleEndsWithoutQuitSoTheServerDeletesNothing() throws IOException {
    DeletionGate gate = new DeletionGate();
    gate.admit(listed(1, "a", 1));
    session.stopDuringDele = true;

    assertThat(run(gate)).isZero();

    assertThat(calls).containsExactly("DELE 1");
  }
}
