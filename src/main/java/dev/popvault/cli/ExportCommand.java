package dev.popvault.cli;

import dev.popvault.config.ConfigException;
import dev.popvault.config.Setting;
import dev.popvault.core.CatalogQuery;
import dev.popvault.core.CatalogSearch;
import dev.popvault.core.ExitCode;
import dev.popvault.core.ExportMessages;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** Writes archived messages out as mbox, Maildir or .eml files, each checked as it is read. */
@Command(
    name = "export",
    mixinStandardHelpOptions = true,
    modelTransformer = SettingOptions.class,
    description = {
      "Write the archived messages a search query selects (the query of `popvault search`; none:"
          + " every message) to --to: an mbox file (--format mbox, the default: mboxrd, compressed"
          + " by --codec or the file's suffix .zst, .gz, .xz), a Maildir (--format maildir: new/"
          + " holds each message exactly as the server sent it), or a directory of ACCOUNT-UIDL.eml"
          + " files (--format eml, the same bytes). Only the frames holding selected messages are"
          + " decompressed; each message is checked against its SHA-256 and written only if it read"
          + " back whole (a damaged one is named, and the export ends with exit 65). Files are"
          + " created 0600, directories 0700; an existing mbox file is refused, and a Maildir or"
          + " .eml file already there is kept (a second export adds only what is new)."
    },
    footerHeading = "%nExamples:%n",
    footer = {
      "  popvault export from:alice after:2024-01-01 --to alice-2024.mbox.zst",
      "  popvault export --account work --format maildir --to ~/Maildir/restored",
      "  popvault export message-id:20240102.1234@example.org --format eml --to .",
      "",
      "Exit codes:",
      ExitCodeTable.TEXT
    })
final class ExportCommand implements Callable<Integer>, SettingOptions.Taker {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Mixin CommonOptions common;

  @Parameters(arity = "0..*", paramLabel = "QUERY", description = "Search terms (popvault search).")
  List<String> query = new ArrayList<>();

  @Option(names = "--account", paramLabel = "NAME", description = "Export this account only.")
  String account;

  @Option(
      names = "--to",
      required = true,
      paramLabel = "PATH",
      description = "The mbox file to create, or the Maildir or .eml directory.")
  Path target;

  @Option(
      names = "--format",
      paramLabel = "FORMAT",
      defaultValue = "mbox",
      description = "mbox, maildir or eml (default: ${DEFAULT-VALUE}).")
  String format;

  @Option(
      names = "--codec",
      paramLabel = "CODEC",
      description =
          "Compression of an mbox export: zstd, gzip, xz or none (default: from the file name's"
              + " suffix, else none).")
  String codec;

  @Override
  public Set<Setting> settings() {
    return SettingOptions.of(SettingOptions.COMMON);
  }

  @Override
  public Integer call() throws ConfigException {
    ExportMessages.Format chosen = format(format);
    CatalogQuery parsed = CatalogQuery.parse(query, ZoneId.systemDefault());
    PrintWriter err = spec.commandLine().getErr();
    CatalogSearch.Result found =
        CatalogSearch.find(
            LedgerPlaces.archives(common, account),
            parsed,
            null,
            Integer.MAX_VALUE,
            text -> common.notice(err, text));
    ExportMessages.Report report =
        ExportMessages.export(found.hits(), chosen, target, codec, common.info(err));
    for (String d : report.damaged()) {
      common.notice(err, "not exported (damaged copy; popvault verify --repair): " + d);
    }
    common.notice(
        err,
        "exported "
            + report.written()
            + " message(s) ("
            + ListingOutput.humanSize(report.bytes())
            + ", SHA-256 checked) to "
            + target
            + (report.present() > 0 ? "; " + report.present() + " were there already" : "")
            + (report.damaged().isEmpty() ? "" : "; " + report.damaged().size() + " damaged"));
    return report.damaged().isEmpty() ? ExitCode.OK : ExitCode.DATA_ERROR;
  }

  private ExportMessages.Format format(String name) {
    try {
      return ExportMessages.Format.valueOf(name.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new picocli.CommandLine.ParameterException(
          spec.commandLine(), "--format must be mbox, maildir or eml, not '" + name + "'");
    }
  }
}
