package dev.popvault.cli;

import dev.popvault.core.ExitCode;
import dev.popvault.core.Failures;
import dev.popvault.core.PopvaultException;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Starts popvault: builds the command line, runs it, and exits with its code. */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    System.exit(forArgs(args).execute(args));
  }

  /**
   * Builds the configured command line with every subcommand. Tests call this and {@link
   * CommandLine#execute} to drive the real CLI in-process.
   */
  public static CommandLine newCommandLine() {
    return configured(new CommandLine(new PopvaultCommand()));
  }

  /**
   * Builds the command line for {@code args}: when the first argument names a subcommand, the tree
   * holds only that one (its options, help and errors are the same as in the whole tree); anything
   * else (no arguments, {@code --help}, a misspelt command) gets the whole tree.
   */
  static CommandLine forArgs(String... args) {
    if (args.length > 0) {
      for (Class<?> subcommand : PopvaultCommand.class.getAnnotation(Command.class).subcommands()) {
        // `help NAME` needs the whole tree to find NAME.
        if (subcommand.getAnnotation(Command.class).name().equals(args[0])
            && subcommand != CommandLine.HelpCommand.class) {
          CommandLine root = new CommandLine(new PopvaultRoot());
          root.addSubcommand(new CommandLine(subcommand, CommandLine.defaultFactory()));
          return configured(root);
        }
      }
    }
    return newCommandLine();
  }

  private static CommandLine configured(CommandLine commandLine) {
    // picocli's own words name Java types ("'x' is not a long").
    CommandLine.ITypeConverter<Long> whole =
        text -> {
          try {
            return Long.valueOf(text.strip());
          } catch (NumberFormatException e) {
            throw new CommandLine.TypeConversionException("'" + text + "' is not a whole number");
          }
        };
    commandLine.registerConverter(Long.class, whole).registerConverter(Long.TYPE, whole);
    CommandLine.ITypeConverter<Integer> small =
        text -> {
          long n = whole.convert(text);
          if (n != (int) n) {
            throw new CommandLine.TypeConversionException("'" + text + "' is too large");
          }
          return (int) n;
        };
    commandLine.registerConverter(Integer.class, small).registerConverter(Integer.TYPE, small);
    commandLine.setParameterExceptionHandler(Main::handleBadUsage);
    commandLine.setExecutionExceptionHandler(Main::handle);
    commandLine.setExecutionStrategy(Main::execute);
    return commandLine;
  }

  /**
   * Runs the chosen subcommand. picocli hands only Exceptions to {@link #handle}; an Error would
   * leave {@code execute} with a bare stack trace and exit 1, so an exhausted heap is caught here.
   * By the time it arrives here the run has unwound: every frame not yet verified was cut back and
   * never recorded (M1, M4), and the memory it held is free again for printing the message.
   */
  private static int execute(CommandLine.ParseResult parseResult) {
    try {
      return new CommandLine.RunLast().execute(parseResult);
    } catch (OutOfMemoryError e) {
      return outOfMemory(e, commandOf(parseResult), parseResult);
    }
  }

  private static CommandLine commandOf(CommandLine.ParseResult parseResult) {
    CommandLine.ParseResult last = parseResult;
    while (last.hasSubcommand()) {
      last = last.subcommand();
    }
    return last.commandSpec().commandLine();
  }

  /**
   * Prints an exhausted heap as one line (a bug, but one whose trace says little: the allocation
   * that failed is rarely the one that filled the heap) and returns 70; {@code -v} adds the trace.
   */
  private static int outOfMemory(
      OutOfMemoryError e, CommandLine commandLine, CommandLine.ParseResult parseResult) {
    PrintWriter err = commandLine.getErr();
    err.println(
        "popvault: out of memory (heap limit "
            + (Runtime.getRuntime().maxMemory() >> 20)
            + " MiB; a bug, please report it): nothing unverified was recorded and the next run"
            + " resumes; POPVAULT_JAVA_OPTS=-Xmx512m raises the limit");
    if (Verbosity.of(parseResult) > 0) {
      e.printStackTrace(err);
    }
    err.flush();
    return ExitCode.SOFTWARE;
  }

  /** Prints what is wrong with the command line and a hint, and returns 64. */
  private static int handleBadUsage(CommandLine.ParameterException e, String[] args) {
    CommandLine commandLine = e.getCommandLine();
    PrintWriter err = commandLine.getErr();
    if (e.getCause() instanceof SettingOptions.BadValue bad) {
      // One line, worded like the same mistake in the accounts file.
      err.println("popvault: " + bad.getMessage());
      err.flush();
      return ExitCode.USAGE;
    }
    err.println("popvault: " + e.getMessage());
    err.println(
        "Try '" + commandLine.getCommandSpec().qualifiedName() + " --help' for more information.");
    err.flush();
    return ExitCode.USAGE;
  }

  /**
   * Prints a known failure as one line and returns its code, both from {@link Failures}, the one
   * failure map; bugs keep their stack trace and exit 70. Commands catch nothing to map it
   * themselves.
   */
  private static int handle(
      Exception e, CommandLine commandLine, CommandLine.ParseResult parseResult) {
    PrintWriter err = commandLine.getErr();
    PopvaultException known = Failures.translate(e);
    if (known != null) {
      err.println("popvault: " + known.getMessage());
      if (Verbosity.of(parseResult) > 0 && known.getCause() != null) {
        known.getCause().printStackTrace(err);
      }
      err.flush();
      return known.exitCode();
    }
    for (Throwable cause = e.getCause(); cause != null; cause = cause.getCause()) {
      if (cause instanceof OutOfMemoryError oom) {
        return outOfMemory(oom, commandLine, parseResult);
      }
    }
    err.println("popvault: internal error (a bug; please report it with this trace):");
    e.printStackTrace(err);
    err.flush();
    return ExitCode.SOFTWARE;
  }
}
