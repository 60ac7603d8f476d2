package dev.popvault.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.popvault.config.AccountConfig;
import dev.popvault.core.Directories;
import dev.popvault.core.ExitCode;
import dev.popvault.core.History;
import dev.popvault.core.PopvaultException;
import dev.popvault.core.RunReport;
import dev.popvault.core.VerifyRun;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** Formats run outcomes for machines: the {@code --json} report and the Prometheus textfile. */
final class Reports {
  private Reports() {}

  /**
   * Holds the JSON mapper: built on first use only, because building it loads some 300 classes
   * (about 0.1 s of start-up) that a run without {@code --json} never needs.
   */
  static final class Json {
    static final ObjectMapper MAPPER = new ObjectMapper();
  }

  /**
   * Prints the outcome of an archive command: one error line per failed account on stderr (named
   * when there were several), then a summary line per account, or one JSON report, on stdout.
   */
  static void print(
      List<AccountOutcome> outcomes,
      int exitCode,
      boolean several,
      boolean quiet,
      boolean json,
      PrintWriter out,
      PrintWriter err) {
    for (AccountOutcome o : outcomes) {
      if (o.failure() != null) {
        synchronized (err) {
          err.println(
              "popvault: " + (several ? o.account() + ": " : "") + o.failure().getMessage());
          err.flush();
        }
      } else if (!quiet && !json) {
        out.println(o.report().summaryLine());
      }
    }
    if (json) {
      out.println(json(outcomes, exitCode));
    }
    out.flush();
  }

  /**
   * Returns one JSON object: {@code {"exit_code":N,"accounts":[{account, outcome, exit_code,
   * counts…}]}}.
   */
  static String json(List<AccountOutcome> outcomes, int exitCode) {
    ObjectNode root = Json.MAPPER.createObjectNode();
    root.put("exit_code", exitCode);
    ArrayNode accounts = root.putArray("accounts");
    for (AccountOutcome o : outcomes) {
      ObjectNode a = accounts.addObject();
      a.put("account", o.account());
      a.put("outcome", o.exitCode() == 0 ? "ok" : "failed");
      a.put("exit_code", o.exitCode());
      RunReport r = o.report();
      a.put("new", r == null ? 0 : r.newCount());
      a.put("skipped", r == null ? 0 : r.skippedCount());
      a.put("deleted", r == null ? 0 : r.deletedCount());
      a.put("repaired", r == null ? 0 : r.repairedCount());
      a.put("lost", r == null ? 0 : r.lostCount());
      a.put("bytes", r == null ? 0 : r.bytes());
      a.put("seconds", r == null ? 0.0 : r.elapsed().toMillis() / 1000.0);
      if (o.failure() == null) {
        a.putNull("error");
      } else {
        a.put("error", o.failure().getMessage());
      }
    }
    try {
      return Json.MAPPER.writeValueAsString(root);
    } catch (IOException e) {
      throw new IllegalStateException("cannot format the JSON report", e);
    }
  }

  /**
   * Writes the Prometheus textfile-collector file: written to a temporary file beside it and
   * renamed, so the collector never reads half a file.
   */
  static void writeMetrics(
      Path file, List<AccountOutcome> outcomes, List<AccountConfig> accounts, Clock clock) {
    StringBuilder text = new StringBuilder();
    metric(
        text,
        "popvault_last_success_timestamp_seconds",
        "gauge",
        "End of the last successful run.");
    for (AccountOutcome o : outcomes) {
      Optional<Instant> success =
          o.failure() == null
              ? Optional.of(clock.instant())
              : History.lastSuccess(ledgerOf(o, accounts), o.account());
      // 0 for an account that never succeeded: the README's alert (time() - x > limit) fires.
      sample(
          text,
          "popvault_last_success_timestamp_seconds",
          o.account(),
          success.map(Instant::getEpochSecond).orElse(0L));
    }
    metric(text, "popvault_exit_code", "gauge", "Exit code of the last run (0 = success).");
    outcomes.forEach(o -> sample(text, "popvault_exit_code", o.account(), o.exitCode()));
    for (String[] counter :
        new String[][] {
          {"popvault_messages_new", "Messages archived by the last run."},
          {"popvault_messages_skipped", "Messages skipped (already archived) by the last run."},
          {"popvault_messages_deleted", "Messages deleted from the server by the last run."},
          {"popvault_messages_repaired", "Damaged archived copies replaced by the last run."},
          {
            "popvault_messages_lost",
            "Damaged copies the last run could not recover (gone from the server)."
          },
          {"popvault_bytes", "Bytes archived by the last run."},
          {"popvault_duration_seconds", "Duration of the last run."}
        }) {
      metric(text, counter[0], "gauge", counter[1]);
      for (AccountOutcome o : outcomes) {
        RunReport r = o.report();
        double value =
            r == null
                ? 0
                : switch (counter[0]) {
                  case "popvault_messages_new" -> r.newCount();
                  case "popvault_messages_skipped" -> r.skippedCount();
                  case "popvault_messages_deleted" -> r.deletedCount();
                  case "popvault_messages_repaired" -> r.repairedCount();
                  case "popvault_messages_lost" -> r.lostCount();
                  case "popvault_bytes" -> r.bytes();
                  default -> r.elapsed().toMillis() / 1000.0;
                };
        sample(text, counter[0], o.account(), value);
      }
    }
    Set<String> ran = new HashSet<>();
    outcomes.forEach(o -> ran.add(o.account()));
    replaceMetrics(file, text.toString(), ran);
  }

