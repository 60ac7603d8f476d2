package dev.popvault.testsupport;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * Watches DELE from the server's side (M2): for every DELE that reaches a {@link FakeMailbox},
 * looks into the ledger at that instant and notes whether it already held a committed row for the
 * named message's (UIDL, LIST size). The client waits for each DELE's reply (or sends the next
 * ones), so a commit that the client makes only after a DELE can never be seen here in time: a DELE
 * sent ahead of its commit is always caught.
 */
public final class DeleAudit implements FakeMailbox.CommandObserver {
  private final Path ledger;
  private final List<String> deleted = new ArrayList<>();
  private final List<String> unrecorded = new ArrayList<>();

  /** Audits against the ledger file {@code ledger} (which may not exist yet). */
  public DeleAudit(Path ledger) {
    this.ledger = ledger;
  }

  @Override
  public synchronized void before(String line, String uidl, long size) throws SQLException {
    if (!line.toUpperCase(java.util.Locale.ROOT).startsWith("DELE ") || uidl == null) {
      return;
    }
    deleted.add(uidl);
    if (!holds(uidl, size)) {
      unrecorded.add(line + " (UIDL " + uidl + ", size " + size + ")");
    }
  }

  /** Returns the UIDL of every DELE received, in order, over all sessions. */
  public synchronized List<String> deleted() {
    return List.copyOf(deleted);
  }

  /** Returns the DELE commands that arrived while the ledger did not hold their message. */
  public synchronized List<String> unrecorded() {
    return List.copyOf(unrecorded);
  }

  private boolean holds(String uidl, long size) throws SQLException {
    if (!Files.exists(ledger)) {
      return false;
    }
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + ledger);
        PreparedStatement p =
            c.prepareStatement("select count(*) from message where uidl = ? and size = ?")) {
      p.setString(1, uidl);
      p.setLong(2, size);
      try (ResultSet r = p.executeQuery()) {
        return r.next() && r.getLong(1) > 0;
      }
    }
  }
}
