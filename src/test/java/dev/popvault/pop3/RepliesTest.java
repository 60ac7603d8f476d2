package dev.popvault.pop3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RepliesTest {

  @Test
  void recognisesStatusIndicatorsOnlyAsWholeWords() {
    assertThat(Replies.isOk("+OK")).isTrue();
    assertThat(Replies.isOk("+OK 2 320")).isTrue();
    assertThat(Replies.isOk("+OKAY")).isFalse();
    assertThat(Replies.isOk("+ok")).isFalse();
    assertThat(Replies.isErr("-ERR")).isTrue();
    assertThat(Replies.isErr("-ERR [AUTH] no")).isTrue();
    assertThat(Replies.isErr("-ERROR")).isFalse();
    assertThat(Replies.after("+OK 2 320", 3)).isEqualTo("2 320");
    assertThat(Replies.after("+OK", 3)).isEmpty();
  }

  @Test
  void parsesNumbersUpToTheBound() throws Pop3Exception {
    assertThat(Replies.parseNumber("0", 10, "n")).isZero();
    assertThat(Replies.parseNumber("1099511627776", 1L << 40, "size")).isEqualTo(1L << 40);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "-1", "+1", "1.0", "12a", " 1", "11", "99999999999999", "١"})
  void rejectsAnythingButSmallDecimals(String word) {
    assertThatThrownBy(() -> Replies.parseNumber(word, 10, "n"))
        .isInstanceOfSatisfying(
            Pop3Exception.class, e -> assertThat(e.kind()).isEqualTo(Pop3Exception.Kind.PROTOCOL));
  }
}
