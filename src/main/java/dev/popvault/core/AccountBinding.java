package dev.popvault.core;

import dev.popvault.archive.ArchiveLayout;
import dev.popvault.ledger.AccountRow;
import dev.popvault.ledger.Ledger;
import dev.popvault.ledger.LedgerException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.function.ToLongFunction;
import java.util.stream.Stream;

/**
 * Decides which ledger account a run archives into, so that one mailbox ({@code user@host:port})
 * has one account and is never downloaded a second time under another name.
 *
 * <ul>
 *   <li>A name derived from a URL ({@code user@host}) is only a default: a mailbox the ledger
 *       already knows, under whatever name, is recognised and archived into its account.
 *   <li>A name the user gave ({@code --account}, an accounts-file table) must not start a second
 *       account for a known mailbox: refused with a hint ({@code --account OLD}, {@code rename}).
 *   <li>Another port of the same {@code user@host} is another mailbox, unless the user names the
 *       existing account explicitly: then the account moves to the new port.
 *   <li>Another host or user under an existing name is refused: a different mailbox could reuse
 *       UIDLs of the archived one, and {@code --delete} trusts (UIDL, size).
 *   <li>An account with an unfinished {@code rename}, or its target name, is refused until the
 *       rename is finished: its files may be in either directory.
 * </ul>
 *
 * All refusals happen before any credential is sent; they exit 78.
 */
final class AccountBinding {
  /**
   * Describes the mailbox a run was asked to archive.
   *
   * @param nameGiven true if the user named the account; false if it was derived from the URL
   */
  record Request(String name, boolean nameGiven, String host, int port, String user) {
    String mailbox() {
      return user + "@" + host + ":" + port;
    }
  }

  /** What to do with the ledger's accounts. */
  sealed interface Decision {}

  /** Archive into this existing account. */
  record Use(AccountRow row) implements Decision {}

  /** Archive into this existing account after recording its new port. */
  record Move(AccountRow row) implements Decision {}

  /** Create a new account with the requested name. */
  record Create(String name) implements Decision {}

  /** Refuse the run with this one-line message. */
  record Refuse(String message) implements Decision {}

  /** The account a run will use, once {@link #apply} has run under the account's lock. */
  record Plan(Decision decision, String name) {
    /** Creates or updates the account row as decided and returns its id. */
    long apply(Ledger ledger, Request request) throws LedgerException {
      if (decision instanceof Create create) {
        return ledger.createAccount(create.name(), request.host(), request.port(), request.user());
      }
      AccountRow row = existing(decision);
      if (decision instanceof Move) {
        ledger.moveAccount(row.id(), request.host(), request.port(), request.user());
      }
      return row.id();
    }
  }

  private AccountBinding() {}

  /**
   * Reads the ledger's accounts and decides; refuses (exit 78) when the run would give a known
   * mailbox a second account or the request names an account it does not match.
   *
   * @param archiveDir a new account's directory there must not hold files the ledger does not know
   *     (opening them as new files would cut them to length 0)
   */
  static Plan plan(Ledger ledger, Request request, Path archiveDir) throws IOException {
    Decision decision = decide(ledger.accounts(), request, row -> messageCount(ledger, row));
    if (decision instanceof Refuse refuse) {
      throw new PopvaultException(ExitCode.CONFIG, refuse.message());
    }
    if (decision instanceof Create create) {
      Path dir = archiveDir.resolve(ArchiveLayout.safeDirName(create.name()));
      if (holdsAnything(dir)) {
        throw new PopvaultException(
            ExitCode.CONFIG,
            "archive directory "
                + dir
                + " already holds files, but ledger "
                + ledger.file()
                + " has no account \""
                + create.name()
                + "\"; is this the ledger that goes with it (--ledger)? Otherwise choose another"
                + " name with --account NAME");
      }
    }
    String name = decision instanceof Create create ? create.name() : existing(decision).name();
    return new Plan(decision, name);
  }

