package dev.popvault.core;

import dev.popvault.archive.ArchiveLayout;
import dev.popvault.archive.ArchiveReader;
import dev.popvault.archive.Codec;
import dev.popvault.archive.ExpectedFrame;
import dev.popvault.archive.VerifyReport;
import dev.popvault.ledger.ArchiveFileRow;
import dev.popvault.ledger.Ledger;
import dev.popvault.ledger.LostMessage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.function.Consumer;

/**
 * Audits archives against the ledger: decodes every committed frame from disk, recomputes each
 * message's SHA-256 and length, and reports missing files, truncation, extra or missing messages.
 * Read-only; it takes each account's lock so that it never races an archive run's uncommitted tail.
 */
public final class VerifyRun {
  private final Path archiveDir;
  private final Path ledgerFile;
  private final Consumer<String> notices;

  /** Prepares a verify that drops notices. */
  public VerifyRun(Path archiveDir, Path ledgerFile) {
    this(archiveDir, ledgerFile, text -> {});
  }

  /**
   * Prepares a verify.
   *
   * @param notices receives one-line notices for the user (e.g. a mode made private)
   */
  public VerifyRun(Path archiveDir, Path ledgerFile, Consumer<String> notices) {
    this.archiveDir = archiveDir;
    this.ledgerFile = ledgerFile;
    this.notices = notices;
  }

  /** Outcome of a verify: counts and one line per problem. */
  public record Outcome(
      int accounts,
      int files,
      int frames,
      int messages,
      List<String> problems,
      List<String> damagedAccounts,
      List<String> notes,
      List<AccountCheck> checked) {
    /** Tells whether everything checked out. */
    public boolean ok() {
      return problems.isEmpty();
    }

    /** Formats the one-line summary. */
    public String summaryLine() {
      return String.format(
          "verified %d account(s), %d file(s), %d frame(s), %d message(s): %s",
          accounts, files, frames, messages, ok() ? "OK" : problems.size() + " problem(s)");
    }
  }

  /**
   * What verify found for one account: files, frames and messages checked, and one line per problem
   * (empty when its archive agrees with the ledger).
   */
  public record AccountCheck(
      String account, int files, int frames, int messages, List<String> problems) {
    /** Copies the problem list. */
    public AccountCheck {
      problems = List.copyOf(problems);
    }
  }

  /**
   * Verifies the named accounts, or all accounts of the ledger when {@code accounts} is empty.
   *
   * @throws PopvaultException 78 for an unknown account, 74/75/65 for ledger trouble
   */
  public Outcome execute(List<String> accounts) {
    if (!Files.exists(ledgerFile)) {
      throw new PopvaultException(
          ExitCode.CONFIG, "no ledger at " + ledgerFile + " (nothing archived yet?)");
    }
    RunPlaces places = RunPlaces.open(archiveDir, ledgerFile, notices);
    try (Ledger ledger = Ledger.open(places.ledger())) {
      List<String> names = accounts.isEmpty() ? ledger.accountNames() : accounts;
      int files = 0;
      int frames = 0;
      int messages = 0;
      List<String> problems = new ArrayList<>();
      List<String> damaged = new ArrayList<>();
      List<String> notes = new ArrayList<>();
      List<AccountCheck> checked = new ArrayList<>();
      for (String name : names) {
        int problemsBefore = problems.size();
        int filesBefore = files;
        int framesBefore = frames;
        int messagesBefore = messages;
        OptionalLong id = ledger.findAccount(name);
        if (id.isEmpty()) {
          throw new PopvaultException(
              ExitCode.CONFIG, "unknown account " + name + " in " + ledgerFile);
        }
        String dirName = ArchiveLayout.safeDirName(name);
        try (AccountLock lock = places.lock(dirName, name)) {
          // A repair that the ledger records but an interrupted run did not rename into place.
          ArchiveRepair.finishPending(places.archive(), ledger, id.getAsLong(), notes::add);
          for (ArchiveFileRow row : ledger.archiveFiles(id.getAsLong())) {
            Path path = archiveDir.resolve(row.relativePath());
            List<ExpectedFrame> expected = ArchiveRepair.expected(ledger.frames(row.id()));
            files++;
            if (!Files.exists(path)) {
              if (row.committedLength() > 0) {
                problems.add(
                    path + ": missing (ledger records " + row.committedLength() + " bytes)");
              }
              continue;
            }
            VerifyReport report =
                ArchiveReader.verify(
                    path, Codec.parse(row.codec()), row.committedLength(), expected);
            frames += report.framesChecked();
            messages += report.messagesChecked();
            problems.addAll(report.problems());
          }
          List<LostMessage> lost = ledger.lostMessages(id.getAsLong());
          if (!lost.isEmpty()) {
            notes.add(
                name
                    + ": "
                    + lost.size()
                    + " message(s) are recorded as lost (damaged here and gone from the server),"
                    + " the latest: "
                    + lost.get(lost.size() - 1).describe());
          }
        }
        if (problems.size() > problemsBefore) {
          damaged.add(name);
        }
        checked.add(
            new AccountCheck(
                name,
                files - filesBefore,
                frames - framesBefore,
                messages - messagesBefore,
                problems.subList(problemsBefore, problems.size())));
      }
      return new Outcome(names.size(), files, frames, messages, problems, damaged, notes, checked);
    } catch (IOException e) {
      throw Failures.ofIo(e);
    }
  }
}
