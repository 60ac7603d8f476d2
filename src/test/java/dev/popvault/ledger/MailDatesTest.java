package dev.popvault.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class MailDatesTest {
  private final MailDates dates = new MailDates();

  @Test
  void readsTheFormsRealMailCarries() {
    assertThat(dates.epochMillis("Mon, 1 Jan 2024 00:00:00 GMT")).isEqualTo(1704067200000L);
    assertThat(dates.epochMillis("Tue, 3 Jun 2008 11:05:30 +0200 (CEST)"))
        .isEqualTo(1212483930000L);
    assertThat(dates.epochMillis("3 Jun 08 11:05 EST"))
        .as("two-digit year, obsolete zone")
        .isEqualTo(1212509100000L);
    assertThat(dates.epochMillis("Tue,  3 Jun 2008 11:05:30 +0200")).isEqualTo(1212483930000L);
    assertThat(dates.epochMillis("Thu, 01 Jan 1970 00:00:00 -0000")).isZero();
  }

  @Test
  void readsADateWithoutZoneAsUtcWhateverTheDefaultZone() {
    assertThat(dates.epochMillis("Tue, 3 Jun 2008 11:05:30")).isEqualTo(1212491130000L);
  }

  @Test
  void givesNullForWhatIsNoDate() {
    assertThat(dates.epochMillis(null)).isNull();
    assertThat(dates.epochMillis("")).isNull();
    assertThat(dates.epochMillis("   ")).isNull();
    assertThat(dates.epochMillis("not a date")).isNull();
    assertThat(dates.epochMillis("2008-06-03T11:05:30Z"))
        .as("ISO 8601 is not a mail date")
        .isNull();
  }
}
