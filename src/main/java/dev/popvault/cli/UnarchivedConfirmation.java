package dev.popvault.cli;

import dev.popvault.core.ExitCode;
import dev.popvault.core.PopvaultException;
import dev.popvault.core.ServerDelete;
import java.io.Console;
import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;

/**
 * Asks before messages without an archived copy are deleted ({@code delete --unarchived-too}): on a
 * terminal it lists them and wants "yes"; without one only {@code --yes} lets them go.
 */
final class UnarchivedConfirmation implements ServerDelete.Confirmation {
  private final boolean yes;

  UnarchivedConfirmation(boolean yes) {
    this.yes = yes;
  }

  @Override
  public boolean confirm(List<ServerDelete.Chosen> unarchived) {
    if (yes) {
      return true;
    }
    Console console = Terminal.interactive();
    if (console == null) {
      throw new PopvaultException(
          ExitCode.USAGE,
          unarchived.size()
              + " chosen "
              + (unarchived.size() == 1 ? "message has" : "messages have")
              + " no archived copy here and there is no terminal to ask on; add --yes to delete"
              + " them too (nothing was deleted)");
    }
    PrintWriter w = console.writer();
    w.println("These messages have no archived copy here; deleting them loses them for good:");
    for (ServerDelete.Chosen c : unarchived) {
      w.printf(
          Locale.ROOT,
          "%6d  %-20s  %9s  %-24s  %s%n",
          c.number(),
          ListingOutput.fit(c.uidl(), 20),
          ListingOutput.humanSize(c.size()),
          ListingOutput.fit(c.from(), 24),
          ListingOutput.fit(c.subject(), 40));
    }
    w.flush();
    String answer =
        console.readLine(
            "Delete %d unarchived message%s from the server? Type yes to go on: ",
            unarchived.size(), unarchived.size() == 1 ? "" : "s");
    return answer != null && answer.strip().equalsIgnoreCase("yes");
  }
}
