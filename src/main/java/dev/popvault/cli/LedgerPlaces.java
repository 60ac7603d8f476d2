package dev.popvault.cli;

import dev.popvault.config.AccountConfig;
import dev.popvault.config.ConfigException;
import dev.popvault.config.ConfigFile;
import dev.popvault.config.ConfigFile.Value;
import dev.popvault.config.RunSettings;
import dev.popvault.core.ArchivePlace;
import dev.popvault.core.Directories;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Where the accounts that {@code status} and {@code history} report on live: every account of the
 * run's default ledger, and each account of the accounts file in its own archive directory and
 * ledger; or, when names are given, just those.
 */
final class LedgerPlaces {
  /** An archive directory and its ledger, with the account names to read there (empty: all). */
  record Place(Path archiveDir, Path ledger, List<String> names) {}

  private final Map<List<Path>, Place> places = new LinkedHashMap<>();
  private final Map<String, AccountConfig> accounts = new LinkedHashMap<>();

  static LedgerPlaces of(
      ConfigFile file, RunSettings run, Map<String, Value> commandLine, List<String> names)
      throws ConfigException {
    LedgerPlaces result = new LedgerPlaces();
    Path archiveDir = run.archiveDir();
    Path ledger = CommonOptions.ledger(run);
    if (names.isEmpty()) {
      result.places.put(List.of(archiveDir, ledger), new Place(archiveDir, ledger, List.of()));
    }
    for (String name : names.isEmpty() ? file.accounts().keySet() : names) {
      if (file.accounts().containsKey(name)) {
        AccountConfig account = AccountSetup.resolveOne(file, name, commandLine);
        result.accounts.put(account.name(), account);
        Path own =
            account.ledger() != null
                ? account.ledger()
                : Directories.defaultLedger(account.archiveDir());
        result.add(account.archiveDir(), own, account.name(), names.isEmpty());
      } else {
        result.add(archiveDir, ledger, name, false);
      }
    }
    return result;
  }

  private void add(Path archiveDir, Path ledger, String name, boolean everything) {
    Place place = places.get(List.of(archiveDir, ledger));
    if (place != null && place.names().isEmpty() && everything) {
      return; // Already read whole.
    }
    if (place == null) {
      place = new Place(archiveDir, ledger, new ArrayList<>());
      places.put(List.of(archiveDir, ledger), place);
    }
    if (!place.names().isEmpty() || !everything) {
      place.names().add(name);
    }
  }

  List<Place> places() {
    return List.copyOf(places.values());
  }

  /**
   * Where {@code show}, {@code search} and {@code export} read archived mail: every place, in
   * {@code account} only when it is not null.
   */
  static List<ArchivePlace> archives(CommonOptions common, String account) throws ConfigException {
    ConfigFile file = common.configFile();
    List<ArchivePlace> where = new ArrayList<>();
    LedgerPlaces places =
        of(
            file,
            common.run(file),
            common.commandLine(),
            account == null ? List.of() : List.of(account));
    for (Place p : places.places()) {
      where.add(new ArchivePlace(p.archiveDir(), p.ledger(), account));
    }
    return where;
  }

  /**
   * An account's deletion policy as the accounts file and the command line give it: how long a
   * message stays on the server after it was archived; empty when it does not delete or is not an
   * account of the file.
   */
  Optional<Duration> keep(String name) {
    AccountConfig account = accounts.get(name);
    if (account == null) {
      return Optional.empty();
    }
    if (account.keepDays() != null) {
      return Optional.of(Duration.ofDays(account.keepDays()));
    }
    return account.delete() ? Optional.of(Duration.ZERO) : Optional.empty();
  }
}
