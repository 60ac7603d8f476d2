package dev.popvault.pop3;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class TextTest {

  @Test
  void sanitizeReplacesControlCharactersAndTruncates() {
    assertThat(Text.sanitize("a\r\nb\u0000c\u007fd\u0085e\u00e9")).isEqualTo("a??b?c?d?eé");
    assertThat(Text.sanitize("x".repeat(500))).hasSize(203).endsWith("...");
    assertThat(Text.sanitize(null)).isEmpty();
  }

  @Test
  void redactReplacesEveryOccurrence() {
    char[] secret = "hunter2".toCharArray();
    assertThat(Text.redact("bad hunter2, really hunter2!", secret))
        .isEqualTo("bad ********, really ********!");
    assertThat(Text.redact("nothing here", secret)).isEqualTo("nothing here");
    assertThat(Text.redact("hunter", secret)).isEqualTo("hunter");
  }

  @Test
  void secondsAreWholeOrDecimal() {
    assertThat(Text.seconds(Duration.ofSeconds(120))).isEqualTo("120 s");
    assertThat(Text.seconds(Duration.ofMillis(300))).isEqualTo("0.3 s");
  }
}
