package dev.popvault.core;

import dev.popvault.archive.ArchiveLayout;
import dev.popvault.archive.ArchiveRoot;
import dev.popvault.archive.Codec;
import dev.popvault.config.ConfigException;
import dev.popvault.config.PasswordSource;
import dev.popvault.ledger.Ledger;
import dev.popvault.ledger.LedgerException;
import dev.popvault.pop3.Pop3Client;
import dev.popvault.pop3.Pop3Log;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.function.Consumer;

/**
 * The mailbox session use case: the account's places (M9), its ledger row under its lock, and a
 * logged-in POP3 session with the mailbox listing. Connecting overlaps opening the ledger, but
 * credentials go out only once the ledger accepted the account ({@link AccountBinding}) and its
 * directory was checked: a refused run never logs in. M6: the password is wiped after login.
 *
 * <p>Every command that works on one mailbox (archive, verify --repair, and later list, delete,
 * retention) opens it here, then takes {@link #await()} and ends the session itself: QUIT (through
 * {@link DeletionGate} when it deletes) or close without QUIT.
 */
final class MailboxSession implements AutoCloseable {
  /** A logged-in client and what it listed. */
  record Connected(Pop3Client client, MailboxListing listing) {}

  private final ArchiveSettings settings;
  private final Pop3Log log;
  private final Consumer<String> info;
  private final CompletableFuture<Void> accountBound = new CompletableFuture<>();
  private SessionOpener opener;
  private Ledger ledger;
  private AccountLock lock;
  private RunPlaces places;
  private String accountName;
  private String dirName;
  private long accountId;
  private boolean createdHere;
  // Set on the login thread, read when the session closes.
  private volatile boolean loggedIn;
  private Codec codec;
  private Clock clock;
  // A password typed at the prompt, kept (and wiped at close) only when the run logs in again
  // (checkpoint, until-done): asking twice would be worse. Other sources are read again.
  private char[] retained;

  private MailboxSession(ArchiveSettings settings, Pop3Log log, Consumer<String> info) {
    this.settings = settings;
    this.log = log;
    this.info = info;
  }

  /**
   * Opens the account: checks the places, starts connecting, opens the ledger, binds the account
   * under its lock and picks the codec for new mail; then lets the login go ahead.
   */
  static MailboxSession open(
      ArchiveSettings settings,
      Clock clock,
      Pop3Log log,
      Consumer<String> notices,
      Consumer<String> info)
      throws IOException {
    MailboxSession session = new MailboxSession(settings, log, info);
    try {
      session.bind(clock, notices);
      return session;
    } catch (IOException | RuntimeException | Error e) {
      session.close();
      throw e;
    }
  }

  private void bind(Clock clock, Consumer<String> notices) throws IOException {
    this.clock = clock;
    // The name was validated when the account was resolved (config.AccountConfig).
    String requestedDir = ArchiveLayout.safeDirName(settings.accountName());
    places = RunPlaces.open(settings.archiveDir(), settings.ledgerFile(), notices);
    // A link leading outside the directory this run would write to is refused before the server or
    // the ledger is touched (the account the ledger picks is checked again under its lock).
    places.check(
        ArchiveLayout.relativeFileFor(requestedDir, settings.codec(), clock.instant()).getParent());
    opener = SessionOpener.start(() -> login(readPassword()));
    ledger = Ledger.open(places.ledger());
    AccountBinding.Request request =
        new AccountBinding.Request(
            settings.accountName(),
            settings.nameGiven(),
            settings.server().host(),
            settings.server().port(),
            settings.user());
    AccountBinding.Plan plan = AccountBinding.plan(ledger, request, settings.archiveDir());
    accountName = plan.name();
    dirName = ArchiveLayout.safeDirName(accountName);
    lock = places.lock(dirName, accountName);
    accountId = plan.apply(ledger, request);
    createdHere = plan.decision() instanceof AccountBinding.Create;
    if (plan.decision() instanceof AccountBinding.Move) {
      // The user named the account for this port: a -v line, not a notice on every port change.
      info.accept(
          "account \"" + accountName + "\" now archives " + request.mailbox() + " (port changed)");
    } else if (!accountName.equals(settings.accountName())) {
      info.accept(request.mailbox() + " is archived as account \"" + accountName + "\"");
    }
    refuseEarlyLogin();
    codec = chooseCodec();
    // A link leading outside the account's current directory is refused before login.
    places.check(ArchiveLayout.relativeFileFor(dirName, codec, clock.instant()).getParent());
    accountBound.complete(null);
  }

  /**
   * Stops a run that comes before the server allows the next login (RFC 2449 LOGIN-DELAY, as the
   * server announced at the last login): exit 75 at once, saying when it is allowed.
   */
  private void refuseEarlyLogin() throws IOException {
    Optional<Instant> next = ledger.nextLoginAllowed(accountId);
    Instant now = clock.instant();
    if (next.isPresent() && next.get().isAfter(now)) {
      long wait = Duration.between(now, next.get()).toSeconds() + 1;
      throw new PopvaultException(
          ExitCode.TEMPORARY,
          settings.server().host()
              + " asks for a pause between logins (LOGIN-DELAY); the next login is allowed at "
              + next.get().truncatedTo(ChronoUnit.SECONDS)
              + ", in "
              + wait
              + " s; nothing was done");
    }
  }

