package dev.popvault.pop3;

import static dev.popvault.pop3.Replies.parseNumber;
import static dev.popvault.pop3.Replies.protocol;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Reads and validates the replies to STAT, UIDL and LIST, whose commands the caller has sent. Every
 * line is untrusted: a malformed line, a duplicate or out-of-range message number, an invalid or
 * duplicate UIDL, or an absurd size is PROTOCOL and closes the session (the rest of the listing is
 * still in flight). Message numbers are bounded by the count of the latest STAT, if any.
 */
final class ListingReader {
  /** Largest size accepted from STAT or LIST (1 TiB); anything bigger is treated as garbage. */
  static final long MAX_SIZE = 1L << 40;

  private final Pop3Connection conn;
  private int statCount = -1;

  ListingReader(Pop3Connection conn) {
    this.conn = conn;
  }

  /** Reads the reply to STAT and remembers its count to bound later listings. */
  Stat readStat() throws IOException {
    String text = conn.expectOk("STAT", conn.status("STAT"));
    String[] words = Text.words(text);
    if (words.length < 2) {
      throw conn.desync(protocol("malformed STAT reply: " + Text.sanitize(text)));
    }
    long count = parseNumber(words[0], Integer.MAX_VALUE, "STAT count");
    long size = parseNumber(words[1], MAX_SIZE, "STAT size");
    statCount = (int) count;
    return new Stat((int) count, size);
  }

  /** Reads the reply to UIDL: unique numbers, unique valid UIDLs (RFC 1939 §7). */
  List<UidlEntry> readUidl() throws IOException {
    String status = conn.status("UIDL");
    if (Replies.isErr(status)) {
      // Without UIDL nothing tells a new message from one archived before (RFC 1939 §7 makes it
      // optional): say so instead of a bare refusal.
      Pop3Exception refused =
          conn.errReply(Pop3Exception.Kind.PROTOCOL, "server refused UIDL", status);
      throw new Pop3Exception(
          Pop3Exception.Kind.PROTOCOL,
          refused.getMessage()
              + "; popvault needs UIDL to know which messages it has already archived, so it"
              + " fetched and deleted nothing (--no-uidl archives such a server by its headers,"
              + " and never deletes)",
          refused.responseCode(),
          null);
    }
    conn.expectOk("UIDL", status);
    List<UidlEntry> entries = new ArrayList<>();
    Set<Integer> numbers = new HashSet<>();
    Set<String> ids = new HashSet<>();
    String line;
    while ((line = conn.listingLine()) != null) {
      String[] words = Text.words(line);
      if (words.length != 2) {
        throw conn.desync(protocol("malformed UIDL line: " + Text.sanitize(line)));
      }
      int n = messageNumber(words[0], "UIDL");
      Uidl id = conn.desync(() -> Uidl.fromServer(words[1]));
      if (!numbers.add(n)) {
        throw conn.desync(protocol("duplicate message number " + n + " in UIDL listing"));
      }
      if (!ids.add(id.value())) {
        throw conn.desync(
            protocol("duplicate UIDL " + Text.sanitize(id.value()) + " (message " + n + ")"));
      }
      entries.add(new UidlEntry(n, id));
    }
    conn.logServer("<" + entries.size() + " UIDL entries>");
    return entries;
  }

  /** Reads the reply to LIST: unique numbers, sizes in 0..{@link #MAX_SIZE}. */
  List<ListEntry> readList() throws IOException {
    conn.expectOk("LIST", conn.status("LIST"));
    List<ListEntry> entries = new ArrayList<>();
    Set<Integer> numbers = new HashSet<>();
    String line;
    while ((line = conn.listingLine()) != null) {
      // RFC 1939 §5 allows further text after the size; it is ignored.
      String[] words = Text.words(line);
      if (words.length < 2) {
        throw conn.desync(protocol("malformed LIST line: " + Text.sanitize(line)));
      }
      int n = messageNumber(words[0], "LIST");
      long size = conn.desync(() -> parseNumber(words[1], MAX_SIZE, "size of message " + n));
      if (!numbers.add(n)) {
        throw conn.desync(protocol("duplicate message number " + n + " in LIST listing"));
      }
      entries.add(new ListEntry(n, size));
    }
    conn.logServer("<" + entries.size() + " LIST entries>");
    return entries;
  }

  private int messageNumber(String word, String listing) throws Pop3Exception {
    long n =
        conn.desync(() -> parseNumber(word, Integer.MAX_VALUE, "message number in " + listing));
    if (n < 1 || (statCount >= 0 && n > statCount)) {
      throw conn.desync(
          protocol(
              "message number "
                  + n
                  + " in "
                  + listing
                  + " listing is out of range"
                  + (statCount >= 0 ? " (STAT said " + statCount + ")" : "")));
    }
    return (int) n;
  }
}
