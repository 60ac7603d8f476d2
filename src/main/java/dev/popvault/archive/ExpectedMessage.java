package dev.popvault.archive;

import java.util.Objects;

/**
 * Pairs what the ledger recorded for one message with a label that identifies it in reports (for
 * example {@code "UIDL abc (#12)"}). The label must not contain secrets: it is printed.
 */
public record ExpectedMessage(String label, EncodedMessage message) {
  /** Rejects null parts. */
  public ExpectedMessage {
    Objects.requireNonNull(label, "label");
    Objects.requireNonNull(message, "message");
  }
}
