package dev.popvault.core;

import dev.popvault.ledger.ArchivedKey;
import dev.popvault.ledger.MailDates;
import dev.popvault.pop3.Pop3Client;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Applies a {@link Selection} to a session's listing: first what the listing and the ledger tell,
 * then, only for the candidates left and only when a selector needs them, the headers ({@code TOP n
 * 0}, which marks nothing as seen).
 */
final class SelectionFilter {
  private SelectionFilter() {}

  /**
   * Returns the keys of the listed messages the selection names.
   *
   * @param firstArchived when each archived key was first archived here (only read by {@code
   *     --archived-before}; may be empty otherwise)
   * @throws PopvaultException if a number no longer names what it meant, or a header selector is
   *     given to a server without TOP
   */
  static Set<ArchivedKey> chosen(
      Pop3Client client,
      MailboxListing listing,
      Selection selection,
      Map<ArchivedKey, Instant> firstArchived)
      throws IOException {
    selection.checkNumbers(listing);
    List<Integer> candidates = new ArrayList<>();
    Set<ArchivedKey> chosen = new HashSet<>();
    for (MailboxListing.Listed entry : listing.entries()) {
      if (selection.matchesListing(entry.number(), entry.key(), firstArchived.get(entry.key()))) {
        candidates.add(entry.number());
        chosen.add(entry.key());
      }
    }
    if (!selection.needsHeaders() || candidates.isEmpty()) {
      return chosen;
    }
    if (!MailboxHeaders.available(client)) {
      throw new PopvaultException(
          ExitCode.UNAVAILABLE,
          "the server does not offer TOP, so "
              + String.join(" and ", selection.headerOptions())
              + " cannot be checked");
    }
    MailDates dates = new MailDates();
    chosen.clear();
    MailboxHeaders.read(
        client,
        candidates,
        (number, headers) -> {
          if (selection.matchesHeaders(headers, dates.epochMillis(headers.date()))) {
            chosen.add(listing.keyOf(number));
          }
        });
    return chosen;
  }
}