  /** The codec for new mail: the user's choice, else the one of the account's current file. */
  private Codec chooseCodec() throws IOException {
    String current = ledger.currentCodec(accountId);
    Codec chosen = settings.codec();
    if (current == null || current.equals(chosen.cliName())) {
      return chosen;
    }
    if (settings.codecGiven()) {
      info.accept(
          accountName
              + ": codec "
              + chosen.cliName()
              + " chosen; new mail goes to a new "
              + chosen.fileSuffix()
              + " file (the current file is "
              + current
              + ")");
      return chosen;
    }
    // Without an explicit choice the month's file continues instead of a second file beside it.
    info.accept(accountName + ": keeping codec " + current + " of the current archive file");
    return Codec.parse(current);
  }

  private synchronized char[] readPassword() {
    if (retained != null) {
      return retained.clone();
    }
    try {
      char[] password = settings.password().read();
      if (settings.limits().loginsAgain()
          && settings.password() instanceof PasswordSource.FromPrompt) {
        retained = password.clone();
      }
      return password;
    } catch (ConfigException e) {
      // On the connecting thread: carried to the run as the one failure map words it.
      throw Failures.translate(e);
    }
  }

  /**
   * Connects, logs in and lists the mailbox, on {@link SessionOpener}'s thread while the ledger
   * opens. Logs in only after the account is bound. M6: wipes the password whatever happens.
   */
  private SessionOpener.Session login(char[] password) throws IOException {
    Pop3Client client;
    try {
      client = Pop3Client.connect(settings.server(), log);
    } catch (IOException | RuntimeException | Error e) {
      Arrays.fill(password, '\0');
      throw e;
    }
    try {
      try {
        awaitAccount(accountBound);
        if (!settings.noUidl()) {
          client.listWithLogin();
        }
        switch (settings.oauth()) {
          case XOAUTH2 -> client.loginXoauth2(settings.user(), password, true);
          case OAUTHBEARER -> client.loginOauthbearer(settings.user(), password, true);
          case NONE -> client.login(settings.user(), password, settings.auth());
        }
      } finally {
        Arrays.fill(password, '\0');
      }
      loggedIn = true;
      ledger.recordLogin(
          accountId,
          clock.instant(),
          client.loginDelaySeconds().isPresent() ? client.loginDelaySeconds().getAsInt() : null);
      info.accept(
          accountName
              + ": logged in to "
              + settings.server().host()
              + ":"
              + settings.server().port()
              + client
                  .tlsSession()
                  .map(t -> " (" + t.getProtocol() + ", " + t.getCipherSuite() + ")")
                  .orElse(" (no TLS)")
              + (client.pipelining() ? ", pipelining" : ", lock-step")
              + (client.utf8Enabled() ? ", UTF-8 mode" : ""));
      return new SessionOpener.Session(
          client, settings.noUidl() ? HeaderKeys.listing(client) : client.listing());
    } catch (IOException | RuntimeException | Error e) {
      client.close();
      throw e;
    }
  }

  /**
   * A run that created the account and never logged in leaves no account behind (nor its failed
   * run): status, history and verify then know only mailboxes that were reached. Best effort: a
   * ledger that cannot be written keeps the row, which the next successful run uses.
   */
  private void forgetIfNeverLoggedIn() {
    if (createdHere && !loggedIn && ledger != null) {
      try {
        if (ledger.forgetUnusedAccount(accountId)) {
          info.accept(accountName + ": never logged in; the new account is not kept");
        }
      } catch (LedgerException | RuntimeException e) {
        info.accept(accountName + ": could not remove the unused account: " + e.getMessage());
      }
    }
  }

  /** Waits until the account is bound; a refused or failed run cancels the login. */
  private static void awaitAccount(Future<Void> accountBound) throws IOException {
    try {
      accountBound.get();
    } catch (CancellationException | ExecutionException e) {
      throw new IOException("the run ended before logging in", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted before logging in", e);
    }
  }

  /**
   * Waits for the login and the listing; the caller owns (and ends) the client from then on.
   *
   * @throws Pop3Exception if UIDL and LIST disagree (see {@link MailboxListing#of})
   */
  Connected await() throws IOException {
    SessionOpener.Session session = opener.await();
    try {
      return new Connected(session.client(), MailboxListing.of(session.listing()));
    } catch (IOException | RuntimeException e) {
      session.client().close();
      throw e;
    }
  }

  /**
   * Logs in again for the next session of the same run ({@code checkpoint}, {@code until-done}):
   * same account, same lock; the password source is read again (a typed password was kept).
   */
  Connected reconnect() throws IOException {
    SessionOpener.Session session = login(readPassword());
    try {
      return new Connected(session.client(), MailboxListing.of(session.listing()));
    } catch (IOException | RuntimeException e) {
      session.client().close();
      throw e;
    }
  }

  Ledger ledger() {
    return ledger;
  }

  ArchiveRoot root() {
    return places.archive();
  }

  long accountId() {
    return accountId;
  }

  /** The account's name in the ledger (may differ from the requested one, see AccountBinding). */
  String accountName() {
    return accountName;
  }

  /** The account's directory name below the archive directory. */
  String dirName() {
    return dirName;
  }

  /** The codec for new mail (chosen under the lock). */
  Codec codec() {
    return codec;
  }

  /**
   * Cancels a login that has not happened, closes a session nobody took (without QUIT), then frees
   * the lock and closes the ledger.
   */
  @Override
  public void close() {
    accountBound.cancel(false);
    synchronized (this) {
      if (retained != null) {
        Arrays.fill(retained, '\0');
        retained = null;
      }
    }
    if (opener != null) {
      opener.close();
    }
    try {
      forgetIfNeverLoggedIn();
      if (lock != null) {
        lock.close();
      }
    } finally {
      if (ledger != null) {
        ledger.close();
      }
    }
  }
}
