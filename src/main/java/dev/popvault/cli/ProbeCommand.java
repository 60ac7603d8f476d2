package dev.popvault.cli;

import dev.popvault.config.AccountConfig;
import dev.popvault.config.ConfigException;
import dev.popvault.config.ConfigFile;
import dev.popvault.config.ConfigFile.Setting;
import dev.popvault.core.AccountRuns;
import dev.popvault.core.ExitCode;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
      paramLabel = "ACCOUNT|URL",
      description =
          "An account of the accounts file, or pop3s://USER@HOST[:PORT] or pop3://USER@HOST[:PORT].")
  String target;

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
  public Integer call() throws ConfigException {
    PrintWriter out = spec.commandLine().getOut();
    Map<String, Setting> layer = new LinkedHashMap<>();
    AccountSetup.put(layer, "ca-file", caFile);
    AccountSetup.put(layer, "fingerprint", fingerprint);
    AccountSetup.put(layer, "allow-plaintext", allowPlaintext ? Boolean.TRUE : null);
    ConfigFile file = common.configFile();
    AccountConfig account = AccountSetup.resolve(file, common, List.of(target), null, layer).get(0);
    AccountRuns.probe(account, common.dialogueLog(spec.commandLine().getErr()))
        .forEach(out::println);
    out.flush();
    return ExitCode.OK;
  }
}