  /** Applies the rules of the class comment; pure, for tests. */
  static Decision decide(
      List<AccountRow> rows, Request request, ToLongFunction<AccountRow> messageCount) {
    for (AccountRow row : rows) {
      if (request.name().equals(row.renamingTo())) {
        return unfinishedRename(row);
      }
    }
    AccountRow byName =
        rows.stream().filter(r -> r.name().equals(request.name())).findFirst().orElse(null);
    List<AccountRow> serving =
        rows.stream()
            .filter(r -> r.serves(request.host(), request.port(), request.user()))
            .toList();
    Decision decision;
    if (byName != null && serving.contains(byName)) {
      decision = new Use(byName);
    } else if (!serving.isEmpty()) {
      if (request.nameGiven() || serving.size() > 1) {
        AccountRow other = serving.get(0);
        return new Refuse(
            request.mailbox()
                + " is already archived as account \""
                + other.name()
                + "\" ("
                + messageCount.applyAsLong(other)
                + " messages); run with --account "
                + other.name()
                + (byName == null && serving.size() == 1
                    ? ", or rename it: popvault rename " + other.name() + " " + request.name()
                    : ""));
      }
      decision = new Use(serving.get(0));
    } else if (byName != null) {
      if (!sameUserAndHost(byName, request)) {
        return new Refuse(
            "account \""
                + byName.name()
                + "\" archives "
                + byName.mailbox()
                + ", not "
                + request.mailbox()
                + "; another mailbox needs a name of its own: --account NAME");
      }
      if (!request.nameGiven()) {
        return new Refuse(
            "account \""
                + byName.name()
                + "\" archives "
                + byName.mailbox()
                + "; port "
                + request.port()
                + " counts as another mailbox: name it with --account NAME, or, if it is the same"
                + " mailbox, run with --account "
                + byName.name()
                + " to move the account to port "
                + request.port());
      }
      decision = new Move(byName);
    } else {
      String dir = ArchiveLayout.safeDirName(request.name());
      for (AccountRow row : rows) {
        String other = row.renamingTo() != null ? row.renamingTo() : row.name();
        if (ArchiveLayout.safeDirName(row.name()).equals(dir)
            || ArchiveLayout.safeDirName(other).equals(dir)) {
          return new Refuse(
              "account name \""
                  + request.name()
                  + "\" would share the archive directory "
                  + dir
                  + " with account \""
                  + row.name()
                  + "\"; choose another name with --account NAME");
        }
      }
      return new Create(request.name());
    }
    AccountRow row = existing(decision);
    return row.renamingTo() != null ? unfinishedRename(row) : decision;
  }

  private static AccountRow existing(Decision decision) {
    if (decision instanceof Use use) {
      return use.row();
    }
    if (decision instanceof Move move) {
      return move.row();
    }
    throw new IllegalStateException("no existing account in " + decision);
  }

  private static Refuse unfinishedRename(AccountRow row) {
    return new Refuse(
        "account \""
            + row.name()
            + "\" is being renamed to \""
            + row.renamingTo()
            + "\" and the rename did not finish; finish it first: popvault rename "
            + row.name()
            + " "
            + row.renamingTo());
  }

  private static boolean sameUserAndHost(AccountRow row, Request request) {
    return row.user().equals(request.user())
        && row.host().toLowerCase(Locale.ROOT).equals(request.host().toLowerCase(Locale.ROOT));
  }

  private static long messageCount(Ledger ledger, AccountRow row) {
    try {
      return ledger.messageCount(row.id());
    } catch (LedgerException e) {
      throw new PopvaultException(ExitCode.IO_ERROR, e.getMessage(), e);
    }
  }

  private static boolean holdsAnything(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      return false;
    }
    try (Stream<Path> entries = Files.list(dir)) {
      return entries.findAny().isPresent();
    }
  }
}
