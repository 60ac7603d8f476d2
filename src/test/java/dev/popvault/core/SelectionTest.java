package dev.popvault.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.popvault.ledger.ArchivedKey;
import dev.popvault.mime.HeaderSummary;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Which messages a selection names: identity, size, age, archiving time and decoded headers. */
class SelectionTest {
  private static final Instant T = Instant.parse("2025-01-01T00:00:00Z");
  private static final ArchivedKey SMALL = new ArchivedKey("small", 100);
  private static final ArchivedKey BIG = new ArchivedKey("big", 5_000_000);

  private static Selection only(
      long largerThan, Instant dateBefore, Instant archivedBefore, String from, String subject) {
    return new Selection(Set.of(), Map.of(), largerThan, dateBefore, archivedBefore, from, subject);
  }

  @Test
  void allMatchesEverythingAndNeedsNoHeaders() {
    assertThat(Selection.ALL.isAll()).isTrue();
    assertThat(Selection.ALL.needsHeaders()).isFalse();
    assertThat(Selection.ALL.matchesListing(1, SMALL, null)).isTrue();
    assertThat(Selection.ALL.matchesHeaders(HeaderSummary.empty(), null)).isTrue();
  }

  @Test
  void uidlsAndNumbersNameMessagesTogetherAndFiltersMustAllHold() {
    Selection named = new Selection(Set.of("small"), Map.of(7, "big"), -1, null, null, null, null);
    assertThat(named.matchesListing(1, SMALL, null)).isTrue();
    assertThat(named.matchesListing(7, BIG, null)).isTrue();
    assertThat(named.matchesListing(2, BIG, null)).isFalse();

    Selection namedAndBig =
        new Selection(Set.of("small", "big"), Map.of(), 1000, null, null, null, null);
    assertThat(namedAndBig.matchesListing(1, SMALL, null)).isFalse();
    assertThat(namedAndBig.matchesListing(2, BIG, null)).isTrue();
  }

  @Test
  void largerThanIsStrictlyLarger() {
    assertThat(only(100, null, null, null, null).matchesListing(1, SMALL, null)).isFalse();
    assertThat(only(99, null, null, null, null).matchesListing(1, SMALL, null)).isTrue();
  }

  @Test
  void archivedBeforeNeedsAnArchivingTimeBeforeTheCut() {
    Selection s = only(-1, null, T, null, null);
    assertThat(s.archivedOnly()).isTrue();
    assertThat(s.matchesListing(1, SMALL, null)).isFalse();
    assertThat(s.matchesListing(1, SMALL, T)).isFalse();
    assertThat(s.matchesListing(1, SMALL, T.minusMillis(1))).isTrue();
  }

  @Test
  void olderThanNeedsAReadableDateBeforeTheCut() {
    Selection s = only(-1, T, null, null, null);
    assertThat(s.needsHeaders()).isTrue();
    HeaderSummary h = HeaderSummary.empty();
    assertThat(s.matchesHeaders(h, null)).isFalse();
    assertThat(s.matchesHeaders(h, T.toEpochMilli())).isFalse();
    assertThat(s.matchesHeaders(h, T.toEpochMilli() - 1)).isTrue();
  }

  @Test
  void fromAndSubjectAreCaseInsensitiveSubstringsOfTheDecodedText() {
    HeaderSummary h =
        new HeaderSummary(null, null, "Jörg Müller <joerg@example.org>", "Grüße", null, null);
    assertThat(only(-1, null, null, "MÜLLER", null).matchesHeaders(h, null)).isTrue();
    assertThat(only(-1, null, null, "JOERG@", "grüße").matchesHeaders(h, null)).isTrue();
    assertThat(only(-1, null, null, "joerg", "hello").matchesHeaders(h, null)).isFalse();
    assertThat(only(-1, null, null, "x", null).matchesHeaders(HeaderSummary.empty(), null))
        .isFalse();
    assertThat(only(-1, null, null, "x", "y").headerOptions())
        .containsExactly("--from", "--subject");
  }

  @Test
  void aNumberMustBeListedAndHaveTheUidlTheUserSaw() {
    MailboxListing listing =
        MailboxListing.of(
            List.of(new MailboxListing.Listed(1, SMALL), new MailboxListing.Listed(2, BIG)));
    new Selection(Set.of(), Map.of(2, "big"), -1, null, null, null, null).checkNumbers(listing);
    Map<Integer, String> unchecked = new HashMap<>();
    unchecked.put(1, null);
    new Selection(Set.of(), unchecked, -1, null, null, null, null).checkNumbers(listing);

    assertThatThrownBy(
            () ->
                new Selection(Set.of(), Map.of(2, "small"), -1, null, null, null, null)
                    .checkNumbers(listing))
        .isInstanceOf(PopvaultException.class)
        .hasMessageContaining("message 2 now has UIDL big, not small");
    assertThatThrownBy(
            () ->
                new Selection(Set.of(), Map.of(3, "x"), -1, null, null, null, null)
                    .checkNumbers(listing))
        .hasMessageContaining("no message 3");
  }
}
