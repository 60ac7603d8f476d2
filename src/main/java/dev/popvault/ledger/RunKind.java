package dev.popvault.ledger;

import java.util.Locale;

/** What a recorded run did. */
public enum RunKind {
  /** {@code archive}: fetched new mail (and deleted by policy). */
  ARCHIVE,
  /** {@code verify --repair}: re-read every frame and repaired damaged files from the server. */
  REPAIR,
  /** {@code delete}: removed chosen messages from the server. */
  DELETE;

  /** The word stored in the ledger and shown to users. */
  public String word() {
    return name().toLowerCase(Locale.ROOT);
  }

  static RunKind ofWord(String word) {
    return valueOf(word.toUpperCase(Locale.ROOT));
  }
}
