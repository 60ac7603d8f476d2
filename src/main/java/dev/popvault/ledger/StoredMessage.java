package dev.popvault.ledger;

/**
 * Where one archived message lives and what it must read back as: its account, file, frame and
 * place in the frame, with the length and SHA-256 of the bytes the server sent.
 *
 * @param relativePath the archive file, relative to the archive directory
 * @param frameOffset the frame's offset in the file; {@code frameLength} its compressed length
 * @param offset the message's offset in the decompressed frame; {@code encodedLength} its stored
 *     (mboxrd) length there
 */
public record StoredMessage(
    String account,
    String uidl,
    long listSize,
    String messageId,
    String relativePath,
    String codec,
    long frameOffset,
    long frameLength,
    long offset,
    long encodedLength,
    long wireLength,
    byte[] sha256,
    long rawFromLine,
    boolean noFinalNewline) {
  /** Copies the digest, so the record stays immutable. */
  public StoredMessage {
    sha256 = sha256.clone();
  }

  @Override
  public byte[] sha256() {
    return sha256.clone();
  }
}
