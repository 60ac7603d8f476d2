package dev.popvault.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.popvault.ledger.CatalogFilter;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

class CatalogQueryTest {
  private static final ZoneId UTC = ZoneOffset.UTC;

  private static CatalogFilter filter(String... args) {
    return CatalogQuery.parse(List.of(args), UTC).filter(null);
  }

  @Test
  void fieldTermsBecomeColumnPhrasesAndWordsSearchEveryField() {
    assertThat(filter("from:alice@example.org", "invoice").match())
        .isEqualTo("{from_addr} : \"alice@example.org\" AND \"invoice\"");
    assertThat(filter("subject:\"monthly invoice\" to:bob").match())
        .isEqualTo("{subject} : \"monthly invoice\" AND {to_addr} : \"bob\"");
    assertThat(filter("CC:carol").match()).isEqualTo("{cc_addr} : \"carol\"");
  }

  @Test
  void quotesAndOperatorsInTheTextAreMatchedAsText() {
    assertThat(filter("x\"y\"z").match()).isEqualTo("\"x\"\"y\"\"z\"");
    assertThat(filter("NOT", "OR").match()).isEqualTo("\"NOT\" AND \"OR\"");
    assertThat(filter("\"from:alice\"").match()).isEqualTo("\"from:alice\"");
  }

  @Test
  void aTrailingStarIsAPrefixSearch() {
    assertThat(filter("subject:inv*").match()).isEqualTo("{subject} : \"inv\" *");
    assertThat(filter("\"inv*\"").match()).as("inside quotes it is text").isEqualTo("\"inv*\"");
  }

  @Test
  void exactFieldsAndDatesGoToTheirOwnColumns() {
    CatalogFilter f =
        filter(
            "message-id:abc@x", "uidl:U1", "account:work", "after:2024-01-01", "before:2024-02-01");
    assertThat(f.match()).isNull();
    assertThat(f.messageId()).isEqualTo("<abc@x>");
    assertThat(f.uidl()).isEqualTo("U1");
    assertThat(f.account()).isEqualTo("work");
    assertThat(f.fromMillis()).isEqualTo(1704067200000L);
    assertThat(f.untilMillis()).isEqualTo(1706745600000L);
    assertThat(filter("message-id:<abc@x>").messageId()).isEqualTo("<abc@x>");
  }

  @Test
  void datesAreDaysInTheGivenZone() {
    CatalogFilter f =
        CatalogQuery.parse(List.of("after:2024-01-01"), ZoneId.of("Europe/Berlin")).filter(null);
    assertThat(f.fromMillis()).isEqualTo(1704067200000L - 3_600_000L);
  }

  @Test
  void anAccountOfThePlaceNarrowsAndAContradictionMatchesNothing() {
    assertThat(CatalogQuery.parse(List.of(), UTC).filter("home").account()).isEqualTo("home");
    assertThat(CatalogQuery.parse(List.of("account:work"), UTC).filter("home")).isNull();
    assertThat(CatalogQuery.parse(List.of(), UTC).filter(null).match()).isNull();
  }

  @Test
  void mistakesAreUsageErrorsThatSayWhat() {
    assertThatThrownBy(() -> filter("form:alice"))
        .isInstanceOf(PopvaultException.class)
        .hasMessageContaining("unknown search field 'form:'")
        .hasMessageContaining("from, to, cc");
    assertThatThrownBy(() -> filter("after:31/12/2024")).hasMessageContaining("is not a date");
    assertThatThrownBy(() -> filter("subject:")).hasMessageContaining("needs a value");
    assertThatThrownBy(() -> filter("uidl:a", "uidl:b")).hasMessageContaining("only once");
    assertThatThrownBy(() -> filter("subject:\"open")).hasMessageContaining("unbalanced quote");
    assertThatThrownBy(() -> filter("*")).hasMessageContaining("empty search term");
  }
}
