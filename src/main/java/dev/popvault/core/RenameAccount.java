package dev.popvault.core;

import dev.popvault.archive.ArchiveLayout;
import dev.popvault.ledger.AccountRow;
import dev.popvault.ledger.ArchiveFileRow;
import dev.popvault.ledger.Ledger;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.function.Consumer;

/**
 * Renames an account: its name in the ledger, its archive directory and the recorded path of each
 * of its archive files, so that its mailbox can be archived under the new name without being
 * downloaded again.
 *
 * <p>Crash safety: the ledger first records the unfinished rename (archive runs refuse the account
 * and the new name from then on), then the directory moves (one rename(2), its parent forced), then
 * ONE transaction renames the account, rewrites the paths and forgets the unfinished rename. Killed
 * at any point, the ledger says which directory to trust, and running the same {@code rename OLD
 * NEW} again finishes the job. A directory the user already moved by hand is recognised when every
 * file the ledger records is there.
 */
public final class RenameAccount {
  private final Path archiveDir;
  private final Path ledgerFile;
  private final Consumer<String> info;

  /**
   * Prepares a rename.
   *
   * @param info receives what the rename does, step by step (for {@code -v})
   */
  public RenameAccount(Path archiveDir, Path ledgerFile, Consumer<String> info) {
    this.archiveDir = archiveDir;
    this.ledgerFile = ledgerFile;
    this.info = info;
  }

  /**
   * Renames account {@code oldName} to {@code newName} and returns a one-line summary.
   *
   * @throws PopvaultException 64 for an unusable name; 78 for an unknown account, a taken name or
   *     directory, another unfinished rename; 75 if a run holds either account's lock
   */
  public String execute(String oldName, String newName) {
    String oldDir = dirName(oldName);
    String newDir = dirName(newName);
    if (oldName.equals(newName)) {
      throw new PopvaultException(ExitCode.USAGE, "the old and the new name are the same");
    }
    if (!Files.exists(ledgerFile)) {
      throw new PopvaultException(
          ExitCode.CONFIG, "no ledger at " + ledgerFile + " (nothing archived yet?)");
    }
    // M9: the ledger, the locks and the account directories are reached through the boundary.
    RunPlaces places = RunPlaces.open(archiveDir, ledgerFile, info);
    try (AccountLock oldLock = places.lock(oldDir, oldName);
        AccountLock newLock = newDir.equals(oldDir) ? null : places.lock(newDir, newName);
        Ledger ledger = Ledger.open(places.ledger())) {
      List<AccountRow> rows = ledger.accounts();
      AccountRow account = find(rows, oldName);
      if (account == null) {
        throw new PopvaultException(
            ExitCode.CONFIG,
            "no account \""
                + oldName
                + "\" in "
                + ledgerFile
                + (find(rows, newName) != null
                    ? " (\"" + newName + "\" exists: renamed already?)"
                    : ""));
      }
      Path from = archiveDir.resolve(oldDir);
      Path to = archiveDir.resolve(newDir);
      if (account.renamingTo() == null) {
        places.check(Path.of(oldDir));
        // A repair recorded but not renamed into place names paths under the old directory.
        ArchiveRepair.finishPending(places.archive(), ledger, account.id(), info);
        begin(ledger, rows, account, newName, from, to);
      } else if (!account.renamingTo().equals(newName)) {
        throw new PopvaultException(
            ExitCode.CONFIG,
            "account \""
                + oldName
                + "\" has an unfinished rename to \""
                + account.renamingTo()
                + "\"; finish that first: popvault rename "
                + oldName
                + " "
                + account.renamingTo());
      } else {
        info.accept("finishing the interrupted rename of " + oldName + " to " + newName);
      }
      if (!newDir.equals(oldDir)) {
        moveDirectory(from, to);
      }
      ledger.finishRename(account.id());
      return "renamed account \"" + oldName + "\" to \"" + newName + "\" (" + to + ")";
    } catch (IOException e) {
      throw Failures.ofIo(e);
    }
  }

  /** Checks that the new name and directory are free, then records the unfinished rename. */
  private void begin(
      Ledger ledger, List<AccountRow> rows, AccountRow account, String newName, Path from, Path to)
      throws IOException {
    AccountRow taken = find(rows, newName);
    if (taken == null) {
      taken = rows.stream().filter(r -> newName.equals(r.renamingTo())).findFirst().orElse(null);
    }
    if (taken != null) {
      throw new PopvaultException(
          ExitCode.CONFIG, "account \"" + newName + "\" exists already in " + ledgerFile);
    }
    if (!from.equals(to) && Files.exists(to, LinkOption.NOFOLLOW_LINKS)) {
      if (Files.exists(from, LinkOption.NOFOLLOW_LINKS) || !holdsEveryFile(ledger, account, to)) {
        throw new PopvaultException(
            ExitCode.CONFIG,
            "archive directory "
                + to
                + " exists already; choose another name or move it out of the way");
      }
      info.accept(from + " was already moved to " + to + "; its files are all there");
    }
    ledger.beginRename(
        account.id(), newName, from.getFileName().toString(), to.getFileName().toString());
  }

  /**
   * Tells whether {@code to} holds, at the same place under it, every file the ledger records for
   * the account, at least as long as committed: the user moved the directory by hand.
   */
  private boolean holdsEveryFile(Ledger ledger, AccountRow account, Path to) throws IOException {
    String prefix = dirName(account.name()) + "/";
    for (ArchiveFileRow row : ledger.archiveFiles(account.id())) {
      if (!row.relativePath().startsWith(prefix)) {
        return false;
      }
      Path moved = to.resolve(row.relativePath().substring(prefix.length()));
      if (row.committedLength() > 0
          && (!Files.isRegularFile(moved) || Files.size(moved) < row.committedLength())) {
        return false;
      }
    }
    return true;
  }

  /**
   * Moves the account's directory, or finds it moved already (an interrupted rename). Forces the
   * archive directory, so the move survives a crash before the ledger commits.
   */
  private void moveDirectory(Path from, Path to) throws IOException {
    boolean fromExists = Files.exists(from, LinkOption.NOFOLLOW_LINKS);
    boolean toExists = Files.exists(to, LinkOption.NOFOLLOW_LINKS);
    if (fromExists && toExists) {
      throw new PopvaultException(
          ExitCode.CONFIG,
          "both "
              + from
              + " and "
              + to
              + " exist; move what is in "
              + from
              + " into "
              + to
              + " by hand, then run the same rename again");
    }
    if (fromExists) {
      info.accept("moving " + from + " to " + to);
      Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
    }
    if (Files.isDirectory(archiveDir)) {
      try (FileChannel dir = FileChannel.open(archiveDir, StandardOpenOption.READ)) {
        dir.force(true);
      }
    }
  }

  private static AccountRow find(List<AccountRow> rows, String name) {
    return rows.stream().filter(r -> r.name().equals(name)).findFirst().orElse(null);
  }

  private static String dirName(String name) {
    try {
      return ArchiveLayout.safeDirName(name);
    } catch (IllegalArgumentException e) {
      throw new PopvaultException(ExitCode.USAGE, "bad account name: " + e.getMessage(), e);
    }
  }
}
