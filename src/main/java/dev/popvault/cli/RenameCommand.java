package dev.popvault.cli;

import dev.popvault.config.ConfigException;
import dev.popvault.config.ConfigFile;
import dev.popvault.config.RunSettings;
import dev.popvault.config.Setting;
import dev.popvault.core.ExitCode;
import dev.popvault.core.RenameAccount;
import java.io.PrintWriter;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** Renames an account in the ledger together with its archive directory. */
@Command(
    name = "rename",
    mixinStandardHelpOptions = true,
    modelTransformer = SettingOptions.class,
    description = {
      "Rename an account: its name in the ledger, its archive directory and the recorded path of"
          + " every archive file, so that its mailbox can be archived under the new name without"
          + " being downloaded again. Refused if NEW is an account already or its directory"
          + " exists. If the rename is interrupted, archive runs refuse both names until the same"
          + " rename is run again, which finishes it."
    },
    footerHeading = "%nExamples:%n",
    footer = {
      "  popvault rename alice@mail.example.com work",
      "  popvault archive work      (with [work] url = \"pop3s://alice@mail.example.com\")",
      "",
      "Exit codes:",
      ExitCodeTable.TEXT
    })
final class RenameCommand implements Callable<Integer>, SettingOptions.Taker {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Mixin CommonOptions common;

  @Parameters(index = "0", paramLabel = "OLD", description = "The account's current name.")
  String oldName;

  @Parameters(index = "1", paramLabel = "NEW", description = "Its new name.")
  String newName;

  @Override
  public Set<Setting> settings() {
    return SettingOptions.COMMON;
  }

  @Override
  public Integer call() throws ConfigException {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    ConfigFile file = common.configFile();
    RunSettings run = common.run(file);
    String summary =
        new RenameAccount(run.archiveDir(), CommonOptions.ledger(run), common.info(err))
            .execute(oldName, newName);
    if (!common.quiet()) {
      out.println(summary);
      out.flush();
    }
    return ExitCode.OK;
  }
}
