package dev.popvault.archive;

import java.util.List;
import java.util.Objects;

/** States what the ledger says one frame holds, for {@link ArchiveReader#verify}. */
public record ExpectedFrame(long offset, long length, List<ExpectedMessage> messages) {
  /** Validates the ranges and copies the message list. */
  public ExpectedFrame {
    if (offset < 0 || length < 0) {
      throw new IllegalArgumentException(
          "negative frame offset or length: " + offset + ", " + length);
    }
    messages = List.copyOf(Objects.requireNonNull(messages, "messages"));
  }
}
