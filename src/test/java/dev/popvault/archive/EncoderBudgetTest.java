package dev.popvault.archive;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.tukaani.xz.LZMA2Options;

class EncoderBudgetTest {
  @Test
  void theLaunchersHeapHoldsOneXzEncoder() {
    // -Xmx128m with the serial collector reports 123.75 MiB (one survivor space is not counted).
    assertThat(EncoderBudget.xzPermits(123L << 20)).isEqualTo(1);
    assertThat(EncoderBudget.xzPermits(512L << 20)).isEqualTo(8);
  }

  @Test
  void aTinyHeapStillAllowsOneEncoder() {
    assertThat(EncoderBudget.xzPermits(16L << 20)).isEqualTo(1);
    assertThat(EncoderBudget.xzPermits(0)).isEqualTo(1);
  }

  @Test
  void theBudgetCoversTheEncoderAndTheVerifyingDecoder() throws Exception {
    LZMA2Options options = new LZMA2Options(6);
    options.setDictSize(Codec.XZ_DICTIONARY);
    long needKiB = options.getEncoderMemoryUsage() + options.getDecoderMemoryUsage();
    assertThat(EncoderBudget.XZ_FRAME_BYTES).isGreaterThanOrEqualTo(needKiB << 10);
  }

  @Test
  void aPermitIsGivenBackOnce() {
    EncoderBudget.Permit first = EncoderBudget.acquire(Codec.XZ);
    first.release();
    first.release();
    // Had the second release added a permit, the count would now exceed the heap's budget.
    int permits = EncoderBudget.xzPermits(Runtime.getRuntime().maxMemory());
    java.util.List<EncoderBudget.Permit> taken = new java.util.ArrayList<>();
    for (int i = 0; i < permits; i++) {
      taken.add(EncoderBudget.acquire(Codec.XZ));
    }
    assertThat(EncoderBudget.tryAcquireXz()).isFalse();
    taken.forEach(EncoderBudget.Permit::release);
  }
}
