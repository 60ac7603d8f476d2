package dev.popvault.testsupport;

import dev.popvault.cli.Main;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Arrays;
import picocli.CommandLine;

/**
 * Runs the real CLI in-process and captures what it printed, for assertions that say what broke.
 */
public record CliRun(int exitCode, String out, String err, String[] args) {
  /** Executes {@code popvault args...} through picocli, exactly as {@code bin/popvault} would. */
  public static CliRun of(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine commandLine = Main.newCommandLine();
    commandLine.setOut(new PrintWriter(out, true));
    commandLine.setErr(new PrintWriter(err, true));
    int code = commandLine.execute(args);
    return new CliRun(code, out.toString(), err.toString(), args);
  }

  /** Describes the run for assertion messages. */
  public String describe() {
    return "popvault "
        + String.join(" ", Arrays.asList(args))
        + "\n exit "
        + exitCode
        + "\n--- stdout ---\n"
        + out
        + "--- stderr ---\n"
        + err;
  }
}
