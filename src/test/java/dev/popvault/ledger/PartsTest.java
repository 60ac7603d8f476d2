package dev.popvault.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The package-private parts on a raw connection to a migrated ledger, without the facade. */
class PartsTest {
  private static final Instant T0 = Instant.parse("2024-03-01T10:15:30.123Z");

  /** Three messages: a parsable Date, an unparsable one, none. */
  private static final List<MessageRow> DATED =
      List.of(
          message("a", 0, "Mon, 1 Jan 2024 00:00:00 GMT"),
          message("b", 10, "garbage"),
          message("c", 20, null));

  @TempDir Path dir;
  private Path file;

  @BeforeEach
  void createLedger() throws Exception {
    file = dir.resolve("ledger.db");
    try (Ledger ledger = Ledger.open(file)) {
      long account = ledger.account("home", "pop.example.org", 995, "alice");
      ledger.archiveFile(account, "home/2024/2024-03.mbox.zst", "zstd");
      ledger.beginRun(account, T0);
    }
  }

  private Connection jdbc() throws Exception {
    return DriverManager.getConnection("jdbc:sqlite:" + file);
  }

  @Test
  void sqlBindsNullBooleanInstantAndBytesAndMapsRows() throws Exception {
    try (Connection c = jdbc()) {
      Sql sql = new Sql(c, file);
      c.createStatement().execute("CREATE TEMP TABLE t (a, b, c, d)");
      assertThat(sql.update("INSERT INTO t VALUES (?, ?, ?, ?)", null, true, T0, new byte[] {7}))
          .isEqualTo(1);
      List<Object> row =
          sql.first(
              "SELECT a IS NULL, b, c, hex(d) FROM t",
              r -> List.of(r.getInt(1), r.getInt(2), r.getLong(3), r.getString(4)));
      assertThat(row).isEqualTo(List.of(1, 1, T0.toEpochMilli(), "07"));
      String none = sql.first("SELECT a FROM t WHERE b = ?", r -> r.getString(1), false);
      assertThat(none).isNull();
      assertThat(sql.all("SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3", r -> r.getInt(1)))
          .containsExactly(1, 2, 3);
      assertThat(sql.number("SELECT count(*) FROM t")).isEqualTo(1);
      assertThat(sql.error(LedgerException.Kind.CONFLICT, ": clash").getMessage())
          .isEqualTo("ledger " + file + ": clash");
    }
  }

  @Test
  void messagesWriteTheParsedDateOnInsertAndOnRepairOnlyWhenANewDateIsGiven() throws Exception {
    try (Connection c = jdbc()) {
      Sql sql = new Sql(c, file);
      Messages messages = new Messages(sql);
      Frames frames = new Frames(sql, messages);
      long frame = frames.insert(1, 0, 100, 1, T0);
      messages.insert(1, frame, DATED);
      assertThat(dateMs(sql, "a")).isEqualTo(1704067200000L);
      assertThat(dateMs(sql, "b")).isNull();
      assertThat(dateMs(sql, "c")).isNull();

      long fresh = frames.insert(1, 100, 50, 1, T0);
      assertThat(messages.repair(1, fresh, sha("a"), message("a", 0, null))).isTrue();
      assertThat(dateMs(sql, "a"))
          .as("no new date: the recorded one stays")
          .isEqualTo(1704067200000L);
      assertThat(
              messages.repair(
                  1, fresh, sha("c"), message("c", 10, "Thu, 01 Jan 1970 00:00:00 GMT")))
          .isTrue();
      assertThat(dateMs(sql, "c")).isZero();
      assertThat(messages.repair(1, fresh, sha("zz"), message("b", 20, null))).isFalse();

      // Grouped by frame in offset order; a frame without messages is listed too.
      frames.insert(1, 150, 10, 1, T0);
      assertThat(frames.withMessages(1))
          .extracting(f -> f.messages().stream().map(MessageRow::uidl).toList())
          .containsExactly(List.of("b"), List.of("a", "c"), List.of());
    }
  }

  @Test
  void theBackFillParsesEveryRecordedDateAndLeavesTheRestNull() throws Exception {
    try (Connection c = jdbc()) {
      Sql sql = new Sql(c, file);
      Messages messages = new Messages(sql);
      long frame = new Frames(sql, messages).insert(1, 0, 100, 1, T0);
      messages.insert(1, frame, DATED);
      sql.update("UPDATE message SET date_ms = 42");
      Schema.backfillDates(sql);
      assertThat(dateMs(sql, "a")).isEqualTo(1704067200000L);
      assertThat(dateMs(sql, "b")).as("only parsed dates are written").isEqualTo(42);
      assertThat(dateMs(sql, "c")).isEqualTo(42);
    }
  }

  private static Long dateMs(Sql sql, String uidl) throws Exception {
    return sql.first(
        "SELECT date_ms FROM message WHERE uidl = ?",
        r -> r.getObject(1) == null ? null : r.getLong(1),
        uidl);
  }

  private static MessageRow message(String uidl, long offset, String date) {
    return new MessageRow(
        uidl, 1, 10, sha(uidl), offset, 10, -1, false, null, date, null, null, null, null, T0,
        null);
  }

  private static byte[] sha(String s) {
    byte[] b = new byte[32];
    b[0] = (byte) s.hashCode();
    b[1] = (byte) s.length();
    return b;
  }
}
