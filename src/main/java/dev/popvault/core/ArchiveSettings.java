package dev.popvault.core;

import dev.popvault.archive.Codec;
import dev.popvault.config.PasswordSource;
import dev.popvault.pop3.AuthMethod;
import dev.popvault.pop3.Pop3Settings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * Describes one account's archive run: where the mail comes from, how to log in, and where it goes.
 *
 * @param accountName the ledger's and archive directory's name for the account (default {@code
 *     user@host})
 * @param nameGiven the user named the account ({@code --account}, an accounts-file table); false if
 *     {@code accountName} was derived from the URL, so a known mailbox keeps its existing account
 * @param password the password, or with {@code oauth} the source of the OAuth2 access token
 * @param oauth log in with an OAuth2 mechanism (two-step form) instead of {@code auth}
 * @param codecGiven the user chose {@code codec}; otherwise an account keeps the codec of its
 *     current archive file, and {@code codec} (the default) is for new accounts
 * @param delete the run deletes archived messages from the server once they are due
 * @param keep how long a message stays on the server after it was first archived ({@link
 *     Retention}); {@link Duration#ZERO} with {@code delete}: as soon as it is archived
 * @param limits what one run fetches at most, and how often it QUITs and logs in again
 * @param noUidl list messages by a hash of their headers ({@link HeaderKeys}) instead of UIDL; such
 *     a run never deletes
 * @param batchMessages a frame is finished, verified and committed after this many messages
 * @param batchBytes ... or after this many wire bytes (by LIST size), whichever comes first
 */
record ArchiveSettings(
    String accountName,
    boolean nameGiven,
    Pop3Settings server,
    String user,
    PasswordSource password,
    AuthMethod auth,
    OAuthMechanism oauth,
    Path archiveDir,
    Path ledgerFile,
    Codec codec,
    boolean codecGiven,
    boolean delete,
    Duration keep,
    RunLimits limits,
    boolean noUidl,
    int batchMessages,
    long batchBytes) {
  ArchiveSettings {
    Objects.requireNonNull(accountName, "accountName");
    Objects.requireNonNull(server, "server");
    Objects.requireNonNull(user, "user");
    Objects.requireNonNull(password, "password");
    Objects.requireNonNull(auth, "auth");
    Objects.requireNonNull(oauth, "oauth");
    Objects.requireNonNull(archiveDir, "archiveDir");
    Objects.requireNonNull(ledgerFile, "ledgerFile");
    Objects.requireNonNull(codec, "codec");
    Objects.requireNonNull(keep, "keep");
    Objects.requireNonNull(limits, "limits");
    if (noUidl && delete) {
      throw new IllegalArgumentException("no-uidl never deletes");
    }
    if (batchMessages < 1 || batchBytes < 1) {
      throw new IllegalArgumentException("batch limits must be positive");
    }
  }

  /**
   * Default frame size: small enough that an interrupted run re-downloads little, large enough to
   * compress well.
   */
  static final int DEFAULT_BATCH_MESSAGES = 500;

  static final long DEFAULT_BATCH_BYTES = 32L << 20;
}
