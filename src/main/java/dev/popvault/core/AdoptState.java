package dev.popvault.core;

import dev.popvault.config.AccountConfig;
import dev.popvault.ledger.AccountRow;
import dev.popvault.ledger.Ledger;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

/**
 * The {@code adopt} use case: records the UIDLs another tool downloaded for a mailbox, so that the
 * first archive run fetches only what is new. Adopted messages are never deleted by popvault unless
 * it archives them itself (M10): deletion reads only the archived messages. Contacts no server.
 */
public final class AdoptState {
  /** What was adopted: UIDLs found in the file and how many of them were new to the ledger. */
  public record Result(String account, String tool, int found, int added) {}

  private AdoptState() {}

  /**
   * Reads {@code file} as {@code tool} writes it and records its UIDLs for {@code account},
   * creating the account's ledger row if it has none yet.
   *
   * @throws PopvaultException 64 for an unknown tool, 65 for a file that is not that tool's state
   *     or names another mailbox, 78 when the account's name archives another mailbox
   */
  public static Result run(AccountConfig account, String tool, Path file, Clock clock) {
    ForeignState state = ForeignState.of(tool);
    String host = account.url().host();
    String user = account.url().user();
    int port = account.url().port();
    try {
      Set<String> uidls = state.read(file, host, user);
      Path archiveDir = account.archiveDir();
      Path ledgerFile =
          account.ledger() != null ? account.ledger() : Directories.defaultLedger(archiveDir);
      RunPlaces places = RunPlaces.open(archiveDir, ledgerFile, note -> {});
      try (Ledger ledger = Ledger.open(places.ledger())) {
        long id = accountId(ledger, account.name(), host, port, user);
        int added = ledger.adopt(id, uidls, state.slashAsDash(), state.word(), clock.instant());
        return new Result(account.name(), state.word(), uidls.size(), added);
      }
    } catch (IOException e) {
      throw Failures.ofIo(e);
    } catch (RuntimeException e) {
      throw Failures.ofRuntime(e);
    }
  }

  private static long accountId(Ledger ledger, String name, String host, int port, String user)
      throws IOException {
    OptionalLong id = ledger.findAccount(name);
    if (id.isEmpty()) {
      return ledger.createAccount(name, host, port, user);
    }
    Optional<AccountRow> row =
        ledger.accounts().stream().filter(r -> r.id() == id.getAsLong()).findFirst();
    if (row.isPresent() && !row.get().serves(host, port, user)) {
      throw new PopvaultException(
          ExitCode.CONFIG,
          "account \""
              + name
              + "\" archives "
              + row.get().mailbox()
              + ", not "
              + user
              + "@"
              + host
              + ":"
              + port);
    }
    return id.getAsLong();
  }
}
