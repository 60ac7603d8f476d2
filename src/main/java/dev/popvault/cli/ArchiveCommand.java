package dev.popvault.cli;

import dev.popvault.archive.Codec;
import dev.popvault.config.AccountConfig;
import dev.popvault.config.ConfigException;
import dev.popvault.config.ConfigFile;
import dev.popvault.config.ConfigFile.Setting;
import dev.popvault.config.PasswordSource;
import dev.popvault.core.ArchiveRun;
import dev.popvault.core.ArchiveSettings;
import dev.popvault.core.Directories;
import dev.popvault.core.ExitCode;
import dev.popvault.core.OAuthMechanism;
import dev.popvault.core.PopvaultException;
import dev.popvault.core.StopRequest;
import dev.popvault.pop3.AuthMethod;
import dev.popvault.pop3.Pop3Settings;
import dev.popvault.pop3.TlsTrust;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * Archives new messages of one or more mailboxes; with {@code --delete}, removes what is safely
 * archived.
 */
@Command(
    name = "archive",
    mixinStandardHelpOptions = true,
    description = {
      "Download every message not yet in the ledger, append it to the compressed mbox archive, force it to disk,"
          + " re-read and verify it, record it in the ledger, and only then (with --delete) delete it from the"
          + " server. Without arguments, archives every account of the accounts file."
    },
    footerHeading = "%nExamples:%n",
    footer = {
      "  popvault archive pop3s://alice@mail.example.com --password-file ~/.pw",
      "  popvault archive pop3s://alice@mail.example.com --password-file ~/.pw --delete",
      "  popvault archive                 (every account in config.toml)",
      "  popvault archive work home -q    (two accounts, quiet, for cron)",
      "",
      "Exit codes:",
      ExitCodeTable.TEXT
    })
final class ArchiveCommand implements Callable<Integer> {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Mixin CommonOptions common;

  @Parameters(
      arity = "0..*",
      paramLabel = "ACCOUNT|URL",
      description =
          "Account names from the accounts file, or URLs: pop3s://USER@HOST[:PORT] (TLS, port 995) or"
              + " pop3://USER@HOST[:PORT] (STLS, port 110).")
  List<String> targets = new ArrayList<>();

  @Option(
      names = "--password-file",
      paramLabel = "FILE",
      description = "Read the password from the first line of FILE.")
  Path passwordFile;

  @Option(
      names = "--password-command",
      paramLabel = "CMD",
      description = "Run CMD (no shell; quotes group words) and use the first line it prints.")
  String passwordCommand;

  @Option(
      names = "--token-command",
      paramLabel = "CMD",
      description =
          "With --auth xoauth2 or oauthbearer: run CMD; its first output line is the access token.")
  String tokenCommand;

  @Option(
      names = "--auth",
      paramLabel = "METHOD",
      description =
          "auto (SASL PLAIN if offered, else USER/PASS; default), user, apop, plain, xoauth2, oauthbearer.")
  String auth;

  @Option(
      names = "--account",
      paramLabel = "NAME",
      description =
          "Name of the account in the ledger and archive (one URL or account only). Default: the"
              + " account that already archives USER@HOST:PORT, else USER@HOST. A mailbox archived"
              + " under one name is refused under another (see popvault rename). Naming the"
              + " account of the same USER@HOST on another port moves it to that port.")
  String accountName;

  @Option(
      names = "--codec",
      paramLabel = "CODEC",
      description =
          "zstd, gzip, xz or none. Default: the codec of the account's current archive file, so"
              + " the month's file continues; zstd for a new account. Another codec starts a new"
              + " file.")
  String codec;

  @Option(
      names = "--delete",
      negatable = true,
      description =
          "Delete from the server every message that is verified and recorded in the ledger.")
  Boolean delete;

  @Option(
      names = "--ca-file",
      paramLabel = "PEM",
      description = "Trust the CA certificate(s) in PEM instead of the system trust store.")
  Path caFile;

