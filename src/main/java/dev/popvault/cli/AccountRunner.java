package dev.popvault.cli;

import dev.popvault.config.AccountConfig;
import dev.popvault.config.ConfigException;
import dev.popvault.core.ArchiveRun;
import dev.popvault.core.Failures;
import dev.popvault.core.PopvaultException;
import dev.popvault.core.StopRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Runs accounts one after another, or N at once. Each account has its own lock, so parallel runs
 * never touch the same mailbox; they may share one ledger (SQLite serialises the commits). A known
 * failure of one account (by {@link Failures}, the same map as the command line's handler) becomes
 * that account's outcome and the others still run; bugs are re-thrown so they keep their stack
 * trace.
 */
final class AccountRunner {
  private AccountRunner() {}

  /** Prepares the run of one account; may fail like the run itself (e.g. no password source). */
  @FunctionalInterface
  interface RunFactory {
    ArchiveRun create(AccountConfig account) throws ConfigException;
  }

  static List<AccountOutcome> runAll(
      List<AccountConfig> accounts,
      int parallel,
      StopRequest stop,
      RunFactory runs,
      Progress progress) {
    if (parallel <= 1 || accounts.size() <= 1) {
      List<AccountOutcome> outcomes = new ArrayList<>();
      for (AccountConfig account : accounts) {
        if (stop.requested()) {
          break;
        }
        outcomes.add(runOne(account, runs));
      }
      return outcomes;
    }
    ExecutorService pool = Executors.newFixedThreadPool(Math.min(parallel, accounts.size()));
    try {
      List<Future<AccountOutcome>> futures = new ArrayList<>();
      for (AccountConfig account : accounts) {
        futures.add(pool.submit(() -> runOne(account, runs)));
      }
      List<AccountOutcome> outcomes = new ArrayList<>();
      for (Future<AccountOutcome> future : futures) {
        try {
          outcomes.add(future.get());
        } catch (ExecutionException e) {
          if (e.getCause() instanceof RuntimeException r) {
            throw r;
          }
          if (e.getCause() instanceof Error error) {
            // An exhausted heap in one account's thread is reported as such (Main), not wrapped.
            throw error;
          }
          throw new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          stop.request("INT");
        }
      }
      return outcomes;
    } finally {
      pool.shutdownNow();
    }
  }

  private static AccountOutcome runOne(AccountConfig account, RunFactory runs) {
    try {
      return new AccountOutcome(account.name(), runs.create(account).execute(), null);
    } catch (ConfigException | RuntimeException e) {
      PopvaultException known = Failures.translate(e);
      if (known == null) {
        throw (RuntimeException) e;
      }
      return new AccountOutcome(account.name(), null, known);
    }
  }
}
