package dev.popvault.core;

import dev.popvault.archive.Codec;
import dev.popvault.config.AccountConfig;
import dev.popvault.config.ConfigException;
import dev.popvault.config.PasswordSource;
import dev.popvault.config.ServerUrl;
import dev.popvault.pop3.AuthMethod;
import dev.popvault.pop3.Pop3Settings;
import dev.popvault.pop3.TlsTrust;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * Turns a resolved account (the accounts file and the command line merged in {@code config}) into
 * the runs and probes of {@code core}, so that commands build no {@code pop3} or {@code archive}
 * types themselves.
 */
public final class AccountRuns {
  private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(60);

  private AccountRuns() {}

  /**
   * Prepares an archive run of {@code account}.
   *
   * @param dialogue receives each POP3 line (direction "C" or "S", secrets already redacted); for
   *     {@code -vv}
   * @throws ConfigException for an unusable password source
   * @throws IllegalArgumentException for an unusable value (codec, auth)
   */
  public static ArchiveRun archiveRun(
      AccountConfig account,
      int pipelineWindow,
      Clock clock,
      BiConsumer<String, String> dialogue,
      StopRequest stop,
      Consumer<String> notices)
      throws ConfigException {
    return new ArchiveRun(
        settings(account, pipelineWindow), clock, dialogue::accept, stop, notices);
  }

  /** Builds the settings of an archive run of {@code account}. */
  static ArchiveSettings settings(AccountConfig account, int pipelineWindow)
      throws ConfigException {
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
                null, null, account.tokenCommand(), COMMAND_TIMEOUT, Map.of(), null)
            : PasswordSource.choose(
                account.password(),
                account.passwordFile(),
                account.passwordCommand(),
                COMMAND_TIMEOUT,
                System.getenv(),
                System.console());
    Path archiveDir = account.archiveDir();
    return new ArchiveSettings(
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
  }

  /**
   * Probes {@code server} without logging in (see {@link Probe}) and returns the lines to print.
   *
   * @param caFile extra CA certificates to trust, or null
   * @param fingerprint the SHA-256 fingerprint to pin, or null
   */
  public static List<String> probe(
      ServerUrl server,
      boolean allowPlaintext,
      Path caFile,
      String fingerprint,
      BiConsumer<String, String> dialogue) {
    Pop3Settings settings =
        new Pop3Settings(
            server.host(),
            server.port(),
            server.implicitTls(),
            allowPlaintext,
            new TlsTrust(caFile, fingerprint),
            Duration.ofSeconds(30),
            Duration.ofSeconds(60),
            1);
    return Probe.run(settings, dialogue::accept);
  }
}