  @Option(
      names = "--fingerprint",
      paramLabel = "SHA256",
      description = "Trust exactly the server certificate with this SHA-256 fingerprint.")
  String fingerprint;

  @Option(
      names = "--allow-plaintext",
      negatable = true,
      description =
          "Allow pop3:// without STLS: the password then crosses the network in clear text.")
  Boolean allowPlaintext;

  @Option(names = "--connect-timeout", paramLabel = "SECONDS", description = "Default: 30.")
  Integer connectTimeout;

  @Option(
      names = "--timeout",
      paramLabel = "SECONDS",
      description =
          "Give up when the server does not answer a command for this long. Default: 120.")
  Integer readTimeout;

  @Option(
      names = "--batch-size",
      paramLabel = "N",
      description = "Verify and commit after every N messages (or 32 MiB). Default: 500.")
  Integer batchSize;

  @Option(
      names = "--parallel",
      paramLabel = "N",
      defaultValue = "1",
      description = "Run N accounts at once. Default: 1.")
  int parallel;

  @Option(
      names = "--json",
      description = "Print one JSON report on stdout instead of summary lines.")
  boolean json;

  @Option(
      names = "--metrics-file",
      paramLabel = "FILE",
      description = "Write a Prometheus textfile-collector file (replaced atomically).")
  Path metricsFile;

