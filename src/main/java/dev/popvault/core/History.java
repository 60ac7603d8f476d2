package dev.popvault.core;

import dev.popvault.ledger.Ledger;
import dev.popvault.ledger.RunRow;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;
import java.util.OptionalLong;

/** Answers questions about past runs from the ledger (for reports and metrics). */
public final class History {
  private History() {}

  /**
   * Returns when the account's last successful run ended, if the ledger knows one. Never fails:
   * empty on error.
   */
  public static Optional<Instant> lastSuccess(Path ledgerFile, String account) {
    if (!Files.exists(ledgerFile)) {
      return Optional.empty();
    }
    try (Ledger ledger = Ledger.open(ledgerFile)) {
      OptionalLong id = ledger.findAccount(account);
      if (id.isEmpty()) {
        return Optional.empty();
      }
      for (RunRow run : ledger.runs(id.getAsLong(), 1000)) {
        if (run.outcome() != null && "ok".equals(run.outcome().outcome())) {
          return Optional.of(run.outcome().ended());
        }
      }
      return Optional.empty();
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }
}
