package dev.popvault.cli;

import dev.popvault.config.ConfigException;
import dev.popvault.config.Setting;
import dev.popvault.core.ArchivePlace;
import dev.popvault.core.ExitCode;
import dev.popvault.core.ShowMessage;
import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.OutputStream;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** Prints one archived message: the exact bytes the server sent, checked as they are read. */
@Command(
    name = "show",
    mixinStandardHelpOptions = true,
    modelTransformer = SettingOptions.class,
    description = {
      "Print one archived message, found by its UIDL or Message-ID, exactly as the server sent it"
          + " (after dot-unstuffing; CRLF line ends as sent). Only the frame that holds it is"
          + " decompressed, and its length and SHA-256 are checked against the ledger as it is read:"
          + " a damaged copy ends with exit 65. --mbox prints the stored mboxrd form instead"
          + " (From_ line, >From quoting), checked the same way."
    },
    footerHeading = "%nExamples:%n",
    footer = {
      "  popvault show AAAB12cd > message.eml",
      "  popvault show '<20240102.1234@example.org>' --account work",
      "  popvault show AAAB12cd --mbox >> restored.mbox",
      "",
      "Exit codes:",
      ExitCodeTable.TEXT
    })
final class ShowCommand implements Callable<Integer>, SettingOptions.Taker {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Mixin CommonOptions common;

  @Parameters(paramLabel = "UIDL|MESSAGE-ID", description = "The message: its UIDL or Message-ID.")
  String wanted;

  @Option(names = "--account", paramLabel = "NAME", description = "Look in this account only.")
  String account;

  @Option(
      names = "--mbox",
      description = "Print the stored mboxrd form instead of the server's bytes.")
  boolean mbox;

  @Override
  public Set<Setting> settings() {
    return SettingOptions.of(SettingOptions.COMMON);
  }

  @Override
  public Integer call() throws ConfigException {
    List<ArchivePlace> where = LedgerPlaces.archives(common, account);
    // The bytes go to standard output as they are: no PrintWriter, no charset.
    OutputStream out = new BufferedOutputStream(new FileOutputStream(FileDescriptor.out), 1 << 16);
    String shown = ShowMessage.write(where, wanted, mbox, out);
    common.info(spec.commandLine().getErr()).accept("shown: " + shown + " (SHA-256 checked)");
    return ExitCode.OK;
  }
}
