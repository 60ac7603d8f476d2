package dev.popvault.cli;

import dev.popvault.config.AccountConfig;
import dev.popvault.config.ConfigException;
import dev.popvault.config.Setting;
import dev.popvault.core.AccountRuns;
import dev.popvault.core.ExitCode;
import java.io.PrintWriter;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** Shows what a POP3 server offers, without logging in. */
@Command(
    name = "probe",
    mixinStandardHelpOptions = true,
    modelTransformer = SettingOptions.class,
    description =
        "Show what a server offers without logging in: greeting, CAPA before and after STLS, TLS version and"
            + " cipher, certificate subject, issuer, expiry and SHA-256 fingerprint, EXPIRE/LOGIN-DELAY, and"
            + " whether UTF8 (RFC 6856) is offered and accepted. An account of the accounts file is reached"
            + " with its own trust settings and timeouts, as archive would. An untrusted certificate is"
            + " still shown (that is when its fingerprint is needed), then the probe exits 77.",
    footerHeading = "%nExamples:%n",
    footer = {
      "  popvault probe pop3s://mail.example.com",
      "  popvault probe pop3://alice@mail.example.com --ca-file my-ca.pem",
      "  popvault probe work",
      "",
      "Exit codes:",
      ExitCodeTable.TEXT
    })
final class ProbeCommand implements Callable<Integer>, SettingOptions.Taker {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Mixin CommonOptions common;

  @Parameters(
      paramLabel = "ACCOUNT|URL",
      description =
          "An account of the accounts file, or pop3s://[USER@]HOST[:PORT] or"
              + " pop3://[USER@]HOST[:PORT] (probe never logs in, so the user may be left out).")
  String target;

  @Override
  public Set<Setting> settings() {
    return SettingOptions.of(SettingOptions.COMMON, SettingOptions.TRUST);
  }

  @Override
  public Integer call() throws ConfigException {
    PrintWriter out = spec.commandLine().getOut();
    AccountConfig account =
        AccountSetup.resolveOne(common.configFile(), withUser(target), common.commandLine());
    try {
      AccountRuns.probe(account, common.dialogueLog(spec.commandLine().getErr()), out::println);
    } finally {
      out.flush();
    }
    return ExitCode.OK;
  }

  /**
   * A URL without {@code USER@} gets a stand-in user: probe never logs in, so none is needed.
   * Account names and URLs with a user pass unchanged.
   */
  static String withUser(String target) {
    int scheme = target.indexOf("://");
    if (scheme < 0) {
      return target;
    }
    int hostStart = scheme + 3;
    int end = target.indexOf('/', hostStart);
    String authority = end < 0 ? target.substring(hostStart) : target.substring(hostStart, end);
    return authority.contains("@") || authority.isEmpty()
        ? target
        : target.substring(0, hostStart) + "probe@" + target.substring(hostStart);
  }
}
