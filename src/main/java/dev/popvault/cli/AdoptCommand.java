package dev.popvault.cli;

import dev.popvault.config.AccountConfig;
import dev.popvault.config.ConfigException;
import dev.popvault.config.Setting;
import dev.popvault.core.AdoptState;
import dev.popvault.core.ExitCode;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** Records the UIDLs another tool already downloaded, so that they are not fetched again. */
@Command(
    name = "adopt",
    mixinStandardHelpOptions = true,
    modelTransformer = SettingOptions.class,
    description = {
      "Record the messages another POP3 tool already downloaded for a mailbox (its UIDL state), so"
          + " that the first archive run fetches only what is new. popvault never deletes such a"
          + " message from the server unless it archived the message itself. Reads the file only;"
          + " contacts no server."
    },
    footerHeading = "%nExamples:%n",
    footer = {
      "  popvault adopt --from mpop ~/.mpop_uidls/alice_at_mail.example.com work",
      "  popvault adopt --from fetchmail ~/.fetchids pop3s://alice@mail.example.com",
      "  popvault adopt --from getmail ~/.getmail/oldmail-mail.example.com-995-alice work",
      "  popvault adopt --from thunderbird ~/.thunderbird/x.default/Mail/mail.example.com/popstate.dat work",
      "",
      "Exit codes:",
      ExitCodeTable.TEXT
    })
final class AdoptCommand implements Callable<Integer>, SettingOptions.Taker {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Mixin CommonOptions common;

  @Option(
      names = "--from",
      required = true,
      paramLabel = "TOOL",
      description = "The tool that wrote FILE: mpop, fetchmail, getmail or thunderbird.")
  String tool;

  @Parameters(index = "0", paramLabel = "FILE", description = "The tool's UIDL state file.")
  Path file;

  @Parameters(
      index = "1",
      paramLabel = "ACCOUNT|URL",
      description =
          "An account of the accounts file, or pop3s://USER@HOST[:PORT] or pop3://USER@HOST[:PORT].")
  String target;

  @Override
  public Set<Setting> settings() {
    return SettingOptions.of(SettingOptions.COMMON);
  }

  @Override
  public Integer call() throws ConfigException {
    PrintWriter out = spec.commandLine().getOut();
    AccountConfig account =
        AccountSetup.resolveOne(common.configFile(), target, common.commandLine());
    AdoptState.Result result = AdoptState.run(account, tool, file, Clock.systemUTC());
    if (!common.quiet()) {
      out.printf(
          "%s: %d UIDLs from %s's state, %d new here; the next archive run does not fetch them,"
              + " and popvault never deletes them unless it archives them itself%n",
          result.account(), result.found(), result.tool(), result.added());
    }
    out.flush();
    return ExitCode.OK;
  }
}
