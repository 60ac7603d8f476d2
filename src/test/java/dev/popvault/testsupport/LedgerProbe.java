package dev.popvault.testsupport;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads a ledger with plain SQL, independent of the product's ledger code, so tests check what is
 * on disk.
 */
public final class LedgerProbe {
  private LedgerProbe() {}

  /** Returns the first column of every row of {@code sql} as strings. */
  public static List<String> column(Path ledger, String sql) {
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + ledger);
        Statement s = c.createStatement();
        ResultSet r = s.executeQuery(sql)) {
      List<String> values = new ArrayList<>();
      while (r.next()) {
        values.add(r.getString(1));
      }
      return values;
    } catch (SQLException e) {
      throw new AssertionError("cannot read ledger " + ledger + ": " + e.getMessage(), e);
    }
  }

  /** Returns a single number, e.g. {@code select count(*) from message}. */
  public static long number(Path ledger, String sql) {
    return Long.parseLong(column(ledger, sql).get(0));
  }

  /** Changes the ledger behind the product's back, to stage the state a crash would leave. */
  public static void execute(Path ledger, String sql) {
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + ledger);
        Statement s = c.createStatement()) {
      s.execute(sql);
    } catch (SQLException e) {
      throw new AssertionError("cannot change ledger " + ledger + ": " + e.getMessage(), e);
    }
  }
}
