package dev.popvault.ledger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class MessageRowTest {
  private static final Instant T = Instant.parse("2024-03-01T00:00:00Z");

  private static MessageRow message(String uidl, long size, byte[] sha, long rawFromLine) {
    return new MessageRow(
        uidl,
        size,
        10,
        sha,
        0,
        12,
        rawFromLine,
        false,
        null,
        null,
        null,
        "secret plans",
        null,
        null,
        T,
        null);
  }

  @Test
  void copiesTheDigestInAndOut() {
    byte[] sha = new byte[32];
    MessageRow m = message("u", 1, sha, -1);
    sha[0] = 1;
    assertThat(m.sha256()[0]).isZero();
    m.sha256()[0] = 2;
    assertThat(m.sha256()[0]).isZero();
    assertThat(m).isEqualTo(message("u", 1, new byte[32], -1));
    assertThat(m.key()).isEqualTo(new ArchivedKey("u", 1));
  }

  @Test
  void keepsUntrustedHeadersOutOfToString() {
    assertThat(message("u", 1, new byte[32], -1).toString()).doesNotContain("secret plans");
  }

  @Test
  void rejectsImpossibleValues() {
    assertThatThrownBy(() -> message("u", 1, new byte[31], -1))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> message("", 1, new byte[32], -1))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> message("u", -1, new byte[32], -1))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> message("u", 1, new byte[32], -2))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(message("u", 1, new byte[32], 7).rawFromLine()).isEqualTo(7);
  }
}
