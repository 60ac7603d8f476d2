package dev.popvault.cli;

import picocli.CommandLine;

/** Reads how many {@code -v} flags the user gave, wherever on the command line they stand. */
final class Verbosity {
  private Verbosity() {}

  static int of(CommandLine.ParseResult parseResult) {
    int level = 0;
    for (CommandLine.ParseResult r = parseResult; r != null; r = r.subcommand()) {
      if (r.hasMatchedOption("-v")) {
        boolean[] flags = r.matchedOptionValue("-v", new boolean[0]);
        level += flags.length;
      }
    }
    return level;
  }
}
