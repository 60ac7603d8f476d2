package dev.popvault.core;

import dev.popvault.ledger.ArchivedKey;
import dev.popvault.ledger.Ledger;
import dev.popvault.mime.HeaderCapture;
import dev.popvault.pop3.Pop3Client;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Guards {@code --delete} against a server that reuses a UIDL for another message of the same size
 * (the ledger keys on UIDL and LIST size): for every listed message that looks archived by an
 * earlier run, compares the Message-ID in its headers ({@code TOP n 0}, pipelined, when offered)
 * with the ones archived under that key. A mismatch is fetched as a new message before anything is
 * deleted. After a normal {@code --delete} run there are no such messages left on the server.
 */
final class ReusedUidls {
  private ReusedUidls() {}

  /** Returns {@code plan} plus the listed messages whose key now names another message. */
  static List<FramePipeline.Planned> recheck(
      Pop3Client client,
      Ledger ledger,
      long accountId,
      MailboxListing listing,
      Set<ArchivedKey> archived,
      List<FramePipeline.Planned> plan,
      Consumer<String> notices)
      throws IOException {
    if (!client.capabilities().contains("TOP")) {
      return plan;
    }
    Map<ArchivedKey, Set<String>> known = null;
    List<Integer> numbers = new ArrayList<>();
    for (MailboxListing.Listed entry : listing.entries()) {
      if (!archived.contains(entry.key())) {
        continue;
      }
      if (known == null) {
        known = ledger.messageIds(accountId);
      }
      if (known.containsKey(entry.key())) {
        numbers.add(entry.number());
      }
    }
    if (numbers.isEmpty()) {
      return plan;
    }
    Map<Integer, String> seen = new HashMap<>();
    client.top(
        numbers,
        0,
        (number, body) -> {
          HeaderCapture capture = new HeaderCapture(body);
          capture.transferTo(OutputStream.nullOutputStream());
          String id = capture.summary().messageId();
          seen.put(number, id == null ? "" : id);
        });
    List<FramePipeline.Planned> checked = new ArrayList<>(plan);
    for (int number : numbers) {
      ArchivedKey key = listing.keyOf(number);
      if (!known.get(key).contains(seen.get(number))) {
        notices.accept(
            "UIDL "
                + key.uidl()
                + " (message "
                + number
                + ") now names a different message than the one archived under it;"
                + " archiving it before any deletion");
        checked.add(new FramePipeline.Planned(number, key));
      }
    }
    checked.sort(Comparator.comparingInt(FramePipeline.Planned::number));
    return checked;
  }
}
