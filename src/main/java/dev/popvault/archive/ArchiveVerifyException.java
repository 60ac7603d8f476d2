package dev.popvault.archive;

import java.util.List;
import java.util.Objects;

/**
 * Signals that a frame just written did not read back as written. The frame must not be recorded as
 * archived; the caller aborts the frame and the run.
 */
public class ArchiveVerifyException extends ArchiveCorruptException {
  private final List<String> problems;

  /** Creates the exception from the problems the re-read found (at least one). */
  public ArchiveVerifyException(String message, List<String> problems) {
    super(message);
    this.problems = List.copyOf(Objects.requireNonNull(problems, "problems"));
  }

  /** Returns every problem the re-read found, one line each. */
  public List<String> problems() {
    return problems;
  }
}
