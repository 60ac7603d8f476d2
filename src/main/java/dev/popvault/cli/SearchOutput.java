package dev.popvault.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.popvault.core.CatalogSearch;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;

/** Prints what {@code search} found: a table for people, or JSON for scripts. */
final class SearchOutput {
  private static final DateTimeFormatter MINUTES =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm", Locale.ROOT);
  private static final String FORMAT = "%-16s  %-12s  %-20s  %9s  %-24s  %s%n";

  private SearchOutput() {}

  static void table(List<CatalogSearch.Hit> hits, PrintWriter out) {
    ZoneId zone = ZoneId.systemDefault();
    out.printf(Locale.ROOT, FORMAT, "DATE", "ACCOUNT", "UIDL", "SIZE", "FROM", "SUBJECT");
    for (CatalogSearch.Hit h : hits) {
      String date =
          h.date() != null
              ? MINUTES.format(h.date().atZone(zone))
              : ListingOutput.fit(h.dateText(), 16);
      out.printf(
          Locale.ROOT,
          FORMAT,
          date,
          ListingOutput.fit(h.account(), 12),
          ListingOutput.fit(h.uidl(), 20),
          ListingOutput.humanSize(h.size()),
          ListingOutput.fit(h.from(), 24),
          ListingOutput.fit(h.subject(), 60));
    }
  }

  /**
   * {"messages": [{account, uidl, message_id, date, date_epoch_ms, from, to, cc, subject, size,
   * archived_at}]}.
   */
  static void json(List<CatalogSearch.Hit> hits, PrintWriter out) {
    try {
      JsonGenerator json = new JsonFactory().createGenerator(out);
      json.writeStartObject();
      json.writeArrayFieldStart("messages");
      for (CatalogSearch.Hit h : hits) {
        json.writeStartObject();
        json.writeStringField("account", h.account());
        json.writeStringField("uidl", h.uidl());
        json.writeStringField("message_id", h.messageId());
        json.writeStringField("date", h.dateText());
        if (h.date() == null) {
          json.writeNullField("date_epoch_ms");
        } else {
          json.writeNumberField("date_epoch_ms", h.date().toEpochMilli());
        }
        json.writeStringField("from", h.from());
        json.writeStringField("to", h.to());
        json.writeStringField("cc", h.cc());
        json.writeStringField("subject", h.subject());
        json.writeNumberField("size", h.size());
        json.writeStringField("archived_at", h.archivedAt().toString());
        json.writeEndObject();
      }
      json.writeEndArray();
      json.writeEndObject();
      json.flush();
      out.println();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
