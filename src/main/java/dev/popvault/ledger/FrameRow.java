package dev.popvault.ledger;

import java.util.List;

/**
 * Describes one committed frame of an archive file: its byte range in the file and its messages in
 * the order they appear inside the decompressed frame.
 */
public record FrameRow(long id, long offset, long length, List<MessageRow> messages) {
  /** Rejects a negative offset, a non-positive length, and copies the message list. */
  public FrameRow {
    if (offset < 0) {
      throw new IllegalArgumentException("negative frame offset " + offset);
    }
    if (length <= 0) {
      throw new IllegalArgumentException("non-positive frame length " + length);
    }
    messages = List.copyOf(messages);
  }
}
