package dev.popvault.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

/** Sizes and ages as users write them on the command line and in the accounts file. */
class QuantitiesTest {
  private static final Instant NOW = Instant.parse("2026-12-06T12:00:00Z");

  @Test
  void sizesUseDecimalUnitsAsPopvaultPrintsThemAndBinaryUnitsWhenSaidSo() {
    assertThat(ByteSize.parse("2500")).isEqualTo(2500);
    assertThat(ByteSize.parse("500k")).isEqualTo(500_000);
    assertThat(ByteSize.parse("10M")).isEqualTo(10_000_000);
    assertThat(ByteSize.parse("10 MB")).isEqualTo(10_000_000);
    assertThat(ByteSize.parse("1.5G")).isEqualTo(1_500_000_000L);
    assertThat(ByteSize.parse("10MiB")).isEqualTo(10L << 20);
    assertThat(ByteSize.parse("1gib")).isEqualTo(1L << 30);
  }

  @Test
  void aWrongSizeSaysWhichFormsAreAccepted() {
    for (String bad : new String[] {"", "M", "-1", "10 parsecs", "1e9", "99999999999999999999T"}) {
      assertThatThrownBy(() -> ByteSize.parse(bad))
          .as(bad)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("'" + bad + "'");
    }
    assertThatThrownBy(() -> ByteSize.parse("x")).hasMessageContaining(ByteSize.FORMS);
  }

  @Test
  void agesCountBackFromNowOrNameADay() {
    assertThat(Age.before("90d", NOW, ZoneOffset.UTC)).isEqualTo(NOW.minusSeconds(90 * 86400L));
    assertThat(Age.before("90", NOW, ZoneOffset.UTC)).isEqualTo(NOW.minusSeconds(90 * 86400L));
    assertThat(Age.before("12h", NOW, ZoneOffset.UTC)).isEqualTo(NOW.minusSeconds(12 * 3600L));
    assertThat(Age.before("2w", NOW, ZoneOffset.UTC)).isEqualTo(NOW.minusSeconds(14 * 86400L));
    assertThat(Age.before("1y", NOW, ZoneOffset.UTC)).isEqualTo(NOW.minusSeconds(365 * 86400L));
    assertThat(Age.before("2024-01-31", NOW, ZoneOffset.ofHours(1)))
        .isEqualTo(Instant.parse("2024-01-30T23:00:00Z"));
  }

  @Test
  void aWrongAgeSaysWhichFormsAreAccepted() {
    for (String bad : new String[] {"", "d", "3 months", "2024-13-01", "99999999999y"}) {
      assertThatThrownBy(() -> Age.before(bad, NOW, ZoneOffset.UTC))
          .as(bad)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("'" + bad + "'");
    }
  }
}
