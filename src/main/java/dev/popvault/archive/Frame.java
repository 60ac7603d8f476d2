package dev.popvault.archive;

import java.util.List;
import java.util.Objects;

/**
 * Describes one finished and verified frame: its compressed bytes are {@code [offset, offset +
 * length)} of the archive file, and it holds exactly {@code messages}, in order.
 */
public record Frame(long offset, long length, List<EncodedMessage> messages) {
  /** Validates the ranges and copies the message list. */
  public Frame {
    if (offset < 0 || length < 0) {
      throw new IllegalArgumentException(
          "negative frame offset or length: " + offset + ", " + length);
    }
    messages = List.copyOf(Objects.requireNonNull(messages, "messages"));
  }
}
