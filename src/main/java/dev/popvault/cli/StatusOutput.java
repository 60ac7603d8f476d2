package dev.popvault.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.popvault.core.AccountStatus;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;

/** Prints {@code status} and {@code history}: aligned text for people, or one JSON object. */
final class StatusOutput {
  private static final DateTimeFormatter WHEN =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss", Locale.ROOT)
          .withZone(ZoneId.systemDefault());

  private StatusOutput() {}

  static void table(List<AccountStatus.Status> all, PrintWriter out) {
    for (AccountStatus.Status s : all) {
      out.printf(Locale.ROOT, "%s (%s)%n", s.account(), s.mailbox());
      line(
          out,
          "archived",
          s.messages()
              + " messages, "
              + ListingOutput.humanSize(s.bytes())
              + " in "
              + s.files()
              + (s.files() == 1 ? " file" : " files")
              + " ("
              + ListingOutput.humanSize(s.bytesOnDisk())
              + " on disk)"
              + (s.firstArchived() == null ? "" : ", since " + WHEN.format(s.firstArchived())));
      line(
          out,
          "deleted",
          s.deleted()
              + " from the server after archiving"
              + (s.unarchivedDeleted() > 0
                  ? "; " + s.unarchivedDeleted() + " without an archived copy (--unarchived-too)"
                  : ""));
      line(out, "last run", s.lastRun() == null ? "none" : describe(s.lastRun()));
      line(out, "last success", s.lastSuccess() == null ? "never" : WHEN.format(s.lastSuccess()));
      if (s.lastFailure() != null) {
        line(out, "last error", describe(s.lastFailure()));
      }
      if (s.due() != null) {
        line(out, "due", s.due() + " archived messages due for deletion by the account's policy");
      }
      if (s.nextLogin() != null) {
        line(out, "next login", "not before " + WHEN.format(s.nextLogin()) + " (LOGIN-DELAY)");
      }
      if (s.lost() > 0) {
        line(out, "lost", s.lost() + " messages whose only copy was damaged (see verify)");
      }
    }
  }

  private static void line(PrintWriter out, String label, String text) {
    out.printf(Locale.ROOT, "  %-13s %s%n", label, text);
  }

  private static String describe(AccountStatus.Run run) {
    StringBuilder text =
        new StringBuilder(WHEN.format(run.started())).append(' ').append(run.kind());
    if (run.outcome() == null) {
      return text.append(" killed or still running").toString();
    }
    text.append(' ')
        .append(run.outcome())
        .append(" (exit ")
        .append(run.exitCode())
        .append("): ")
        .append(run.newCount())
        .append(" new, ")
        .append(run.deletedCount())
        .append(" deleted, ")
        .append(seconds(Duration.between(run.started(), run.ended())));
    if (run.error() != null) {
      text.append(": ").append(run.error());
    }
    return text.toString();
  }

  private static String seconds(Duration d) {
    return String.format(Locale.ROOT, "%.1f s", d.toMillis() / 1000.0);
  }

  static void historyTable(List<AccountStatus.Named> runs, PrintWriter out) {
    String format = "%-19s  %-16s  %-7s  %-11s  %4s  %6s  %7s  %7s  %9s  %8s  %s%n";
    out.printf(
        Locale.ROOT,
        format,
        "STARTED",
        "ACCOUNT",
        "KIND",
        "OUTCOME",
        "EXIT",
        "NEW",
        "SKIPPED",
        "DELETED",
        "BYTES",
        "TIME",
        "ERROR");
    for (AccountStatus.Named n : runs) {
      AccountStatus.Run r = n.run();
      boolean ended = r.outcome() != null;
      out.printf(
          Locale.ROOT,
          format,
          WHEN.format(r.started()),
          ListingOutput.fit(n.account(), 16),
          r.kind(),
          ended ? r.outcome() : "killed?",
          ended ? r.exitCode() : "-",
          ended ? r.newCount() : "-",
          ended ? r.skippedCount() : "-",
          ended ? r.deletedCount() : "-",
          ended ? ListingOutput.humanSize(r.bytes()) : "-",
          ended ? seconds(Duration.between(r.started(), r.ended())) : "-",
          r.error() == null ? "" : r.error());
    }
  }

  static void json(List<AccountStatus.Status> all, PrintWriter out) {
    try (JsonGenerator json = generator(out)) {
      json.writeStartObject();
      json.writeArrayFieldStart("accounts");
      for (AccountStatus.Status s : all) {
        json.writeStartObject();
        json.writeStringField("account", s.account());
        json.writeStringField("mailbox", s.mailbox());
        json.writeStringField("ledger", s.ledger().toString());
        json.writeNumberField("messages", s.messages());
        json.writeNumberField("bytes", s.bytes());
        json.writeNumberField("deleted", s.deleted());
        json.writeNumberField("lost", s.lost());
        json.writeNumberField("unarchived_deleted", s.unarchivedDeleted());
        json.writeNumberField("files", s.files());
        json.writeNumberField("bytes_on_disk", s.bytesOnDisk());
        instant(json, "first_archived", s.firstArchived());
        instant(json, "last_login", s.lastLogin());
        json.writeFieldName("last_run");
        run(json, null, s.lastRun());
        instant(json, "last_success", s.lastSuccess());
        json.writeFieldName("last_failure");
        run(json, null, s.lastFailure());
        if (s.due() == null) {
          json.writeNullField("due");
        } else {
          json.writeNumberField("due", s.due());
        }
        instant(json, "next_login", s.nextLogin());
        json.writeEndObject();
      }
      json.writeEndArray();
      json.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    out.println();
  }

  static void history(List<AccountStatus.Named> runs, PrintWriter out) {
    try (JsonGenerator json = generator(out)) {
      json.writeStartObject();
      json.writeArrayFieldStart("runs");
      for (AccountStatus.Named n : runs) {
        run(json, n.account(), n.run());
      }
      json.writeEndArray();
      json.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    out.println();
  }

  /** A generator that leaves {@code out} open when it is closed. */
  private static JsonGenerator generator(PrintWriter out) throws IOException {
    return new JsonFactory()
        .configure(JsonGenerator.Feature.AUTO_CLOSE_TARGET, false)
        .createGenerator(out);
  }

  private static void run(JsonGenerator json, String account, AccountStatus.Run r)
      throws IOException {
    if (r == null) {
      json.writeNull();
      return;
    }
    json.writeStartObject();
    if (account != null) {
      json.writeStringField("account", account);
    }
    json.writeNumberField("id", r.id());
    json.writeStringField("kind", r.kind());
    instant(json, "started", r.started());
    instant(json, "ended", r.ended());
    json.writeStringField("outcome", r.outcome());
    if (r.exitCode() == null) {
      json.writeNullField("exit_code");
    } else {
      json.writeNumberField("exit_code", r.exitCode());
      json.writeNumberField("new", r.newCount());
      json.writeNumberField("skipped", r.skippedCount());
      json.writeNumberField("deleted", r.deletedCount());
      json.writeNumberField("bytes", r.bytes());
    }
    json.writeStringField("error", r.error());
    json.writeEndObject();
  }

  private static void instant(JsonGenerator json, String field, Instant when) throws IOException {
    json.writeStringField(field, when == null ? null : when.toString());
  }
}
