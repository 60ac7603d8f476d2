package dev.popvault.cli;

import dev.popvault.config.ConfigException;
import dev.popvault.config.ServerUrl;
import dev.popvault.core.AccountRuns;
import dev.popvault.core.ExitCode;
import dev.popvault.core.PopvaultException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** Shows what a POP3 server offers, without logging in. */
@Command(
    name = "probe",
    mixinStandardHelpOptions = true,
    description =
        "Show what a server offers without logging in: greeting, CAPA before and after STLS, TLS version and"
            + " cipher, certificate subject, issuer, expiry and SHA-256 fingerprint, EXPIRE/LOGIN-DELAY, and"
            + " whether UTF8 (RFC 6856) is offered and accepted.",
    footerHeading = "%nExamples:%n",
    footer = {
      "  popvault probe pop3s://alice@mail.example.com",
      "  popvault probe pop3://alice@mail.example.com --ca-file my-ca.pem",
      "",
      "Exit codes:",
      ExitCodeTable.TEXT
    })
final class ProbeCommand implements Callable<Integer> {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Mixin CommonOptions common;

  @Parameters(
      paramLabel = "URL",
      description = "pop3s://USER@HOST[:PORT] or pop3://USER@HOST[:PORT].")
  String url;

  @Option(names = "--ca-file", paramLabel = "PEM", description = "Trust these CA certificates.")
  Path caFile;

  @Option(
      names = "--fingerprint",
      paramLabel = "SHA256",
      description = "Trust exactly this certificate.")
  String fingerprint;

  @Option(names = "--allow-plaintext", description = "Probe a pop3:// server that offers no STLS.")
  boolean allowPlaintext;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    try {
      ServerUrl server = ServerUrl.parse(url);
      AccountRuns.probe(
              server,
              allowPlaintext,
              caFile,
              fingerprint,
              common.dialogueLog(spec.commandLine().getErr()))
          .forEach(out::println);
      out.flush();
      return ExitCode.OK;
    } catch (ConfigException e) {
      throw new PopvaultException(ExitCode.CONFIG, e.getMessage(), e);
    } catch (IllegalArgumentException e) {
      throw new PopvaultException(ExitCode.USAGE, e.getMessage(), e);
    }
  }
}
