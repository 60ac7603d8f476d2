package dev.popvault.testsupport;

import java.util.Objects;

/**
 * Holds one test message: its maildir file name (which Dovecot reports as its UIDL) and its bytes
 * exactly as stored in the maildir file (see {@link Corpus} for which line endings each message
 * uses).
 *
 * <p>The content array is copied on the way in and out, so a test cannot corrupt the corpus of
 * another.
 */
public record CorpusMessage(String name, byte[] content) {
  /** Validates that {@code name} is a usable UIDL and maildir file name. */
  public CorpusMessage {
    Objects.requireNonNull(content, "content");
    if (name.isEmpty()
        || name.length() > 70
        || name.startsWith(".")
        || !name.chars().allMatch(c -> c >= 0x21 && c <= 0x7E && c != '/' && c != ':')) {
      throw new IllegalArgumentException("not a usable UIDL / maildir file name: " + name);
    }
    content = content.clone();
  }

  /** Returns a copy of the stored bytes. */
  @Override
  public byte[] content() {
    return content.clone();
  }

  /** Returns the number of stored bytes without copying them. */
  public int size() {
    return content.length;
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof CorpusMessage that
        && name.equals(that.name)
        && java.util.Arrays.equals(content, that.content);
  }

  @Override
  public int hashCode() {
    return 31 * name.hashCode() + java.util.Arrays.hashCode(content);
  }

  @Override
  public String toString() {
    return "CorpusMessage[" + name + ", " + content.length + " bytes]";
  }
}
