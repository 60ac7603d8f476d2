package dev.popvault.testsupport;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.opentest4j.TestAbortedException;

class TestRequirementsTest {

  @Test
  void missingRequirementSkipsLocallyAndFailsOnCi() {
    // The JVM cannot change its own environment, so this checks the branch of the current run;
    // .ci/run
    // sets CI, so a developer run and a CI run exercise both.
    Class<? extends Throwable> expected =
        TestRequirements.onCi() ? AssertionError.class : TestAbortedException.class;
    assertThatThrownBy(() -> TestRequirements.require(false, "frobnicator not installed"))
        .isInstanceOf(expected)
        .hasMessageContaining("frobnicator not installed");
  }

  @Test
  void presentRequirementPasses() {
    assertThatCode(() -> TestRequirements.require(true, "unused")).doesNotThrowAnyException();
  }

  @Test
  void requireCommandsNamesTheMissingOnes() {
    assertThatThrownBy(() -> TestRequirements.requireCommands("sh", "no-such-tool-popvault"))
        .hasMessageContaining("no-such-tool-popvault")
        .hasMessageNotContaining("sh,");
    assertThatCode(() -> TestRequirements.requireCommands("sh")).doesNotThrowAnyException();
  }
}
