package dev.popvault.cli;

import static dev.popvault.config.Setting.ALLOW_PLAINTEXT;
import static dev.popvault.config.Setting.AUTH;
import static dev.popvault.config.Setting.CA_FILE;
import static dev.popvault.config.Setting.CONNECT_TIMEOUT;
import static dev.popvault.config.Setting.FINGERPRINT;
import static dev.popvault.config.Setting.PASSWORD_COMMAND;
import static dev.popvault.config.Setting.PASSWORD_FILE;
import static dev.popvault.config.Setting.TIMEOUT;
import static dev.popvault.config.Setting.TOKEN_COMMAND;

import dev.popvault.config.ConfigException;
import dev.popvault.config.Setting;
import dev.popvault.config.UserPaths;
import dev.popvault.core.CatalogQuery;
import dev.popvault.core.ExitCode;
import dev.popvault.core.UploadMessages;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** Copies archived messages to an IMAP folder, exactly and each once. */
@Command(
    name = "upload",
    mixinStandardHelpOptions = true,
    modelTransformer = SettingOptions.class,
    description = {
      "Upload the archived messages a search query selects (the query of `popvault search`; none:"
          + " every message) to an IMAP folder: --to imaps://USER@HOST[:PORT]/FOLDER (TLS, port"
          + " 993) or imap://... (STARTTLS, port 143; plaintext only with --allow-plaintext). The"
          + " folder is created if missing. Each message is read back from the archive and checked"
          + " against its SHA-256, then APPENDed with exactly the bytes the POP3 server sent, the"
          + " Date header as its date (else when it was archived), and \\Seen with --seen. The ledger"
          + " records each upload once the server confirmed it (with APPENDUID's UID where offered):"
          + " a second run uploads only what is missing, and after an interruption it looks for the"
          + " message in the folder (Message-ID, size, SHA-256) before it appends it again. The"
          + " password comes from --password-file, --password-command, POPVAULT_PASSWORD or the"
          + " terminal; --auth xoauth2 with --token-command logs in with an OAuth2 token. Prints"
          + " where each message went."
    },
    footerHeading = "%nExamples:%n",
    footer = {
      "  popvault upload --to imaps://alice@imap.example.net/Archive --password-file ~/.imap-pw",
      "  popvault upload after:2024-01-01 --account work --to imaps://me@imap.example.net/Work --seen",
      "  popvault upload --to imaps://me@imap.example.net/INBOX --dry-run",
      "",
      "Exit codes:",
      ExitCodeTable.TEXT
    })
final class UploadCommand implements Callable<Integer>, SettingOptions.Taker {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Mixin CommonOptions common;

  @Parameters(arity = "0..*", paramLabel = "QUERY", description = "Search terms (popvault search).")
  List<String> query = new ArrayList<>();

  @Option(
      names = "--to",
      required = true,
      paramLabel = "URL",
      description =
          "The folder: imaps://USER@HOST[:PORT]/FOLDER or imap://USER@HOST[:PORT]/FOLDER.")
  String to;

  @Option(names = "--account", paramLabel = "NAME", description = "Upload this account only.")
  String account;

  @Option(names = "--seen", description = "Mark the uploaded messages as read (\\Seen).")
  boolean seen;

  @Option(names = "--dry-run", description = "Say what would be uploaded; connect to nothing.")
  boolean dryRun;

  @Override
  public Set<Setting> settings() {
    return SettingOptions.of(
        SettingOptions.COMMON,
        SettingOptions.TRUST,
        EnumSet.of(PASSWORD_FILE, PASSWORD_COMMAND, TOKEN_COMMAND, AUTH));
  }

  @Override
  public Integer call() throws ConfigException {
    UserPaths paths = UserPaths.system();
    UploadMessages.Destination destination =
        UploadMessages.destination(
            to,
            path(paths, CA_FILE),
            text(FINGERPRINT),
            Boolean.TRUE.equals(SettingOptions.given(spec, ALLOW_PLAINTEXT)),
            path(paths, PASSWORD_FILE),
            text(PASSWORD_COMMAND),
            text(TOKEN_COMMAND),
            text(AUTH),
            number(CONNECT_TIMEOUT),
            number(TIMEOUT));
    PrintWriter err = spec.commandLine().getErr();
    UploadMessages.Report report =
        UploadMessages.upload(
            LedgerPlaces.archives(common, account),
            CatalogQuery.parse(query, ZoneId.systemDefault()),
            destination,
            seen,
            dryRun,
            Progress.forTerminal(err, common.quiet()).forAccount("upload"),
            text -> common.notice(err, text),
            Clock.systemUTC());
    UploadOutput.print(report, dryRun, spec.commandLine().getOut(), err, common);
    if (!report.damaged().isEmpty() || !report.refused().isEmpty()) {
      return ExitCode.DATA_ERROR;
    }
    return ExitCode.OK;
  }

  private String text(Setting setting) {
    Object value = SettingOptions.given(spec, setting);
    return value == null ? null : value.toString();
  }

  private Path path(UserPaths paths, Setting setting) {
    String value = text(setting);
    return value == null ? null : paths.expand(value);
  }

  private long number(Setting setting) {
    Object value = SettingOptions.given(spec, setting);
    return value == null
        ? ((Number) setting.defaultValue()).longValue()
        : ((Number) value).longValue();
  }
}
