package dev.popvault.ledger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Opens a ledger written by the release before migration 4 (schema 3, {@code
 * src/test/resources/ledger/schema3.ledger}, see the README there) with this code: every row of
 * every table must survive unchanged, and migration 4's column and indexes must be there.
 */
class LedgerUpgradeTest {
  /** Rows per table in the fixture: every table of schema 3 holds some. */
  private static final Map<String, Integer> FIXTURE_ROWS =
      Map.of(
          "account", 2,
          "account_rename", 1,
          "archive_file", 3,
          "frame", 4,
          "lost_message", 1,
          "message", 7,
          "run", 3);

  @TempDir Path dir;
  private Path file;

  @BeforeEach
  void copyFixture() throws Exception {
    file = dir.resolve("ledger.db");
    try (InputStream in = getClass().getResourceAsStream("/ledger/schema3.ledger")) {
      assertThat(in).as("fixture on the test class path").isNotNull();
      Files.copy(in, file);
    }
  }

  @Test
  void keepsEveryRowOfEveryTableAndBackFillsTheParsedDate() throws Exception {
    Map<String, List<Map<String, Object>>> before;
    try (Connection c = jdbc()) {
      assertThat(number(c, "PRAGMA user_version")).isEqualTo(3);
      before = snapshot(c);
    }
    assertThat(before.keySet()).containsExactlyInAnyOrderElementsOf(FIXTURE_ROWS.keySet());
    FIXTURE_ROWS.forEach((table, n) -> assertThat(before.get(table)).as(table).hasSize(n));

    try (Ledger ledger = Ledger.open(file)) {
      assertThat(ledger.accountNames()).containsExactly("alice", "bob");
    }

    try (Connection c = jdbc()) {
      assertThat(number(c, "PRAGMA user_version")).isEqualTo(9).isEqualTo(Schema.latestVersion());
      Map<String, List<Map<String, Object>>> after = snapshot(c);
      // Migrations 5, 6 and 8 add tables, empty for an old ledger.
      assertThat(after.keySet())
          .containsAll(before.keySet())
          .contains("unarchived_deletion", "adopted", "upload");
      assertThat(after.get("unarchived_deletion")).isEmpty();
      assertThat(after.get("adopted")).isEmpty();
      assertThat(after.get("upload")).isEmpty();
      for (String table : before.keySet()) {
        List<Map<String, Object>> old = before.get(table);
        List<Map<String, Object>> now = after.get(table);
        assertThat(now).as(table).hasSameSizeAs(old);
        for (int i = 0; i < old.size(); i++) {
          // Every old column keeps its value; the migrations only add columns.
          Map<String, Object> kept = new LinkedHashMap<>(now.get(i));
          if (table.equals("message")) {
            assertThat(kept).containsKey("date_ms");
            kept.remove("date_ms");
            // Migration 7: To and Cc unknown until the back-fill reads them from the archive.
            assertThat(kept.remove("to_addr")).isNull();
            assertThat(kept.remove("cc_addr")).isNull();
            assertThat(kept.remove("cataloged")).isEqualTo(0L);
          }
          // Migration 5: every old run was an archive run; no login was recorded yet.
          if (table.equals("run")) {
            assertThat(kept.remove("kind")).isEqualTo("archive");
            // Migration 9: no old run was an import.
            assertThat(kept.remove("source")).isNull();
          }
          if (table.equals("account")) {
            assertThat(kept.remove("last_login")).isNull();
            assertThat(kept.remove("login_delay")).isNull();
          }
          assertThat(kept).as(table + " row " + i).isEqualTo(old.get(i));
        }
      }
      // Expected values worked out by hand from the Date texts, not with the code under test.
      Map<String, Long> dates = new HashMap<>();
      for (Map<String, Object> row : after.get("message")) {
        dates.put((String) row.get("uidl"), (Long) row.get("date_ms"));
      }
      Map<String, Long> expected = new HashMap<>();
      expected.put("a1", 1212483930000L); // Tue, 3 Jun 2008 11:05:30 +0200 (CEST)
      expected.put("a2", 1212509100000L); // 3 Jun 08 11:05 EST: two-digit year, obsolete zone
      expected.put("a3", null); // not a date
      expected.put("a5", 1704448800000L); // Fri, 05 Jan 2024 10:00:00 GMT (written by a repair)
      expected.put("b1", 1704067200000L); // Mon, 1 Jan 2024 00:00:00 GMT
      expected.put("b2", null); // no Date header
      expected.put("b3", 0L); // Thu, 01 Jan 1970 00:00:00 -0000: the epoch is a date, not NULL
      assertThat(dates).isEqualTo(expected);

      assertThat(indexSql(c, "message_by_date")).contains("message(account_id, date_ms)");
      assertThat(indexSql(c, "message_by_from")).contains("message(account_id, from_addr)");
      assertThat(indexSql(c, "message_by_message_id")).contains("message(message_id)");
      assertThat(plan(c, "SELECT uidl FROM message WHERE account_id = 1 ORDER BY date_ms"))
          .contains("message_by_date");
      assertThat(plan(c, "SELECT uidl FROM message WHERE account_id = 1 AND from_addr = 'x'"))
          .contains("message_by_from");
      assertThat(plan(c, "SELECT uidl FROM message WHERE message_id = '<a1@example.org>'"))
          .contains("message_by_message_id");
      // Migration 7 indexed the header text the old rows hold: each is found by its own words.
      try (Statement s = c.createStatement();
          ResultSet r =
              s.executeQuery(
                  "SELECT m.uidl, (SELECT count(*) FROM catalog WHERE catalog MATCH"
                      + " '{message_id} : \"' || m.uidl || '\"' AND rowid = m.id)"
                      + " FROM message m WHERE m.message_id LIKE '<' || m.uidl || '@%'")) {
        int rows = 0;
        while (r.next()) {
          assertThat(r.getInt(2)).as(r.getString(1)).isEqualTo(1);
          rows++;
        }
        assertThat(rows).isPositive();
      }
    }
  }

