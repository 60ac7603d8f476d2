package dev.popvault.cli;

import dev.popvault.config.AccountConfig;
import dev.popvault.config.ConfigException;
import dev.popvault.config.ConfigFile;
import dev.popvault.config.ConfigFile.Setting;
import dev.popvault.core.AccountRuns;
import dev.popvault.core.ArchiveRun;
import dev.popvault.core.ExitCode;
import dev.popvault.core.PopvaultException;
import dev.popvault.core.StopRequest;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns command-line targets (account names or URLs) and the accounts file into account settings,
 * and account settings into runs: shared by {@code archive} and {@code verify --repair}, so that
 * both reach an account the same way.
 */
final class AccountSetup {
  private AccountSetup() {}

  /** Turns the arguments (or every account of the file) into validated account settings. */
  static List<AccountConfig> resolve(
      ConfigFile file,
      CommonOptions common,
      List<String> targets,
      String accountName,
      Map<String, Setting> overrides)
      throws ConfigException {
    Path defaultArchiveDir = common.archiveDir(ConfigFile.empty());
    List<String> names = new ArrayList<>(targets);
    if (names.isEmpty()) {
      if (file.accounts().isEmpty()) {
        throw new PopvaultException(
            ExitCode.USAGE,
            "nothing to archive: give a URL or account names, or list accounts in "
                + (file.file() != null ? file.file() : ConfigFile.defaultPath(System.getenv())));
      }
      names.addAll(file.accounts().keySet());
    }
    if (accountName != null && names.size() > 1) {
      throw new PopvaultException(
          ExitCode.USAGE, "--account names one account; it cannot rename several");
    }
    List<AccountConfig> accounts = new ArrayList<>();
    for (String target : names) {
      List<Map<String, Setting>> layers = new ArrayList<>();
      layers.add(file.defaults());
      String name;
      if (target.contains("://")) {
        layers.add(Map.of("url", new Setting("url", target, ConfigFile.COMMAND_LINE)));
        name = null;
      } else if (file.accounts().containsKey(target)) {
        layers.add(file.accounts().get(target));
        name = target;
      } else {
        throw new PopvaultException(
            ExitCode.CONFIG,
            "unknown account '"
                + target
                + "': not a URL and not a table in "
                + (file.file() != null ? file.file() : "the accounts file (none found)"));
      }
      Map<String, Setting> commandLine = new LinkedHashMap<>(overrides);
      put(commandLine, "account", accountName);
      layers.add(commandLine);
      accounts.add(AccountConfig.resolve(name, layers, defaultArchiveDir));
    }
    return accounts;
  }

  static void put(Map<String, Setting> layer, String key, Object value) {
    if (value != null) {
      layer.put(
          key,
          new Setting(
              key, value instanceof Path p ? p.toString() : value, ConfigFile.COMMAND_LINE));
    }
  }

  /** Builds the run of one account (progress not set). */
  static ArchiveRun newRun(
      AccountConfig account,
      CommonOptions common,
      int pipelineWindow,
      StopRequest stop,
      PrintWriter err,
      Clock clock)
      throws ConfigException {
    return AccountRuns.archiveRun(
            account,
            pipelineWindow,
            clock,
            common.dialogueLog(err),
            stop,
            note -> common.notice(err, note))
        .withInfo(common.info(err));
  }
}
