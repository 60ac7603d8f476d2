package dev.popvault.cli;

import picocli.CommandLine.Command;

/** Groups popvault's subcommands; prints usage when called alone. */
@Command(
    name = "popvault",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    subcommands = {
      ArchiveCommand.class,
      ListCommand.class,
      DeleteCommand.class,
      StatusCommand.class,
      ShowCommand.class,
      AdoptCommand.class,
      HistoryCommand.class,
      VerifyCommand.class,
      RenameCommand.class,
      ProbeCommand.class,
      ConfigCommand.class,
      WarmupCommand.class
    },
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
final class PopvaultCommand implements Runnable {
  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }
}
