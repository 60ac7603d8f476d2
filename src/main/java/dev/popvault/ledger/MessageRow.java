package dev.popvault.ledger;

import java.time.Instant;
import java.util.Arrays;
import java.util.Objects;

/**
 * Describes one message as the ledger records it: read back from {@link Ledger#frames}, and, with
 * {@code deletedAt} null, what {@link Ledger#commitFrame} is given for a message that has been
 * written, forced to disk and verified by re-reading.
 *
 * <p>{@code offsetInFrame} and {@code encodedLength} locate its mboxrd bytes in the decompressed
 * frame; {@code wireLength}, {@code sha256}, {@code rawFromLine} (-1 or a 0-based line index) and
 * {@code noFinalNewline} are what the archive needs to restore the exact bytes the server sent. The
 * header fields come from untrusted mail and may be null. {@code deletedAt} is null while the
 * message has not been deleted from the server. Times have millisecond precision once recorded.
 */
public record MessageRow(
    String uidl,
    long listSize,
    long wireLength,
    byte[] sha256,
    long offsetInFrame,
    long encodedLength,
    long rawFromLine,
    boolean noFinalNewline,
    String messageId,
    String date,
    String from,
    String subject,
    String to,
    String cc,
    Instant archivedAt,
    Instant deletedAt) {

  /**
   * Rejects impossible lengths and offsets, a digest that is not 32 bytes, and copies the digest.
   */
  public MessageRow {
    new ArchivedKey(uidl, listSize);
    sha256 = Sha256.copyOf(sha256);
    if (wireLength < 0 || offsetInFrame < 0 || encodedLength < 0) {
      throw new IllegalArgumentException("negative length or offset in message record");
    }
    if (rawFromLine < -1) {
      throw new IllegalArgumentException("rawFromLine must be -1 or a line index: " + rawFromLine);
    }
    Objects.requireNonNull(archivedAt, "archivedAt");
  }

  /** Returns the key the ledger files this message under. */
  public ArchivedKey key() {
    return new ArchivedKey(uidl, listSize);
  }

  /** Returns a copy of the SHA-256 of the bytes the server sent (after dot-unstuffing). */
  @Override
  public byte[] sha256() {
    return sha256.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof MessageRow m
        && uidl.equals(m.uidl)
        && listSize == m.listSize
        && wireLength == m.wireLength
        && Arrays.equals(sha256, m.sha256)
        && offsetInFrame == m.offsetInFrame
        && encodedLength == m.encodedLength
        && rawFromLine == m.rawFromLine
        && noFinalNewline == m.noFinalNewline
        && Objects.equals(messageId, m.messageId)
        && Objects.equals(date, m.date)
        && Objects.equals(from, m.from)
        && Objects.equals(subject, m.subject)
        && Objects.equals(to, m.to)
        && Objects.equals(cc, m.cc)
        && archivedAt.equals(m.archivedAt)
        && Objects.equals(deletedAt, m.deletedAt);
  }

  @Override
  public int hashCode() {
    return Objects.hash(uidl, listSize, Arrays.hashCode(sha256), offsetInFrame);
  }

  /** Returns a summary without header fields, which are untrusted and may be personal data. */
  @Override
  public String toString() {
    return "MessageRow[uidl="
        + uidl
        + ", listSize="
        + listSize
        + ", sha256="
        + Sha256.hex(sha256)
        + ", offsetInFrame="
        + offsetInFrame
        + ", encodedLength="
        + encodedLength
        + ", deletedAt="
        + deletedAt
        + "]";
  }
}
