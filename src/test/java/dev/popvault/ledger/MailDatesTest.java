package dev.popvault.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.mail.internet.MailDateFormat;
import java.text.ParseException;
import java.util.Date;
import java.util.Random;
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

  @Test
  void theScannerOfThePlainFormAgreesWithJakartaMailOnGeneratedDates() {
    Random random = new Random(5322);
    int plain = 0;
    int total = 20_000;
    for (int n = 0; n < total; n++) {
      String date = generated(random);
      if (MailDates.plainForm(date) != MailDates.NOT_PLAIN) {
        plain++;
      }
      assertThat(dates.epochMillis(date)).as(date).isEqualTo(jakarta(date));
    }
    assertThat(plain).as("dates the scanner read itself").isGreaterThan(total / 3);
  }

  @Test
  void theScannerLeavesWhatItDoesNotKnowToJakartaMail() {
    for (String date :
        new String[] {
          "Mon, 31 Feb 2024 10:00:00 +0000",
          "Mon, 1 Jan 2024 24:00:00 +0000",
          "Mon, 1 Jan 2024 10:00:60 +0000",
          "Mon, 1 Jan 24 10:00:00 +0000",
          "Mon, 1 Jan 2024 10:00:00 GMT",
          "Monday, 1 Jan 2024 10:00:00 +0000",
          "Mon, 1 jan 2024 10:00:00 +0000",
          "Mon, 1 Jan 2024 10:00:00 +0000 (a (nested) comment)",
          "Mon, 1 Jan 2024 10:00:00 +0000 trailing",
          "Mon, 1 Jan 2024 10:00:00 +2400",
        }) {
      assertThat(MailDates.plainForm(date)).as(date).isEqualTo(MailDates.NOT_PLAIN);
      assertThat(dates.epochMillis(date)).as(date).isEqualTo(jakarta(date));
    }
  }

  private static Long jakarta(String date) {
    try {
      Date d = new MailDateFormat().parse(date);
      return d == null ? null : d.getTime();
    } catch (ParseException | RuntimeException e) {
      return null;
    }
  }

  /** Mostly plain-form dates, some with a wrong day name, odd spacing or out-of-range fields. */
  private static String generated(Random r) {
    String[] days = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun", "Xyz", "mon"};
    String[] months = {
      "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec", "Foo"
    };
    StringBuilder b = new StringBuilder();
    switch (r.nextInt(6)) {
      case 0 -> {}
      case 1 -> b.append(days[r.nextInt(days.length)]).append(",").append(" ".repeat(r.nextInt(3)));
      default -> b.append(days[r.nextInt(7)]).append(", ");
    }
    int day = 1 + r.nextInt(r.nextInt(10) == 0 ? 40 : 31);
    b.append(r.nextBoolean() && day < 10 ? "0" + day : String.valueOf(day)).append(' ');
    b.append(months[r.nextInt(r.nextInt(20) == 0 ? 13 : 12)]).append(' ');
    b.append(r.nextInt(20) == 0 ? r.nextInt(100) : 1890 + r.nextInt(220)).append(' ');
    b.append(String.format("%02d:%02d", r.nextInt(r.nextInt(10) == 0 ? 30 : 24), r.nextInt(60)));
    if (r.nextInt(5) > 0) {
      b.append(String.format(":%02d", r.nextInt(r.nextInt(10) == 0 ? 62 : 60)));
    }
    b.append(' ');
    switch (r.nextInt(8)) {
      case 0 -> b.append(new String[] {"GMT", "UT", "EST", "PDT", "Z"}[r.nextInt(5)]);
      case 1 -> b.append(String.format("%c%04d", r.nextBoolean() ? '+' : '-', r.nextInt(10000)));
      default ->
          b.append(
              String.format(
                  "%c%02d%02d", r.nextBoolean() ? '+' : '-', r.nextInt(15), r.nextInt(60)));
    }
    switch (r.nextInt(6)) {
      case 0 -> b.append(" (UTC)");
      case 1 -> b.append(" (Coordinated Universal Time)");
      case 2 -> b.append(r.nextBoolean() ? " " : "  (x)");
      default -> {}
    }
    return b.toString();
  }
}
