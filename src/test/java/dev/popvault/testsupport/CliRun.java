package dev.popvault.testsupport;

import dev.popvault.cli.Main;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
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

  /**
   * Archives {@code user}'s Dovecot mailbox (pop3:// with STLS, the test CA) into {@code
   * archiveDir}, with the password in {@code passwordFile} and any {@code more} options.
   */
  public static CliRun archive(
      DovecotServer dovecot, String user, Path passwordFile, Path archiveDir, String... more) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "archive",
                "pop3://" + user + "@127.0.0.1:" + dovecot.pop3Port(),
                "--ca-file",
                dovecot.caFile().toString(),
                "--password-file",
                passwordFile.toString(),
                "--archive-dir",
                archiveDir.toString()));
    args.addAll(List.of(more));
    return of(args.toArray(String[]::new));
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
