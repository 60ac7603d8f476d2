package dev.popvault.ledger;

import java.util.Locale;
import java.util.Objects;

/**
 * Describes one account as the ledger records it: its name and the mailbox it archives.
 *
 * @param renamingTo the target of an unfinished {@code popvault rename}, or null
 */
public record AccountRow(
    long id, String name, String host, int port, String user, String renamingTo) {
  public AccountRow {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(host, "host");
    Objects.requireNonNull(user, "user");
  }

  /**
   * Tells whether this row archives the mailbox {@code user@host:port}. Host names are compared
   * without regard to case (DNS ignores it); user names exactly (servers may not).
   */
  public boolean serves(String host, int port, String user) {
    return this.port == port
        && this.user.equals(user)
        && this.host.toLowerCase(Locale.ROOT).equals(host.toLowerCase(Locale.ROOT));
  }

  /** Returns {@code user@host:port}, the mailbox in the form users write it. */
  public String mailbox() {
    return user + "@" + host + ":" + port;
  }
}
