package dev.popvault.cli;

import dev.popvault.config.AccountConfig;
import dev.popvault.core.Directories;
import dev.popvault.core.VerifyRun;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Groups the accounts {@code verify} checks by where they live: an account of the accounts file in
 * its own archive directory and ledger, any other name in the run's default place. Verifies each
 * place and sums the outcomes into one.
 */
final class VerifyPlaces {
  /** An archive directory and its ledger. */
  record Place(Path archiveDir, Path ledger) {
    static Place of(AccountConfig account) {
      Path ledger = account.ledger();
      return new Place(
          account.archiveDir(),
          ledger != null ? ledger : Directories.defaultLedger(account.archiveDir()));
    }
  }

  private final Place fallback;

  /** Names per place; an empty list means every account of that ledger. */
  private final Map<Place, List<String>> names = new LinkedHashMap<>();

  /** Verify every account, skipping places without a ledger (unless no place has one). */
  private boolean everything;

  VerifyPlaces(Place fallback) {
    this.fallback = fallback;
  }

  /** Adds a name that is not an account of the accounts file: it lives in the default place. */
  void add(String name) {
    names.computeIfAbsent(fallback, p -> new ArrayList<>()).add(name);
  }

  /** Adds an account of the accounts file (or a URL), in its own place. */
  void add(AccountConfig account) {
    List<String> list = names.computeIfAbsent(Place.of(account), p -> new ArrayList<>());
    if (!everything || !Place.of(account).equals(fallback)) {
      list.add(account.name());
    }
  }

  /** Verifies every account of the default ledger; then {@link #add(AccountConfig)} adds others. */
  void everything() {
    everything = true;
    names.put(fallback, new ArrayList<>());
  }

  /** Verifies every place and returns the sum of their outcomes. */
  VerifyRun.Outcome execute(Consumer<String> notices) {
    Map<Place, List<String>> todo = new LinkedHashMap<>(names);
    if (everything && todo.keySet().stream().anyMatch(p -> Files.exists(p.ledger()))) {
      // An account of the accounts file that was never archived has nothing to verify.
      todo.keySet().removeIf(p -> !Files.exists(p.ledger()));
    }
    List<VerifyRun.Outcome> outcomes = new ArrayList<>();
    todo.forEach(
        (place, list) ->
            outcomes.add(new VerifyRun(place.archiveDir(), place.ledger(), notices).execute(list)));
    return sum(outcomes);
  }

  private static VerifyRun.Outcome sum(List<VerifyRun.Outcome> outcomes) {
    int accounts = 0;
    int files = 0;
    int frames = 0;
    int messages = 0;
    List<String> problems = new ArrayList<>();
    List<String> damaged = new ArrayList<>();
    List<String> notes = new ArrayList<>();
    List<VerifyRun.AccountCheck> checked = new ArrayList<>();
    for (VerifyRun.Outcome o : outcomes) {
      accounts += o.accounts();
      files += o.files();
      frames += o.frames();
      messages += o.messages();
      problems.addAll(o.problems());
      damaged.addAll(o.damagedAccounts());
      notes.addAll(o.notes());
      checked.addAll(o.checked());
    }
    return new VerifyRun.Outcome(
        accounts, files, frames, messages, problems, damaged, notes, checked);
  }
}
