package dev.popvault.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.popvault.core.FramePipeline.Planned;
import dev.popvault.ledger.ArchivedKey;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What one run fetches under max-size, max-messages and max-bytes. */
class RunLimitsTest {
  private static final List<Planned> PLAN =
      List.of(
          planned(1, 100), planned(2, 5_000), planned(3, 200), planned(4, 300), planned(5, 400));

  private static Planned planned(int number, long size) {
    return new Planned(number, new ArchivedKey("u" + number, size));
  }

  private static List<Integer> numbers(List<Planned> planned) {
    return planned.stream().map(Planned::number).toList();
  }

  @Test
  void noLimitFetchesThePlan() {
    RunLimits.Applied a = RunLimits.NONE.apply(PLAN, 0, 0);
    assertThat(numbers(a.fetch())).containsExactly(1, 2, 3, 4, 5);
    assertThat(a.tooBig()).isEmpty();
    assertThat(a.deferred()).isZero();
    assertThat(RunLimits.NONE.loginsAgain()).isFalse();
  }

  @Test
  void maxSizeSkipsOnlyTheLargerMessagesAndSaysWhich() {
    RunLimits.Applied a = new RunLimits(1000, 0, 0, 0, false).apply(PLAN, 0, 0);
    assertThat(numbers(a.fetch())).containsExactly(1, 3, 4, 5);
    assertThat(numbers(a.tooBig())).containsExactly(2);
    assertThat(new RunLimits(5000, 0, 0, 0, false).tooBig(5000)).as("at the limit").isFalse();
  }

  @Test
  void maxMessagesCountsWhatEarlierSessionsOfTheRunFetched() {
    RunLimits limits = new RunLimits(0, 3, 0, 0, false);
    assertThat(numbers(limits.apply(PLAN, 0, 0).fetch())).containsExactly(1, 2, 3);
    assertThat(limits.apply(PLAN, 0, 0).deferred()).isEqualTo(2);
    assertThat(numbers(limits.apply(PLAN, 2, 0).fetch())).containsExactly(1);
    assertThat(limits.apply(PLAN, 3, 0).fetch()).isEmpty();
  }

  @Test
  void maxBytesLetsTheFirstMessageGoAndThenWhatFits() {
    RunLimits limits = new RunLimits(0, 0, 700, 0, false);
    // 100 fits, 5000 does not, 200 and 300 fit (600), 400 would make 1000.
    RunLimits.Applied a = limits.apply(PLAN, 0, 0);
    assertThat(numbers(a.fetch())).containsExactly(1, 3, 4);
    assertThat(a.deferred()).isEqualTo(2);
    // One message larger than the whole budget still goes when it is the run's first.
    assertThat(numbers(limits.apply(List.of(planned(9, 9_999)), 0, 0).fetch())).containsExactly(9);
    assertThat(limits.apply(List.of(planned(9, 9_999)), 1, 100).fetch()).isEmpty();
  }

  @Test
  void checkpointAndUntilDoneMeanLoggingInAgain() {
    assertThat(new RunLimits(0, 0, 0, 10, false).loginsAgain()).isTrue();
    assertThat(new RunLimits(0, 0, 0, 0, true).loginsAgain()).isTrue();
  }
}
