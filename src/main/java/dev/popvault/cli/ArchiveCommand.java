package dev.popvault.cli;

import dev.popvault.archive.Codec;
import dev.popvault.config.ConfigException;
import dev.popvault.config.PasswordSource;
import dev.popvault.config.ServerUrl;
import dev.popvault.core.ArchiveRun;
import dev.popvault.core.ArchiveSettings;
import dev.popvault.core.ExitCode;
import dev.popvault.core.PopvaultException;
import dev.popvault.core.RunReport;
import dev.popvault.core.StopRequest;
import dev.popvault.pop3.AuthMethod;
import dev.popvault.pop3.Pop3Settings;
import dev.popvault.pop3.TlsTrust;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
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
          + " server."
    },
    footerHeading = "%nExamples:%n",
    footer = {
      "  popvault archive pop3s://alice@mail.example.com --password-file ~/.popvault-pass",
      "  popvault archive pop3://bob@mail.example.com --password-command 'pass show mail/bob' --delete -q",
      "  popvault archive pop3s://carol@127.0.0.1:9995 --ca-file my-ca.pem --codec xz",
      "",
      "Exit codes:",
      ExitCodeTable.TEXT
    })
final class ArchiveCommand implements Callable<Integer> {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Mixin CommonOptions common;

  @Parameters(
      arity = "1..*",
      paramLabel = "URL",
      description =
          "pop3s://USER@HOST[:PORT] (TLS, port 995) or pop3://USER@HOST[:PORT] (STLS, port 110).")
  List<String> urls;

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
      names = "--auth",
      paramLabel = "METHOD",
      defaultValue = "auto",
      description =
          "auto (SASL PLAIN if offered, else USER/PASS), user, apop or plain. Default: ${DEFAULT-VALUE}.")
  String auth;

  @Option(
      names = "--account",
      paramLabel = "NAME",
      description = "Name of the account in the ledger and archive (default USER@HOST).")
  String accountName;

  @Option(
      names = "--codec",
      paramLabel = "CODEC",
      defaultValue = "zstd",
      description = "zstd, gzip, xz or none. Default: ${DEFAULT-VALUE}.")
  String codec;

  @Option(
      names = "--delete",
      description =
          "Delete from the server every message that is verified and recorded in the ledger.")
  boolean delete;

  @Option(
      names = "--ca-file",
      paramLabel = "PEM",
      description = "Trust the CA certificate(s) in PEM instead of the system trust store.")
  Path caFile;

  @Option(
      names = "--fingerprint",
      paramLabel = "SHA256",
      description =
          "Trust exactly the server certificate with this SHA-256 fingerprint (see the error of a refused certificate).")
  String fingerprint;

  @Option(
      names = "--allow-plaintext",
      description =
          "Allow pop3:// without STLS: the password then crosses the network in clear text.")
  boolean allowPlaintext;

  @Option(
      names = "--connect-timeout",
      paramLabel = "SECONDS",
      defaultValue = "30",
      description = "Default: ${DEFAULT-VALUE}.")
  int connectTimeout;

  @Option(
      names = "--timeout",
      paramLabel = "SECONDS",
      defaultValue = "120",
      description =
          "Give up when the server does not answer a command for this long. Default: ${DEFAULT-VALUE}.")
  int readTimeout;

  @Option(
      names = "--batch-size",
      paramLabel = "N",
      defaultValue = "" + ArchiveSettings.DEFAULT_BATCH_MESSAGES,
      description =
          "Verify and commit after every N messages (or 32 MiB). Default: ${DEFAULT-VALUE}.")
  int batchSize;

  @Option(names = "--pipeline-window", hidden = true, defaultValue = "32")
  int pipelineWindow;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    StopRequest stop = Signals.installStopHandlers();
    List<Integer> failures = new ArrayList<>();
    for (String url : urls) {
      try {
        RunReport report = newRun(url, stop, err).execute();
        if (!common.quiet) {
          out.println(report.summaryLine());
          out.flush();
        }
      } catch (PopvaultException e) {
        if (urls.size() == 1) {
          throw e;
        }
        err.println("popvault: " + e.getMessage());
        err.flush();
        failures.add(e.exitCode());
      }
      if (stop.requested()) {
        break;
      }
    }
    if (failures.isEmpty()) {
      return ExitCode.OK;
    }
    // mpop's rule: one failure gives its own code; several give "temporary failure".
    return failures.size() == 1 ? failures.get(0) : ExitCode.TEMPORARY;
  }

  private ArchiveRun newRun(String url, StopRequest stop, PrintWriter err) {
    try {
      ServerUrl server = ServerUrl.parse(url);
      Pop3Settings pop3 =
          new Pop3Settings(
              server.host(),
              server.port(),
              server.implicitTls(),
              allowPlaintext,
              new TlsTrust(caFile, fingerprint),
              Duration.ofSeconds(connectTimeout),
              Duration.ofSeconds(readTimeout),
              pipelineWindow);
      PasswordSource password =
          PasswordSource.choose(
              passwordFile,
              passwordCommand,
              Duration.ofSeconds(60),
              System.getenv(),
              System.console());
      Path archiveDir = common.archiveDir();
      ArchiveSettings settings =
          new ArchiveSettings(
              accountName != null ? accountName : server.accountName(),
              pop3,
              server.user(),
              password,
              parseAuth(auth),
              archiveDir,
              common.ledger(archiveDir),
              parseCodec(codec),
              delete,
              batchSize,
              ArchiveSettings.DEFAULT_BATCH_BYTES);
      return new ArchiveRun(
          settings, Clock.systemUTC(), common.pop3Log(err), stop, note -> common.notice(err, note));
    } catch (ConfigException e) {
      throw new PopvaultException(ExitCode.CONFIG, e.getMessage(), e);
    } catch (IllegalArgumentException e) {
      throw new PopvaultException(ExitCode.USAGE, e.getMessage(), e);
    }
  }

  private static AuthMethod parseAuth(String text) {
    try {
      return AuthMethod.valueOf(text.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "unknown --auth '" + text + "': use auto, user, apop or plain");
    }
  }

  private static Codec parseCodec(String text) {
    return Codec.parse(text);
  }
}
