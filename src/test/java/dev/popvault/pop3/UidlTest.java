package dev.popvault.pop3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class UidlTest {

  @Test
  void acceptsTheWholeRfc1939Range() throws Pop3Exception {
    String all =
        "!\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~";
    assertThat(Uidl.fromServer(all.substring(0, 70)).value()).hasSize(70);
    assertThat(new Uidl("~").value()).isEqualTo("~");
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "has space", "tab\t", "é", "\u007f"})
  void rejectsIdsOutsideTheRange(String value) {
    assertThatThrownBy(() -> Uidl.fromServer(value))
        .isInstanceOfSatisfying(
            Pop3Exception.class, e -> assertThat(e.kind()).isEqualTo(Pop3Exception.Kind.PROTOCOL))
        .hasMessageStartingWith("invalid UIDL");
    assertThatThrownBy(() -> new Uidl(value)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void rejectsSeventyOneCharacters() {
    assertThatThrownBy(() -> Uidl.fromServer("a".repeat(71))).isInstanceOf(Pop3Exception.class);
  }
}
