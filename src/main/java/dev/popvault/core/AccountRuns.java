package dev.popvault.core;

import dev.popvault.archive.Codec;
import dev.popvault.config.AccountConfig;
import dev.popvault.config.ConfigException;
import dev.popvault.config.PasswordSource;
import dev.popvault.pop3.AuthMethod;
import dev.popvault.pop3.Pop3Settings;
import dev.popvault.pop3.TlsTrust;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Locale;
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

  private static Pop3Settings server(AccountConfig account, int pipelineWindow) {
    return new Pop3Settings(
        account.url().host(),
        account.url().port(),
        account.url().implicitTls(),
        account.allowPlaintext(),
        new TlsTrust(account.caFile(), account.fingerprint()),
        Duration.ofSeconds(account.connectTimeout()),
        Duration.ofSeconds(account.timeout()),
        pipelineWindow);
  }

  /**
   * Prepares an archive run of {@code account}.
   *
   * @param dialogue receives each POP3 line (direction "C" or "S", secrets already redacted); for
   *     {@code -vv}
   * @throws ConfigException for an unusable password source (every value of {@code account} was
   *     validated when it was resolved)
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
    Pop3Settings pop3 = server(account, pipelineWindow);
    OAuthMechanism oauth =
        switch (account.auth()) {
          case "xoauth2" -> OAuthMechanism.XOAUTH2;
          case "oauthbearer" -> OAuthMechanism.OAUTHBEARER;
          default -> OAuthMechanism.NONE;
        };
    PasswordSource secret =
        oauth != OAuthMechanism.NONE
            ? PasswordSource.tokenCommand(account.tokenCommand(), COMMAND_TIMEOUT)
            : PasswordSource.choose(
                account.password(),
                account.passwordFile(),
                account.passwordCommand(),
                COMMAND_TIMEOUT,
                System.getenv(),
                System.console(),
                PasswordSource.promptFor(
                    account.url().user(),
                    account.url().host(),
                    account.nameGiven() ? account.name() : null));
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
        account.delete() || account.keepDays() != null,
        account.keepDays() == null ? Duration.ZERO : Duration.ofDays(account.keepDays()),
        new RunLimits(
            orZero(account.maxSize()),
            orZero(account.maxMessages()),
            orZero(account.maxBytes()),
            orZero(account.checkpoint()),
            account.untilDone()),
        account.noUidl(),
        account.batchSize(),
        ArchiveSettings.DEFAULT_BATCH_BYTES);
  }

  private static long orZero(Long value) {
    return value == null ? 0 : value;
  }

  private static int orZero(Integer value) {
    return value == null ? 0 : value;
  }

  /**
   * Prepares a listing of the mailbox of {@code account} ({@code list}): the same session as an
   * archive run, which fetches and deletes nothing.
   *
   * @param dialogue as for {@link #archiveRun}
   * @throws ConfigException for an unusable password source
   */
  public static ServerList serverList(
      AccountConfig account,
      int pipelineWindow,
      Clock clock,
      BiConsumer<String, String> dialogue,
      Consumer<String> notices,
      Consumer<String> info)
      throws ConfigException {
    return new ServerList(
        settings(account, pipelineWindow), clock, dialogue::accept, notices, info);
  }

  /**
   * Prepares a deletion of chosen messages from the mailbox of {@code account} ({@code delete}),
   * through the same session and deletion gate as an archive run.
   *
   * @param dialogue as for {@link #archiveRun}
   * @throws ConfigException for an unusable password source
   */
  public static ServerDelete serverDelete(
      AccountConfig account,
      int pipelineWindow,
      Clock clock,
      BiConsumer<String, String> dialogue,
      StopRequest stop,
      Consumer<String> notices,
      Consumer<String> info)
      throws ConfigException {
    return new ServerDelete(
        settings(account, pipelineWindow), clock, dialogue::accept, stop, notices, info);
  }

  /**
   * Probes the server of {@code account} without logging in (see {@link Probe}), with the same
   * trust and timeouts as an archive run, and hands each line of its report to {@code lines}.
   */
  public static void probe(
      AccountConfig account, BiConsumer<String, String> dialogue, Consumer<String> lines) {
    Probe.run(server(account, 1), dialogue::accept, lines);
  }
}
