package dev.popvault.testsupport;

import jakarta.mail.Folder;
import jakarta.mail.Message;
import jakarta.mail.Session;
import jakarta.mail.Store;
import java.io.ByteArrayOutputStream;
import java.security.MessageDigest;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.Properties;

/**
 * Reads an IMAP folder of a test Dovecot back with angus-mail, to check what an upload put there.
 */
public final class ImapFolders {
  private ImapFolders() {}

  /** Logs in to {@code user}'s mailbox (STARTTLS; the test server's certificate is trusted). */
  public static Store login(DovecotServer dovecot, String user, String password) throws Exception {
    Properties p = new Properties();
    p.put("mail.imap.starttls.enable", "true");
    p.put("mail.imap.ssl.trust", "127.0.0.1");
    p.put("mail.imap.peek", "true");
    Store store = Session.getInstance(p).getStore("imap");
    store.connect("127.0.0.1", dovecot.imapPort(), user, password);
    return store;
  }

  /**
   * SHA-256 (hex) of each message's BODY[] → how many messages have it; empty if no such folder.
   */
  public static Map<String, Integer> digests(
      DovecotServer dovecot, String user, String password, String folder) throws Exception {
    Store store = login(dovecot, user, password);
    try {
      Folder f = store.getFolder(folder);
      Map<String, Integer> found = new HashMap<>();
      if (!f.exists()) {
        return found;
      }
      f.open(Folder.READ_ONLY);
      for (Message m : f.getMessages()) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        m.writeTo(body);
        found.merge(sha256(body.toByteArray()), 1, Integer::sum);
      }
      f.close(false);
      return found;
    } finally {
      store.close();
    }
  }

  /** Hex SHA-256 of {@code bytes}. */
  public static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
