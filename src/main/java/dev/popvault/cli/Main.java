package dev.popvault.cli;

import dev.popvault.core.ExitCode;
import dev.popvault.core.PopvaultException;
import java.io.PrintWriter;
import picocli.CommandLine;

/** Starts popvault: builds the command line, runs it, and exits with its code. */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    System.exit(newCommandLine().execute(args));
  }

  /**
   * Builds the configured command line. Tests call this and {@link CommandLine#execute} to drive
   * the real CLI in-process.
   */
  public static CommandLine newCommandLine() {
    CommandLine commandLine = new CommandLine(new PopvaultCommand());
    commandLine.setParameterExceptionHandler(Main::handleBadUsage);
    commandLine.setExecutionExceptionHandler(Main::handle);
    return commandLine;
  }

  /** Prints what is wrong with the command line and a hint, and returns 64. */
  private static int handleBadUsage(CommandLine.ParameterException e, String[] args) {
    CommandLine commandLine = e.getCommandLine();
    PrintWriter err = commandLine.getErr();
    err.println("popvault: " + e.getMessage());
    err.println(
        "Try '" + commandLine.getCommandSpec().qualifiedName() + " --help' for more information.");
    err.flush();
    return ExitCode.USAGE;
  }

  /**
   * Prints a known failure as one line and returns its code; bugs keep their stack trace and exit
   * 70.
   */
  private static int handle(
      Exception e, CommandLine commandLine, CommandLine.ParseResult parseResult) {
    PrintWriter err = commandLine.getErr();
    if (e instanceof PopvaultException known) {
      err.println("popvault: " + known.getMessage());
      if (Verbosity.of(parseResult) > 0 && known.getCause() != null) {
        known.getCause().printStackTrace(err);
      }
      err.flush();
      return known.exitCode();
    }
    err.println("popvault: internal error (a bug; please report it with this trace):");
    e.printStackTrace(err);
    err.flush();
    return ExitCode.SOFTWARE;
  }
}
