package dev.popvault.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.popvault.ledger.ArchivedKey;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Retention as a pure function of the listing, the ledger's facts and the time. */
class RetentionTest {
  private static final Instant NOW = Instant.parse("2026-12-05T12:00:00Z");
  private static final ArchivedKey A = new ArchivedKey("a", 10);
  private static final ArchivedKey B = new ArchivedKey("b", 20);
  private static final ArchivedKey C = new ArchivedKey("c", 30);
  private static final MailboxListing LISTING =
      MailboxListing.of(
          List.of(
              new MailboxListing.Listed(1, A),
              new MailboxListing.Listed(2, B),
              new MailboxListing.Listed(3, C)));

  @Test
  void m2_aMessageTheLedgerDoesNotHoldIsNeverDue() {
    Map<ArchivedKey, Instant> facts = Map.of(A, NOW.minus(Duration.ofDays(400)));

    assertThat(Retention.due(LISTING, facts, Duration.ZERO, NOW)).containsExactly(A);
    assertThat(Retention.due(LISTING, facts, Duration.ofDays(30), NOW)).containsExactly(A);
  }

  @Test
  void keepDaysHoldsBackWhatWasArchivedMoreRecently() {
    Map<ArchivedKey, Instant> facts =
        Map.of(
            A, NOW.minus(Duration.ofDays(31)),
            B, NOW.minus(Duration.ofDays(30)),
            C, NOW.minus(Duration.ofDays(29)));

    assertThat(Retention.due(LISTING, facts, Duration.ofDays(30), NOW)).containsExactly(A, B);
  }

  @Test
  void zeroDaysMakesEveryArchivedMessageDueEvenIfTheClockWentBack() {
    Map<ArchivedKey, Instant> facts = Map.of(B, NOW.plusSeconds(5), C, NOW);

    assertThat(Retention.due(LISTING, facts, Duration.ZERO, NOW)).containsExactly(B, C);
  }

  @Test
  void dueKeysFollowTheListingOrderAndOnlyListedKeysCount() {
    ArchivedKey gone = new ArchivedKey("gone", 1);
    Map<ArchivedKey, Instant> facts = Map.of(C, NOW, A, NOW, gone, NOW);

    assertThat(Retention.due(LISTING, facts, Duration.ZERO, NOW)).containsExactly(A, C);
  }

  @Test
  void aNegativeKeepIsRefused() {
    assertThatThrownBy(() -> Retention.due(LISTING, Map.of(), Duration.ofDays(-1), NOW))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
