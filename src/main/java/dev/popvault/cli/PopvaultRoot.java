package dev.popvault.cli;

import picocli.CommandLine.Command;

/**
 * popvault's top-level command without its subcommands: name, help, examples and exit codes. {@link
 * Main} adds only the subcommand a command line names, so a run does not pay for building the
 * option model of every other command (about 60 ms of start-up, measured in docs/performance.md);
 * {@link PopvaultCommand} is the whole tree, for help and the generated man pages and completion.
 * Prints usage when called alone.
 */
@Command(
    name = "popvault",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = {
      "Archive POP3 mailboxes exactly once into compressed mbox files, verified before anything is deleted."
    },
    footerHeading = "%nExamples:%n",
    footer = {
      "  popvault archive pop3s://alice@mail.example.com --password-file ~/.pw",
      "  popvault archive work home -q --delete",
      "  popvault verify",
      "",
      "Exit codes:",
      ExitCodeTable.TEXT
    })
class PopvaultRoot implements Runnable {
  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }
}
