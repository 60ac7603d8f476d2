package dev.popvault.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.popvault.core.ExitCode;
import dev.popvault.core.ServerDelete;
import dev.popvault.core.ServerDelete.Fate;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.util.Locale;

/** Writes what {@code delete} did to each chosen message: a table for people, or JSON. */
abstract class DeletionOutput {
  abstract void row(ServerDelete.Chosen chosen);

  abstract void finish(ServerDelete.Report report);

  static DeletionOutput table(PrintWriter out, boolean dryRun) {
    return new Table(out, dryRun);
  }

  static DeletionOutput json(PrintWriter out) {
    return new Json(out);
  }

  /** One line for people: what the server confirmed, or in a dry run what would go. */
  static String summary(ServerDelete.Report r) {
    StringBuilder line = new StringBuilder(r.account()).append(": ");
    if (r.chosen() == 0) {
      return line.append("no message of ")
          .append(r.listed())
          .append(" on the server matches; nothing was deleted")
          .toString();
    }
    if (r.declined()) {
      return line.append("not confirmed; nothing was deleted").toString();
    }
    line.append(r.dryRun() ? "dry run, would delete " : "deleted ")
        .append(r.deleted())
        .append(" of ")
        .append(r.listed())
        .append(r.listed() == 1 ? " message" : " messages")
        .append(" (")
        .append(ListingOutput.humanSize(r.bytesDeleted()));
    if (r.deletedUnarchived() > 0) {
      line.append("; ").append(r.deletedUnarchived()).append(" of them not archived here");
    }
    line.append(r.dryRun() ? "; each archived one once its copy reads back)" : "; QUIT +OK)");
    if (r.keptUnarchived() > 0) {
      line.append("; ")
          .append(r.keptUnarchived())
          .append(" chosen but not archived here stay (--unarchived-too deletes them)");
    }
    if (r.keptUnverified() > 0) {
      line.append("; ")
          .append(r.keptUnverified())
          .append(" stay because their archived copy did not read back intact");
    }
    return line.toString();
  }

  /** 65 when a chosen archived message stayed because its copy is not sound, else 0. */
  static int exitCode(ServerDelete.Report r) {
    return r.keptUnverified() > 0 ? ExitCode.DATA_ERROR : ExitCode.OK;
  }

  /** The fate as the JSON output names it. */
  static String word(Fate fate) {
    return fate.name().toLowerCase(Locale.ROOT);
  }

  private static final class Table extends DeletionOutput {
    private static final String FORMAT = "%6s  %-20s  %9s  %-24s  %-36s  %s%n";
    private final PrintWriter out;
    private final boolean dryRun;
    private boolean headerDone;

    Table(PrintWriter out, boolean dryRun) {
      this.out = out;
      this.dryRun = dryRun;
    }

    @Override
    void row(ServerDelete.Chosen c) {
      if (!headerDone) {
        out.printf(Locale.ROOT, FORMAT, "#", "UIDL", "SIZE", "FROM", "SUBJECT", "ACTION");
        headerDone = true;
      }
      String action =
          switch (c.fate()) {
            case DELETED -> dryRun ? "would delete" : "deleted";
            case DELETED_UNARCHIVED ->
                dryRun ? "would delete (not archived)" : "deleted (not archived)";
            case KEPT_UNARCHIVED -> "kept: not archived here";
            case KEPT_UNVERIFIED -> "kept: archived copy did not read back";
            case KEPT -> "kept";
          };
      out.printf(
          Locale.ROOT,
          FORMAT,
          c.number(),
          ListingOutput.fit(c.uidl(), 20),
          ListingOutput.humanSize(c.size()),
          ListingOutput.fit(c.from(), 24),
          ListingOutput.fit(c.subject(), 36),
          action);
    }

    @Override
    void finish(ServerDelete.Report report) {}
  }

  private static final class Json extends DeletionOutput {
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
    void row(ServerDelete.Chosen c) {
      try {
        json.writeStartObject();
        json.writeNumberField("number", c.number());
        json.writeStringField("uidl", c.uidl());
        json.writeNumberField("size", c.size());
        json.writeStringField("date", c.date());
        json.writeStringField("from", c.from());
        json.writeStringField("subject", c.subject());
        json.writeStringField(
            "archived_at", c.archivedAt() == null ? null : c.archivedAt().toString());
        json.writeStringField("fate", word(c.fate()));
        json.writeEndObject();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    @Override
    void finish(ServerDelete.Report report) {
      try {
        json.writeEndArray();
        json.writeStringField("account", report.account());
        json.writeBooleanField("dry_run", report.dryRun());
        json.writeBooleanField("declined", report.declined());
        json.writeObjectFieldStart("total");
        json.writeNumberField("listed", report.listed());
        json.writeNumberField("chosen", report.chosen());
        json.writeNumberField("deleted", report.deleted());
        json.writeNumberField("deleted_unarchived", report.deletedUnarchived());
        json.writeNumberField("bytes_deleted", report.bytesDeleted());
        json.writeEndObject();
        json.writeEndObject();
        json.flush();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }
}
