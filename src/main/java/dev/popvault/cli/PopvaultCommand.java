package dev.popvault.cli;

import picocli.CommandLine.Command;

/**
 * The whole command tree: {@link PopvaultRoot}'s attributes (picocli applies a superclass's
 * {@code @Command} first) with every subcommand, in the order help lists them. The build's man page
 * and completion generators read this class; {@link Main} uses it when a command line names no
 * single subcommand.
 */
@Command(
    subcommands = {
      ArchiveCommand.class,
      ListCommand.class,
      DeleteCommand.class,
      StatusCommand.class,
      ShowCommand.class,
      SearchCommand.class,
      ExportCommand.class,
      UploadCommand.class,
      ImportCommand.class,
      AdoptCommand.class,
      HistoryCommand.class,
      VerifyCommand.class,
      RenameCommand.class,
      ProbeCommand.class,
      ConfigCommand.class,
      WarmupCommand.class,
      picocli.CommandLine.HelpCommand.class
    },
    name = "popvault")
final class PopvaultCommand extends PopvaultRoot {}
