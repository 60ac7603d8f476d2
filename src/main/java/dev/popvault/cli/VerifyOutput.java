package dev.popvault.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.popvault.core.ExitCode;
import dev.popvault.core.VerifyRun;
import java.io.IOException;
import java.io.PrintWriter;

/**
 * Writes what {@code verify} found: each problem and note as a line on stderr, then one summary
 * line, or with {@code --json} one JSON report, on stdout.
 *
 * <p>The JSON report is API (README, "verify --json"): {@code {"exit_code":N, "ok":BOOL,
 * "accounts":[{"account", "ok", "files", "frames", "messages", "problems":[TEXT…]}],
 * "notes":[TEXT…]}}.
 */
final class VerifyOutput {
  private VerifyOutput() {}

  /** Prints each problem and note of {@code outcome} as one line on {@code err}. */
  static void problems(VerifyRun.Outcome outcome, PrintWriter err) {
    for (String problem : outcome.problems()) {
      err.println("popvault: " + problem);
    }
    for (String note : outcome.notes()) {
      err.println("popvault: " + note);
    }
    err.flush();
  }

  /**
   * Prints the summary line (unless {@code quiet} and all is well) or the JSON report, and returns
   * the exit code: 65 when anything disagrees with the ledger or {@code lost} is true, else 0.
   */
  static int summary(
      VerifyRun.Outcome outcome, boolean lost, boolean json, boolean quiet, PrintWriter out) {
    int code = outcome.ok() && !lost ? ExitCode.OK : ExitCode.DATA_ERROR;
    if (json) {
      out.println(json(outcome, code));
    } else if (!quiet || code != ExitCode.OK) {
      out.println(outcome.summaryLine());
    }
    out.flush();
    return code;
  }

  /** Returns the JSON report of {@code outcome}. */
  static String json(VerifyRun.Outcome outcome, int exitCode) {
    ObjectNode root = Reports.Json.MAPPER.createObjectNode();
    root.put("exit_code", exitCode);
    root.put("ok", exitCode == ExitCode.OK);
    ArrayNode accounts = root.putArray("accounts");
    for (VerifyRun.AccountCheck c : outcome.checked()) {
      ObjectNode a = accounts.addObject();
      a.put("account", c.account());
      a.put("ok", c.problems().isEmpty());
      a.put("files", c.files());
      a.put("frames", c.frames());
      a.put("messages", c.messages());
      ArrayNode problems = a.putArray("problems");
      c.problems().forEach(problems::add);
    }
    ArrayNode notes = root.putArray("notes");
    outcome.notes().forEach(notes::add);
    try {
      return Reports.Json.MAPPER.writeValueAsString(root);
    } catch (IOException e) {
      throw new IllegalStateException("cannot format the JSON report", e);
    }
  }
}