  @Option(
      names = "--pipeline-window",
      hidden = true,
      defaultValue = "" + Pop3Settings.DEFAULT_PIPELINE_WINDOW)
  int pipelineWindow;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    if (parallel < 1) {
      throw new PopvaultException(ExitCode.USAGE, "--parallel must be at least 1");
    }
    ConfigFile file = common.configFile();
    List<AccountConfig> accounts = resolveAccounts(file);
    StopRequest stop = Signals.installStopHandlers();
    Progress progress = Progress.forTerminal(err, common.quiet || json);
    List<AccountOutcome> outcomes =
        AccountRunner.runAll(
            accounts, parallel, stop, account -> newRun(account, stop, err, progress), progress);
    for (AccountOutcome o : outcomes) {
      if (o.failure() != null) {
        synchronized (err) {
          err.println(
              "popvault: "
                  + (accounts.size() > 1 ? o.account() + ": " : "")
                  + o.failure().getMessage());
          err.flush();
        }
      } else if (!common.quiet && !json) {
        out.println(o.report().summaryLine());
      }
    }
    int exitCode = AccountOutcome.combinedExitCode(outcomes);
    if (json) {
      out.println(Reports.json(outcomes, exitCode));
    }
    out.flush();
    if (metricsFile != null) {
      Reports.writeMetrics(metricsFile, outcomes, accounts, Clock.systemUTC());
    }
    return exitCode;
  }

  /** Turns the arguments (or every account of the file) into validated account settings. */
  private List<AccountConfig> resolveAccounts(ConfigFile file) {
    Map<String, Setting> overrides = commandLineLayer();
    Path defaultArchiveDir = common.archiveDir(ConfigFile.empty());
    List<String> names = new ArrayList<>(targets);
    if (names.isEmpty()) {
      if (file.accounts().isEmpty()) {
        throw new PopvaultException(
            ExitCode.USAGE,
            "nothing to archive: give a URL or account names, or list accounts in "
                + (file.file() != null ? file.file() : ConfigFile.defaultPath(System.getenv())));
      }
      names.addAll(file.accounts().keySet());
    }
    if (accountName != null && names.size() > 1) {
      throw new PopvaultException(
          ExitCode.USAGE, "--account names one account; it cannot rename several");
    }
    List<AccountConfig> accounts = new ArrayList<>();
    try {
      for (String target : names) {
        List<Map<String, Setting>> layers = new ArrayList<>();
        layers.add(file.defaults());
        String name;
        if (target.contains("://")) {
          layers.add(Map.of("url", new Setting("url", target, "command line")));
          name = accountName;
        } else if (file.accounts().containsKey(target)) {
          layers.add(file.accounts().get(target));
          name = accountName != null ? accountName : target;
        } else {
          throw new PopvaultException(
              ExitCode.CONFIG,
              "unknown account '"
                  + target
                  + "': not a URL and not a table in "
                  + (file.file() != null ? file.file() : "the accounts file (none found)"));
        }
        layers.add(overrides);
        accounts.add(AccountConfig.resolve(name, layers, defaultArchiveDir));
      }
    } catch (ConfigException e) {
      throw new PopvaultException(ExitCode.CONFIG, e.getMessage(), e);
    }
    return accounts;
  }

  /** Collects the options given on the command line; they override the accounts file. */
  private Map<String, Setting> commandLineLayer() {
    Map<String, Setting> layer = new LinkedHashMap<>();
    put(layer, "password-file", passwordFile);
    put(layer, "password-command", passwordCommand);
    put(layer, "token-command", tokenCommand);
    put(layer, "auth", auth);
    put(layer, "archive-dir", common.archiveDir);
    put(layer, "ledger", common.ledger);
    put(layer, "codec", codec);
    put(layer, "delete", delete);
    put(layer, "ca-file", caFile);
    put(layer, "fingerprint", fingerprint);
    put(layer, "allow-plaintext", allowPlaintext);
    put(layer, "connect-timeout", connectTimeout == null ? null : connectTimeout.longValue());
    put(layer, "timeout", readTimeout == null ? null : readTimeout.longValue());
    put(layer, "batch-size", batchSize == null ? null : batchSize.longValue());
    return layer;
  }

  private static void put(Map<String, Setting> layer, String key, Object value) {
    if (value != null) {
      layer.put(
          key, new Setting(key, value instanceof Path p ? p.toString() : value, "command line"));
    }
  }

  private ArchiveRun newRun(
      AccountConfig account, StopRequest stop, PrintWriter err, Progress progress) {
    try {
      Pop3Settings pop3 =
          new Pop3Settings(
              account.url().host(),
              account.url().port(),
              account.url().implicitTls(),
              account.allowPlaintext(),
              new TlsTrust(account.caFile(), account.fingerprint()),
              Duration.ofSeconds(account.connectTimeout()),
              Duration.ofSeconds(account.timeout()),
              pipelineWindow);
      OAuthMechanism oauth =
          switch (account.auth()) {
            case "xoauth2" -> OAuthMechanism.XOAUTH2;
            case "oauthbearer" -> OAuthMechanism.OAUTHBEARER;
            default -> OAuthMechanism.NONE;
          };
      PasswordSource secret =
          oauth != OAuthMechanism.NONE
              ? PasswordSource.choose(
                  null, null, account.tokenCommand(), Duration.ofSeconds(60), Map.of(), null)
              : PasswordSource.choose(
                  account.password(),
                  account.passwordFile(),
                  account.passwordCommand(),
                  Duration.ofSeconds(60),
                  System.getenv(),
                  System.console());
      Path archiveDir = account.archiveDir();
      ArchiveSettings settings =
          new ArchiveSettings(
              account.name(),
              account.nameGiven(),
              pop3,
              account.url().user(),
              secret,
              oauth != OAuthMechanism.NONE
                  ? AuthMethod.AUTO
                  : AuthMethod.valueOf(account.auth().toUpperCase(Locale.ROOT)),
              oauth,
              archiveDir,
              account.ledger() != null ? account.ledger() : Directories.defaultLedger(archiveDir),
              Codec.parse(account.codec()),
              account.codecGiven(),
              account.delete(),
              account.batchSize(),
              ArchiveSettings.DEFAULT_BATCH_BYTES);
      return new ArchiveRun(
              settings,
              Clock.systemUTC(),
              common.pop3Log(err),
              stop,
              note -> common.notice(err, note))
          .withProgress(progress.forAccount(account.name()))
          .withInfo(common.info(err));
    } catch (ConfigException e) {
      throw new PopvaultException(ExitCode.CONFIG, e.getMessage(), e);
    } catch (IllegalArgumentException e) {
      throw new PopvaultException(ExitCode.USAGE, e.getMessage(), e);
    }
  }
}
