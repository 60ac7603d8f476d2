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
  void repeatsAsWordFindsAnEchoedSecretButNotItsLettersInsideWords() {
    char[] secret = "hunter2".toCharArray();
    assertThat(Text.repeatsAsWord("bad password hunter2", secret)).isTrue();
    assertThat(Text.repeatsAsWord("PASS hunter2: unknown", secret)).isTrue();
    assertThat(Text.repeatsAsWord("'hunter2' rejected", secret)).isTrue();
    assertThat(Text.repeatsAsWord("hunter22 is not it", secret)).isFalse();
    assertThat(Text.repeatsAsWord("nothing here", secret)).isFalse();
    char[] letter = {'e'};
    assertThat(Text.repeatsAsWord("[IN-USE] Unable to lock maildrop, see the log", letter))
        .as("a one-letter password inside words")
        .isFalse();
    assertThat(Text.repeatsAsWord("bad password e", letter)).isTrue();
    assertThat(Text.repeatsAsWord("anything", new char[0])).isFalse();
  }

  @Test
  void secondsAreWholeOrDecimal() {
    assertThat(Text.seconds(Duration.ofSeconds(120))).isEqualTo("120 s");
    assertThat(Text.seconds(Duration.ofMillis(300))).isEqualTo("0.3 s");
  }
}
