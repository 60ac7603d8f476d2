package dev.popvault.archive;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * Reports the result of {@link ArchiveReader#verify}: how much was checked and every problem found,
 * one line each, each naming the file, frame and byte offset concerned.
 */
public record VerifyReport(
    Path file, int framesChecked, int messagesChecked, List<String> problems) {
  /** Validates the counts and copies the problem list. */
  public VerifyReport {
    Objects.requireNonNull(file, "file");
    if (framesChecked < 0 || messagesChecked < 0) {
      throw new IllegalArgumentException("negative count");
    }
    problems = List.copyOf(Objects.requireNonNull(problems, "problems"));
  }

  /** Returns true if no problem was found. */
  public boolean ok() {
    return problems.isEmpty();
  }
}
