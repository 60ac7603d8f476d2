package dev.popvault.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.popvault.core.ServerList;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * Writes the rows of {@code list} as they come: an aligned table for people, or one JSON object
 * written as a stream (memory does not grow with the mailbox).
 */
abstract class ListingOutput {
  private static final DateTimeFormatter MINUTES =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm", Locale.ROOT);
  private static final DateTimeFormatter DAY =
      DateTimeFormatter.ofPattern("yyyy-MM-dd", Locale.ROOT);

  abstract void row(ServerList.Row row);

  abstract void finish(ServerList.Summary summary);

  static ListingOutput table(PrintWriter out) {
    return new Table(out);
  }

  static ListingOutput json(PrintWriter out) {
    return new Json(out);
  }

  /** Bytes in decimal units, as the other summaries print them: 512 B, 12.3 kB, 4.1 MB, 1.2 GB. */
  static String humanSize(long bytes) {
    if (bytes < 1000) {
      return bytes + " B";
    }
    String[] units = {"kB", "MB", "GB", "TB"};
    double value = bytes;
    int unit = -1;
    while (value >= 1000 && unit < units.length - 1) {
      value /= 1000;
      unit++;
    }
    return String.format(Locale.ROOT, "%.1f %s", value, units[unit]);
  }

  /** Cuts {@code text} to {@code width} characters, marking the cut with an ellipsis. */
  static String fit(String text, int width) {
    if (text == null || text.isEmpty()) {
      return "-";
    }
    return text.length() <= width ? text : text.substring(0, width - 1) + "…";
  }

  private static final class Table extends ListingOutput {
    private static final String FORMAT = "%6s  %-20s  %9s  %-16s  %-24s  %-36s  %s%n";
    private final PrintWriter out;
    private final ZoneId zone = ZoneId.systemDefault();
    private boolean headerDone;

    Table(PrintWriter out) {
      this.out = out;
    }

    @Override
    void row(ServerList.Row row) {
      if (!headerDone) {
        out.printf(Locale.ROOT, FORMAT, "#", "UIDL", "SIZE", "DATE", "FROM", "SUBJECT", "STATE");
        headerDone = true;
      }
      String date =
          row.dateMillis() != null
              ? MINUTES.format(Instant.ofEpochMilli(row.dateMillis()).atZone(zone))
              : fit(row.date(), 16);
      String state =
          switch (row.state()) {
            case NEW -> "new";
            case TOO_BIG -> "too big (max-size)";
            case ADOPTED -> "adopted (another tool has it)";
            case ARCHIVED -> "archived " + DAY.format(row.archivedAt().atZone(zone));
            case DUE -> "due (archived " + DAY.format(row.archivedAt().atZone(zone)) + ")";
          };
      out.printf(
          Locale.ROOT,
          FORMAT,
          row.number(),
          fit(row.uidl(), 20),
          humanSize(row.size()),
          date,
          fit(row.from(), 24),
          fit(row.subject(), 36),
          state);
    }

    @Override
    void finish(ServerList.Summary summary) {}
  }

  private static final class Json extends ListingOutput {
    private final JsonGenerator json;

    Json(PrintWriter out) {
      try {
        json = new JsonFactory().createGenerator(out);
        json.writeStartObject();
        json.writeArrayFieldStart("messages");
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    @Override
    void row(ServerList.Row row) {
      try {
        json.writeStartObject();
        json.writeNumberField("number", row.number());
        json.writeStringField("uidl", row.uidl());
        json.writeNumberField("size", row.size());
        json.writeStringField("date", row.date());
        if (row.dateMillis() == null) {
          json.writeNullField("date_epoch_ms");
        } else {
          json.writeNumberField("date_epoch_ms", row.dateMillis());
        }
        json.writeStringField("from", row.from());
        json.writeStringField("subject", row.subject());
        json.writeStringField("state", row.state().name().toLowerCase(Locale.ROOT));
        json.writeStringField(
            "archived_at", row.archivedAt() == null ? null : row.archivedAt().toString());
        json.writeEndObject();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    @Override
    void finish(ServerList.Summary summary) {
      try {
        json.writeEndArray();
        json.writeStringField("account", summary.account());
        json.writeBooleanField("headers", summary.headers());
        json.writeObjectFieldStart("total");
        json.writeNumberField("messages", summary.messages());
        json.writeNumberField("bytes", summary.bytes());
        json.writeNumberField("archived", summary.archived());
        json.writeNumberField("due", summary.due());
        json.writeEndObject();
        json.writeEndObject();
        json.flush();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }
}
