package dev.popvault.cli;

import picocli.CommandLine.Command;

/** Groups popvault's subcommands; prints usage when called alone. */
@Command(
    name = "popvault",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    subcommands = {ArchiveCommand.class, VerifyCommand.class},
    description = {
      "Archive POP3 mailboxes exactly once into compressed mbox files, verified before anything is deleted."
    },
    footerHeading = "%nExamples:%n",
    footer = {
      "  popvault archive pop3s://alice@mail.example.com --password-file ~/.popvault-pass",
      "  popvault archive pop3s://alice@mail.example.com --password-file ~/.popvault-pass --delete",
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

  /** Lists the exit codes of core.ExitCode as a compile-time constant for the help annotations. */
  static final class ExitCodeTable {
    static final String TEXT =
        "   0  success%n"
            + "  64  usage error (bad option or argument)%n"
            + "  65  data error: archive and ledger disagree, ledger from a newer popvault%n"
            + "  69  server unavailable (cannot connect)%n"
            + "  70  internal error (a bug: please report it with the -v output)%n"
            + "  74  local I/O error (disk full, permissions, not a directory)%n"
            + "  75  temporary: lock held by another run, timeout, connection lost, SIGTERM%n"
            + "  76  POP3 protocol error (malformed or unexpected server reply)%n"
            + "  77  authentication failed, certificate not trusted, or plaintext refused%n"
            + "  78  configuration error (bad URL, unreadable password source)%n"
            + " 130  interrupted by Ctrl-C";

    private ExitCodeTable() {}
  }
}
