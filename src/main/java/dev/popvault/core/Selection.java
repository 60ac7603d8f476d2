package dev.popvault.core;

import dev.popvault.ledger.ArchivedKey;
import dev.popvault.mime.HeaderSummary;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Which listed messages a command works on ({@code delete}, {@code archive}, {@code list}). The
 * identity selectors ({@code uidls}, {@code numbers}) name messages: a message named by either is a
 * candidate (with neither, every message is). Each other selector that is set must also hold (they
 * combine with "and"). A message that lacks what a selector looks at (no Date header, never
 * archived) does not match it.
 *
 * @param uidls messages by UIDL
 * @param numbers messages by their number in this session, each with the UIDL it must have (null:
 *     not checked); see {@link #checkNumbers}
 * @param largerThan LIST size strictly above this many bytes (negative: any size)
 * @param dateBefore the Date header before this instant (null: any)
 * @param archivedBefore first archived here before this instant (null: any)
 * @param from text the decoded From header contains, ignoring case (null: any)
 * @param subject text the decoded Subject header contains, ignoring case (null: any)
 */
public record Selection(
    Set<String> uidls,
    Map<Integer, String> numbers,
    long largerThan,
    Instant dateBefore,
    Instant archivedBefore,
    String from,
    String subject) {

  /** Every message. */
  public static final Selection ALL = new Selection(Set.of(), Map.of(), -1, null, null, null, null);

  /** Copies the collections and lower-cases the texts. */
  public Selection {
    uidls = Set.copyOf(uidls);
    // A null UIDL means "not checked", so the copy must allow null values.
    numbers = Collections.unmodifiableMap(new LinkedHashMap<>(numbers));
    from = from == null ? null : from.toLowerCase(Locale.ROOT);
    subject = subject == null ? null : subject.toLowerCase(Locale.ROOT);
  }

  /** True when no selector is set: every message matches. */
  public boolean isAll() {
    return uidls.isEmpty()
        && numbers.isEmpty()
        && largerThan < 0
        && dateBefore == null
        && archivedBefore == null
        && from == null
        && subject == null;
  }

  /** True when a selector looks at headers, so the session must read them (TOP n 0). */
  public boolean needsHeaders() {
    return dateBefore != null || from != null || subject != null;
  }

  /** True when only archived messages can match ({@code --archived-before}). */
  boolean archivedOnly() {
    return archivedBefore != null;
  }

  /**
   * Refuses numbers that are not listed, or whose message has another UIDL than the one given: the
   * mailbox changed since the user looked, so the numbers no longer name what they meant.
   *
   * @throws PopvaultException (data error) naming the first mismatch
   */
  void checkNumbers(MailboxListing listing) {
    for (Map.Entry<Integer, String> named : numbers.entrySet()) {
      ArchivedKey key = listing.keyOf(named.getKey());
      if (key == null) {
        throw new PopvaultException(
            ExitCode.DATA_ERROR,
            "the server lists no message "
                + named.getKey()
                + " ("
                + listing.size()
                + " messages); list the mailbox again");
      }
      if (named.getValue() != null && !named.getValue().equals(key.uidl())) {
        throw new PopvaultException(
            ExitCode.DATA_ERROR,
            "message "
                + named.getKey()
                + " now has UIDL "
                + key.uidl()
                + ", not "
                + named.getValue()
                + ": the mailbox changed; list it again");
      }
    }
  }

  /**
   * The first test: what the listing and the ledger tell (identity, size, when archived).
   *
   * @param archivedAt when the message was first archived here, or null
   */
  boolean matchesListing(int number, ArchivedKey key, Instant archivedAt) {
    if ((!uidls.isEmpty() || !numbers.isEmpty())
        && !uidls.contains(key.uidl())
        && !numbers.containsKey(number)) {
      return false;
    }
    if (largerThan >= 0 && key.listSize() <= largerThan) {
      return false;
    }
    return archivedBefore == null || archivedAt != null && archivedAt.isBefore(archivedBefore);
  }

  /**
   * The second test, for candidates that passed {@link #matchesListing}: the header selectors.
   *
   * @param dateMillis the Date header as epoch milliseconds, or null when absent or unreadable
   */
  boolean matchesHeaders(HeaderSummary headers, Long dateMillis) {
    if (dateBefore != null && (dateMillis == null || dateMillis >= dateBefore.toEpochMilli())) {
      return false;
    }
    return contains(headers.from(), from) && contains(headers.subject(), subject);
  }

  private static boolean contains(String field, String wanted) {
    return wanted == null || field != null && field.toLowerCase(Locale.ROOT).contains(wanted);
  }

  /** The selectors that are set, as options, for messages ("--from, --subject"). */
  List<String> headerOptions() {
    List<String> names = new ArrayList<>();
    if (dateBefore != null) {
      names.add("--older-than");
    }
    if (from != null) {
      names.add("--from");
    }
    if (subject != null) {
      names.add("--subject");
    }
    return names;
  }
}
