package dev.popvault.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.popvault.config.ConfigException;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import org.junit.jupiter.api.Test;

/** The one failure map: known failures get a code and one line; everything else is a bug. */
class FailuresTest {
  @Test
  void aBadValueOnTheCommandLineIsAUsageErrorAndInTheFileAConfigurationError() {
    assertThat(Failures.translate(new ConfigException("x", true)).exitCode())
        .isEqualTo(ExitCode.USAGE);
    assertThat(Failures.translate(new ConfigException("x")).exitCode()).isEqualTo(ExitCode.CONFIG);
  }

  @Test
  void localIoIs74AndNamesTheFile() {
    PopvaultException known = Failures.translate(new AccessDeniedException("/x/y"));
    assertThat(known.exitCode()).isEqualTo(ExitCode.IO_ERROR);
    assertThat(known.getMessage()).isEqualTo("local I/O error: permission denied: /x/y");
  }

  @Test
  void uncheckedExceptionsAndErrorsAreBugsNotUsageErrors() {
    assertThat(Failures.translate(new IllegalArgumentException("a bug"))).isNull();
    assertThat(Failures.translate(new IllegalStateException("a bug"))).isNull();
    assertThat(Failures.translate(new NullPointerException())).isNull();
    assertThat(Failures.translate(new AssertionError())).isNull();
    assertThat(Failures.translate(new IOException("disk")).exitCode()).isEqualTo(ExitCode.IO_ERROR);
  }

  @Test
  void aPopvaultExceptionKeepsItsCode() {
    PopvaultException p = new PopvaultException(ExitCode.TEMPORARY, "lock held");
    assertThat(Failures.translate(p)).isSameAs(p);
  }
}
