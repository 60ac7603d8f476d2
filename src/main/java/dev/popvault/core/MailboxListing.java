package dev.popvault.core;

import dev.popvault.ledger.ArchivedKey;
import dev.popvault.pop3.ListEntry;
import dev.popvault.pop3.Listing;
import dev.popvault.pop3.Pop3Exception;
import dev.popvault.pop3.UidlEntry;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The mailbox as one session listed it, keyed the way the ledger keys messages: each message number
 * with its (UIDL, LIST size) key, in server order. Built only from a UIDL and a LIST listing that
 * name the same messages: a message without a UIDL could never be archived nor deleted.
 */
final class MailboxListing {
  /** One listed message. */
  record Listed(int number, ArchivedKey key) {}

  private final List<Listed> entries;
  private final Map<Integer, ArchivedKey> keyByNumber;
  // Only repair asks for it: built on first use, not on every run over a large mailbox.
  private Map<ArchivedKey, Integer> numberByKey;

  private MailboxListing(List<Listed> entries) {
    this.entries = List.copyOf(entries);
    this.keyByNumber = new HashMap<>(entries.size() * 4 / 3 + 1);
    for (Listed entry : entries) {
      keyByNumber.put(entry.number(), entry.key());
    }
  }

  /**
   * Joins a session's UIDL and LIST listings.
   *
   * @throws Pop3Exception (protocol) if a message is in one listing and not the other
   */
  static MailboxListing of(Listing listing) throws Pop3Exception {
    Map<Integer, Long> sizes = new HashMap<>(listing.sizes().size() * 4 / 3 + 1);
    for (ListEntry entry : listing.sizes()) {
      sizes.put(entry.number(), entry.size());
    }
    List<Listed> entries = new ArrayList<>(listing.uidls().size());
    for (UidlEntry entry : listing.uidls()) {
      Long size = sizes.get(entry.number());
      if (size == null) {
        throw new Pop3Exception(
            Pop3Exception.Kind.PROTOCOL,
            "server listed message " + entry.number() + " in UIDL but not in LIST");
      }
      entries.add(new Listed(entry.number(), new ArchivedKey(entry.uidl().value(), size)));
    }
    if (sizes.size() != entries.size()) {
      // Both listings have unique numbers, so LIST holds one that UIDL lacks: name it.
      Set<Integer> inUidl = new HashSet<>();
      for (UidlEntry entry : listing.uidls()) {
        inUidl.add(entry.number());
      }
      for (ListEntry entry : listing.sizes()) {
        if (!inUidl.contains(entry.number())) {
          throw new Pop3Exception(
              Pop3Exception.Kind.PROTOCOL,
              "server listed message " + entry.number() + " in LIST but not in UIDL");
        }
      }
    }
    return new MailboxListing(entries);
  }

  /** Builds a listing from entries (for callers that already hold keys, and for tests). */
  static MailboxListing of(Collection<Listed> entries) {
    return new MailboxListing(new ArrayList<>(entries));
  }

  /** The listed messages in server order. */
  List<Listed> entries() {
    return entries;
  }

  int size() {
    return entries.size();
  }

  /** The key of message {@code number}, or null if it was not listed. */
  ArchivedKey keyOf(int number) {
    return keyByNumber.get(number);
  }

  /** Every listed key with its message number. */
  Map<ArchivedKey, Integer> numberByKey() {
    if (numberByKey == null) {
      Map<ArchivedKey, Integer> map = new LinkedHashMap<>(entries.size() * 4 / 3 + 1);
      for (Listed entry : entries) {
        map.put(entry.key(), entry.number());
      }
      numberByKey = map;
    }
    return numberByKey;
  }

  /** The listed messages whose key is not in {@code archived}, in server order (M5: the plan). */
  List<FramePipeline.Planned> notIn(Set<ArchivedKey> archived) {
    List<FramePipeline.Planned> plan = new ArrayList<>();
    for (Listed entry : entries) {
      if (!archived.contains(entry.key())) {
        plan.add(new FramePipeline.Planned(entry.number(), entry.key()));
      }
    }
    return plan;
  }
}