  /**
   * Writes what {@code verify} found to the metrics file, beside what archive runs wrote: per
   * account the time of this verify and its number of problems (0 when the archive agrees with the
   * ledger). Every other series stays as it was.
   */
  static void writeVerifyMetrics(Path file, VerifyRun.Outcome outcome, Clock clock) {
    StringBuilder text = new StringBuilder();
    metric(
        text,
        "popvault_last_verify_timestamp_seconds",
        "gauge",
        "End of the last verify of the account's archive.");
    long now = clock.instant().getEpochSecond();
    outcome
        .checked()
        .forEach(c -> sample(text, "popvault_last_verify_timestamp_seconds", c.account(), now));
    metric(
        text,
        "popvault_verify_problems",
        "gauge",
        "Problems the last verify found in the account's archive (0 = it agrees with the ledger).");
    outcome
        .checked()
        .forEach(c -> sample(text, "popvault_verify_problems", c.account(), c.problems().size()));
    Set<String> ran = new HashSet<>();
    outcome.checked().forEach(c -> ran.add(c.account()));
    replaceMetrics(file, text.toString(), ran);
  }

  /**
   * Replaces the metrics file with {@code fresh} plus what the old file holds that {@code fresh}
   * does not: the samples of accounts not in {@code ran} for the series {@code fresh} has, and
   * every other series whole. Written to a temporary file beside it and renamed, so the collector
   * never reads half a file.
   */
  private static void replaceMetrics(Path file, String fresh, Set<String> ran) {
    try {
      String merged = keepOtherAccounts(fresh, file, ran);
      Path dir = file.toAbsolutePath().getParent();
      Path tmp = Files.createTempFile(dir, "." + file.getFileName(), ".tmp");
      Files.writeString(tmp, merged, StandardCharsets.UTF_8);
      // World-readable: it holds no secret, and node_exporter's collector runs as another user.
      Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-r--r--"));
      Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new PopvaultException(
          ExitCode.IO_ERROR, "cannot write metrics file " + file + ": " + e.getMessage(), e);
    }
  }

  private static Path ledgerOf(AccountOutcome o, List<AccountConfig> accounts) {
    for (AccountConfig a : accounts) {
      if (a.name().equals(o.account())) {
        return a.ledger() != null ? a.ledger() : Directories.defaultLedger(a.archiveDir());
      }
    }
    return Path.of("/nonexistent");
  }

  /**
   * Adds to the fresh metrics what an earlier run wrote and this one does not replace: the samples
   * of accounts this run did not touch (so running one account keeps the other accounts' series and
   * their alerts alive), and whole series of the other command (archive's, verify's).
   */
  static String keepOtherAccounts(String fresh, Path file, Set<String> ran) throws IOException {
    if (!Files.isRegularFile(file)) {
      return fresh;
    }
    Map<String, List<String>> old = families(Files.readAllLines(file, StandardCharsets.UTF_8));
    Map<String, List<String>> now = families(List.of(fresh.split("\n")));
    StringBuilder merged = new StringBuilder();
    now.forEach(
        (name, lines) -> {
          lines.forEach(l -> merged.append(l).append('\n'));
          for (String line : old.getOrDefault(name, List.of())) {
            String account = accountOf(line);
            if (account != null && !ran.contains(account)) {
              merged.append(line).append('\n');
            }
          }
        });
    old.forEach(
        (name, lines) -> {
          if (!now.containsKey(name)) {
            lines.forEach(l -> merged.append(l).append('\n'));
          }
        });
    return merged.toString();
  }

  /**
   * Groups textfile lines by series name ({@code # HELP}, {@code # TYPE} and samples), in order.
   */
  private static Map<String, List<String>> families(List<String> lines) {
    Map<String, List<String>> families = new LinkedHashMap<>();
    for (String line : lines) {
      String name;
      if (line.startsWith("# HELP ") || line.startsWith("# TYPE ")) {
        int space = line.indexOf(' ', 7);
        name = line.substring(7, space < 0 ? line.length() : space);
      } else if (line.isBlank() || line.startsWith("#")) {
        continue;
      } else {
        int end = line.indexOf('{');
        name = line.substring(0, end < 0 ? Math.max(0, line.indexOf(' ')) : end);
      }
      families.computeIfAbsent(name, k -> new ArrayList<>()).add(line);
    }
    return families;
  }

  /** Returns the unescaped account label of a sample line, or null. */
  private static String accountOf(String line) {
    int brace = line.indexOf("{account=\"");
    int end = brace < 0 || line.startsWith("#") ? -1 : line.indexOf("\"}", brace);
    return end < 0
        ? null
        : line.substring(brace + 10, end).replace("\\\"", "\"").replace("\\\\", "\\");
  }

  private static void metric(StringBuilder text, String name, String type, String help) {
    text.append("# HELP ").append(name).append(' ').append(help).append('\n');
    text.append("# TYPE ").append(name).append(' ').append(type).append('\n');
  }

  private static void sample(StringBuilder text, String name, String account, double value) {
    String escaped = account.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    text.append(name)
        .append("{account=\"")
        .append(escaped)
        .append("\"} ")
        .append(
            value == Math.rint(value)
                ? String.format(Locale.ROOT, "%.0f", value)
                : Double.toString(value))
        .append('\n');
  }
}
