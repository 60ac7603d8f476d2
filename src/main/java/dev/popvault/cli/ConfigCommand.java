package dev.popvault.cli;

import dev.popvault.config.AccountConfig;
import dev.popvault.config.ConfigException;
import dev.popvault.config.ConfigFile;
import dev.popvault.config.Setting;
import dev.popvault.core.ExitCode;
import dev.popvault.core.PopvaultException;
import java.io.PrintWriter;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Spec;

/** Groups commands about the accounts file. */
@Command(
    name = "config",
    mixinStandardHelpOptions = true,
    description = "Inspect the accounts file.",
    subcommands = ConfigCommand.Check.class)
final class ConfigCommand implements Runnable {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** Validates the accounts file and prints every account's effective settings, secrets masked. */
  @Command(
      name = "check",
      mixinStandardHelpOptions = true,
      modelTransformer = SettingOptions.class,
      description =
          "Validate the accounts file and print the effective settings (secrets masked), each"
              + " with where it came from: FILE:LINE, command line, or default.",
      footerHeading = "%nExamples:%n",
      footer = {"  popvault config check", "  popvault config check --config ~/popvault.toml"})
  static final class Check implements Callable<Integer>, SettingOptions.Taker {
    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Mixin CommonOptions common;

    @Override
    public Set<Setting> settings() {
      return SettingOptions.COMMON;
    }

    @Override
    public Integer call() throws ConfigException {
      PrintWriter out = spec.commandLine().getOut();
      ConfigFile file = common.configFile();
      if (file.file() == null) {
        throw new PopvaultException(
            ExitCode.CONFIG,
            "no accounts file at " + ConfigFile.defaultPath(System.getenv()) + " (use --config)");
      }
      out.println("# " + file.file() + ": " + file.accounts().size() + " account(s)");
      List<String> runWide = common.run(file).describe();
      if (!runWide.isEmpty()) {
        out.println("# run-wide");
        runWide.forEach(out::println);
        out.println();
      }
      for (String name : file.accounts().keySet()) {
        AccountConfig account = AccountSetup.resolveOne(file, name, common.commandLine());
        account.describe().forEach(out::println);
        out.println();
      }
      out.flush();
      return ExitCode.OK;
    }
  }
}
