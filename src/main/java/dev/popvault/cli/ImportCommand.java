package dev.popvault.cli;

import dev.popvault.config.ConfigException;
import dev.popvault.config.Setting;
import dev.popvault.core.ArchivePlace;
import dev.popvault.core.ExitCode;
import dev.popvault.core.ImportMail;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** Brings other tools' mbox files and Maildirs into an account's archive and catalog. */
@Command(
    name = "import",
    mixinStandardHelpOptions = true,
    modelTransformer = SettingOptions.class,
    description = {
      "Import mail that another tool stored (mpop, getmail, fetchmail's MDA, Thunderbird, mutt) into"
          + " the archive of --account: mbox files (plain, .gz, .zst or .xz) and Maildirs (cur/ and"
          + " new/). Each message is stored as a POP3 server would have sent it (CRLF line ends; the"
          + " mbox From_ line, its blank line and one level of >From quoting taken off), through the"
          + " same write, re-read and verify as an archive run, and enters the catalog (search,"
          + " export, upload). A message already archived for the account (same SHA-256, from the"
          + " server or an earlier import) is skipped. Imported messages never cause a deletion on"
          + " the server: they are not the server's (record another tool's downloads with"
          + " `popvault adopt`). An account the ledger does not know is created for imports only."
    },
    footerHeading = "%nExamples:%n",
    footer = {
      "  popvault import ~/Mail/old-inbox.mbox --account old",
      "  popvault import ~/.thunderbird/x.default/Mail/pop.example.com/Inbox --account work",
      "  popvault import ~/Maildir mbox-2019.gz mbox-2020.zst --account home",
      "",
      "Exit codes:",
      ExitCodeTable.TEXT
    })
final class ImportCommand implements Callable<Integer>, SettingOptions.Taker {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Mixin CommonOptions common;

  @Parameters(arity = "1..*", paramLabel = "FILE|DIR", description = "mbox files or Maildirs.")
  List<Path> sources;

  @Option(
      names = "--account",
      required = true,
      paramLabel = "NAME",
      description = "The account whose archive receives the messages.")
  String account;

  @Override
  public Set<Setting> settings() {
    return SettingOptions.of(SettingOptions.COMMON);
  }

  @Override
  public Integer call() throws ConfigException {
    PrintWriter err = spec.commandLine().getErr();
    ArchivePlace place = LedgerPlaces.archives(common, account).get(0);
    ImportMail.Report r =
        ImportMail.run(
            place.archiveDir(),
            place.ledger(),
            account,
            sources,
            Clock.systemUTC(),
            Progress.forTerminal(err, common.quiet()).forAccount(account),
            text -> common.notice(err, text),
            common.info(err));
    common.notice(
        err,
        account
            + ": imported "
            + r.imported()
            + " of "
            + r.read()
            + " message(s) ("
            + ListingOutput.humanSize(r.bytes())
            + ", each re-read and verified)"
            + (r.duplicates() > 0 ? "; " + r.duplicates() + " were archived already" : ""));
    return ExitCode.OK;
  }
}