  @Test
  void theUpgradedLedgerReadsAsBeforeAndRecordsNewMessagesWithTheirDate() throws Exception {
    Instant t0 = Instant.parse("2024-01-02T03:04:05.678Z");
    try (Ledger ledger = Ledger.open(file)) {
      long alice = ledger.findAccount("alice").orElseThrow();
      long bob = ledger.findAccount("bob").orElseThrow();
      assertThat(ledger.accounts())
          .extracting(AccountRow::name, AccountRow::renamingTo)
          .containsExactly(tuple("alice", null), tuple("bob", "robert"));
      assertThat(ledger.archivedKeys(alice))
          .extracting(ArchivedKey::uidl)
          .containsExactlyInAnyOrder("a1", "a2", "a3", "a5");
      assertThat(ledger.lostMessages(alice))
          .extracting(LostMessage::uidl, LostMessage::date)
          .containsExactly(tuple("a4", "Thu, 01 Jan 1970 00:00:00 -0000"));
      assertThat(ledger.pendingReplacements(alice))
          .extracting(PendingReplacement::replacement)
          .containsExactly("alice/2024/2024-01.mbox.zst.new");
      assertThat(ledger.runs(bob, 10))
          .singleElement()
          .satisfies(r -> assertThat(r.outcome()).isNull());
      List<FrameRow> frames = ledger.frames(1);
      assertThat(frames).extracting(FrameRow::offset).containsExactly(0L, 100L, 160L);
      MessageRow a2 = frames.get(0).messages().get(1);
      assertThat(a2.uidl()).isEqualTo("a2");
      assertThat(a2.date()).isEqualTo("3 Jun 08 11:05 EST");
      assertThat(a2.from()).isEqualTo("=?utf-8?q?B=C3=A9a?=");
      assertThat(a2.rawFromLine()).isEqualTo(3);
      assertThat(a2.noFinalNewline()).isTrue();
      assertThat(a2.archivedAt()).isEqualTo(t0.plusMillis(1));
      assertThat(frames.get(0).messages().get(0).deletedAt()).isEqualTo(t0.plusSeconds(4));

      long run = ledger.beginRun(bob, t0.plusSeconds(600));
      ledger.commitFrame(
          2,
          run,
          90,
          30,
          List.of(
              message("b4", 0, "Sat, 6 Jan 2024 12:00:00 +0100", t0),
              message("b5", 10, "yesterday", t0)));
    }
    try (Connection c = jdbc()) {
      assertThat(dateMs(c, "b4")).isEqualTo(1704538800000L);
      assertThat(dateMs(c, "b5")).isNull();
    }
  }

