package dev.popvault.cli;

import dev.popvault.config.AccountConfig;
import dev.popvault.config.ConfigException;
import dev.popvault.config.ConfigFile;
import dev.popvault.config.ConfigFile.Value;
import dev.popvault.config.Setting;
import dev.popvault.core.AccountRuns;
import dev.popvault.core.ArchiveRun;
import dev.popvault.core.Directories;
import dev.popvault.core.ExitCode;
import dev.popvault.core.PopvaultException;
import dev.popvault.core.StopRequest;
import java.io.PrintWriter;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Turns command-line targets (account names or URLs) and the accounts file into account settings,
 * and account settings into runs: every command that names an account ({@code archive}, {@code
 * verify}, {@code probe}) reaches it here, the same way.
 */
final class AccountSetup {
  private AccountSetup() {}

  /**
   * Turns the arguments (or every account of the file) into validated account settings: the file's
   * {@code [defaults]}, the account's table (or the URL), then {@code commandLine} on top.
   */
  static List<AccountConfig> resolve(
      ConfigFile file, List<String> targets, Map<String, Value> commandLine)
      throws ConfigException {
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
    if (commandLine.containsKey(Setting.ACCOUNT.key()) && names.size() > 1) {
      throw new PopvaultException(
          ExitCode.USAGE, "--account names one account; it cannot rename several");
    }
    List<AccountConfig> accounts = new ArrayList<>();
    for (String target : names) {
      accounts.add(resolveOne(file, target, commandLine));
    }
    return accounts;
  }

  /** Resolves one account name of the file, or one URL. */
  static AccountConfig resolveOne(ConfigFile file, String target, Map<String, Value> commandLine)
      throws ConfigException {
    Map<String, Value> table;
    String name;
    if (target.contains("://")) {
      table = Map.of("url", new Value("url", target, ConfigFile.COMMAND_LINE));
      name = null;
    } else if (file.accounts().containsKey(target)) {
      table = file.accounts().get(target);
      name = target;
    } else {
      throw new PopvaultException(
          ExitCode.CONFIG,
          "unknown account '"
              + target
              + "': not a URL and not a table in "
              + (file.file() != null ? file.file() : "the accounts file (none found)"));
    }
    return AccountConfig.resolve(
        name,
        List.of(file.defaults(), table, commandLine),
        Directories.defaultArchiveDir(System.getenv()));
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
