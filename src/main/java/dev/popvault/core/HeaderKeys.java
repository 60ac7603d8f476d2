package dev.popvault.core;

import dev.popvault.pop3.ListEntry;
import dev.popvault.pop3.Listing;
import dev.popvault.pop3.Pop3Client;
import dev.popvault.pop3.Uidl;
import dev.popvault.pop3.UidlEntry;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * The listing of a server without UIDL ({@code no-uidl}): each message is keyed by {@value #PREFIX}
 * and the SHA-256 of its header section as {@code TOP n 0} returns it, which stays the same from
 * session to session while the message does; with the LIST size it forms the ledger's key as a UIDL
 * would. Two messages with the same header section and size share a key, so the second is taken for
 * archived and stays on the server: that, and keys that are only stand-ins, is why this mode never
 * deletes.
 */
final class HeaderKeys {
  /** Marks a key made here, so that it can never be mistaken for a server's UIDL. */
  static final String PREFIX = "h-";

  private HeaderKeys() {}

  /**
   * Lists the mailbox with LIST and a pipelined {@code TOP n 0} per message.
   *
   * @throws PopvaultException (76) when the server does not offer TOP either
   */
  static Listing listing(Pop3Client client) throws IOException {
    if (!MailboxHeaders.available(client)) {
      throw new PopvaultException(
          ExitCode.PROTOCOL,
          "no-uidl keys messages by their headers, read with TOP, which the server does not"
              + " offer either; nothing was fetched");
    }
    List<ListEntry> sizes = client.list();
    List<Integer> numbers = new ArrayList<>(sizes.size());
    for (ListEntry entry : sizes) {
      numbers.add(entry.number());
    }
    List<UidlEntry> keys = new ArrayList<>(sizes.size());
    client.top(
        numbers,
        0,
        (number, body) -> keys.add(new UidlEntry(number, new Uidl(PREFIX + sha256(body)))));
    return new Listing(keys, sizes);
  }

  private static String sha256(InputStream body) throws IOException {
    MessageDigest digest;
    try {
      digest = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform has SHA-256", e);
    }
    byte[] buffer = new byte[8192];
    for (int n; (n = body.read(buffer)) > 0; ) {
      digest.update(buffer, 0, n);
    }
    return HexFormat.of().formatHex(digest.digest());
  }
}
