package dev.popvault.cli;

import dev.popvault.config.ConfigFile;
import dev.popvault.core.ExitCode;
import dev.popvault.core.VerifyRun;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** Re-reads archives and checks every message against the ledger. */
@Command(
    name = "verify",
    mixinStandardHelpOptions = true,
    description = {
      "Decode every archive frame from disk and check each message's SHA-256 and length against the ledger."
          + " Exits 65 on any mismatch, naming the file, frame and message."
    },
    footerHeading = "%nExamples:%n",
    footer = {
      "  popvault verify",
      "  popvault verify alice@mail.example.com --archive-dir ~/mail",
      "",
      "Exit codes:",
      ExitCodeTable.TEXT
    })
final class VerifyCommand implements Callable<Integer> {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Mixin CommonOptions common;

  @Parameters(
      arity = "0..*",
      paramLabel = "ACCOUNT",
      description = "Accounts to check (default: all in the ledger).")
  List<String> accounts = new ArrayList<>();

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    ConfigFile file = common.configFile();
    Path archiveDir = common.archiveDir(file);
    VerifyRun.Outcome outcome =
        new VerifyRun(archiveDir, common.ledger(file, archiveDir), note -> common.notice(err, note))
            .execute(accounts);
    for (String problem : outcome.problems()) {
      err.println("popvault: " + problem);
    }
    err.flush();
    if (!common.quiet || !outcome.ok()) {
      out.println(outcome.summaryLine());
      out.flush();
    }
    return outcome.ok() ? ExitCode.OK : ExitCode.DATA_ERROR;
  }
}