  private static MessageRow message(String uidl, long offset, String date, Instant at) {
    return new MessageRow(
        uidl,
        1,
        10,
        new byte[32],
        offset,
        10,
        -1,
        false,
        null,
        date,
        null,
        null,
        null,
        null,
        at,
        null);
  }

  private Connection jdbc() throws SQLException {
    return DriverManager.getConnection("jdbc:sqlite:" + file);
  }

  /** Every row of every table, by rowid, as column name → value (BLOBs as hex). */
  private static Map<String, List<Map<String, Object>>> snapshot(Connection c) throws SQLException {
    Map<String, List<Map<String, Object>>> tables = new LinkedHashMap<>();
    List<String> names = new ArrayList<>();
    try (Statement s = c.createStatement();
        ResultSet r =
            s.executeQuery(
                "SELECT name FROM sqlite_schema WHERE type = 'table'"
                    + " AND name NOT LIKE 'sqlite_%' AND name NOT LIKE 'catalog%'"
                    + " ORDER BY name")) {
      while (r.next()) {
        names.add(r.getString(1));
      }
    }
    for (String table : names) {
      List<Map<String, Object>> rows = new ArrayList<>();
      try (Statement s = c.createStatement();
          ResultSet r = s.executeQuery("SELECT * FROM " + table + " ORDER BY rowid")) {
        ResultSetMetaData meta = r.getMetaData();
        while (r.next()) {
          Map<String, Object> row = new LinkedHashMap<>();
          for (int i = 1; i <= meta.getColumnCount(); i++) {
            Object v = r.getObject(i);
            if (v instanceof byte[] b) {
              v = HexFormat.of().formatHex(b);
            } else if (v instanceof Integer n) {
              v = n.longValue();
            }
            row.put(meta.getColumnName(i), v);
          }
          rows.add(row);
        }
      }
      tables.put(table, rows);
    }
    return tables;
  }

  private static long number(Connection c, String sql) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet r = s.executeQuery(sql)) {
      assertThat(r.next()).as(sql).isTrue();
      return r.getLong(1);
    }
  }

  private static String indexSql(Connection c, String name) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet r =
            s.executeQuery(
                "SELECT sql FROM sqlite_schema WHERE type = 'index' AND name = '" + name + "'")) {
      assertThat(r.next()).as("index " + name).isTrue();
      return r.getString(1);
    }
  }

  private static String plan(Connection c, String query) throws SQLException {
    StringBuilder plan = new StringBuilder();
    try (Statement s = c.createStatement();
        ResultSet r = s.executeQuery("EXPLAIN QUERY PLAN " + query)) {
      while (r.next()) {
        plan.append(r.getString("detail")).append('\n');
      }
    }
    return plan.toString();
  }

  private static Long dateMs(Connection c, String uidl) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet r = s.executeQuery("SELECT date_ms FROM message WHERE uidl = '" + uidl + "'")) {
      assertThat(r.next()).isTrue();
      long v = r.getLong(1);
      return r.wasNull() ? null : v;
    }
  }
}
