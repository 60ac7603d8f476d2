package dev.popvault.ledger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class RunOutcomeTest {
  private static final Instant T = Instant.parse("2024-03-01T00:00:00Z");

  @Test
  void foldsTheErrorIntoOneBoundedLine() {
    RunOutcome o = new RunOutcome(T, "failed", 74, 0, 0, 0, 0, "disk\r\nfull\n\nagain\n");
    assertThat(o.error()).isEqualTo("disk full again");
    String longError = "x".repeat(RunOutcome.MAX_ERROR_LENGTH - 1) + "\uD83D\uDCE7tail";
    assertThat(new RunOutcome(T, "failed", 1, 0, 0, 0, 0, longError).error())
        .hasSize(RunOutcome.MAX_ERROR_LENGTH - 1)
        .doesNotContain("\uD83D");
    assertThat(new RunOutcome(T, "ok", 0, 0, 0, 0, 0, null).error()).isNull();
  }

  @Test
  void rejectsUnknownOutcomesAndNegativeCounts() {
    assertThatThrownBy(() -> new RunOutcome(T, "running", 0, 0, 0, 0, 0, null))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new RunOutcome(T, "ok", 0, -1, 0, 0, 0, null))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new RunOutcome(T, "ok", 0, 0, 0, 0, -5, null))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new RunOutcome(T, "ok", 256, 0, 0, 0, 0, null))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new RunOutcome(null, "ok", 0, 0, 0, 0, 0, null))
        .isInstanceOf(NullPointerException.class);
  }
}
