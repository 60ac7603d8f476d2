package dev.popvault.imap;

import jakarta.mail.AuthenticationFailedException;
import jakarta.mail.Flags;
import jakarta.mail.Folder;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.Store;
import jakarta.mail.search.AndTerm;
import jakarta.mail.search.ComparisonTerm;
import jakarta.mail.search.MessageIDTerm;
import jakarta.mail.search.SearchTerm;
import jakarta.mail.search.SizeTerm;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Arrays;
import java.util.Date;
import java.util.Properties;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSocketFactory;
import org.eclipse.angus.mail.iap.Literal;
import org.eclipse.angus.mail.iap.ProtocolException;
import org.eclipse.angus.mail.imap.AppendUID;
import org.eclipse.angus.mail.imap.IMAPFolder;

/**
 * One logged-in IMAP session with one destination folder: APPENDs exact bytes and finds messages
 * again. angus-mail's provider does the protocol; what goes into an APPEND is ours, streamed as a
 * literal of a known size, so the server receives exactly the bytes given (no re-encoding of
 * headers or line ends, whatever the message holds).
 */
public final class ImapUploader implements AutoCloseable {
  /** How to reach and trust the server. */
  public record Connection(
      boolean implicitTls,
      String host,
      int port,
      String user,
      boolean allowPlaintext,
      SSLSocketFactory tls,
      boolean checkHostName,
      Duration connectTimeout,
      Duration timeout) {}

  /** Where an APPEND put the message: UIDVALIDITY and UID, both null without UIDPLUS. */
  public record Placed(Long uidValidity, Long uid) {}

  private final Store store;
  private final IMAPFolder folder;

  private ImapUploader(Store store, IMAPFolder folder) {
    this.store = store;
    this.folder = folder;
  }

  /**
   * Logs in with a password, or with an OAuth2 access token (XOAUTH2) when {@code oauth}, and opens
   * {@code folderName}, creating it if it does not exist.
   *
   * @param created told when the folder had to be created
   */
  public static ImapUploader open(
      Connection c, char[] secret, boolean oauth, String folderName, Runnable created)
      throws ImapException {
    String protocol = c.implicitTls() ? "imaps" : "imap";
    String p = "mail." + protocol + ".";
    Properties props = new Properties();
    props.put(p + "host", c.host());
    props.put(p + "port", Integer.toString(c.port()));
    props.put(p + "connectiontimeout", Long.toString(c.connectTimeout().toMillis()));
    props.put(p + "timeout", Long.toString(c.timeout().toMillis()));
    props.put(p + "ssl.socketFactory", c.tls());
    props.put(p + "ssl.checkserveridentity", Boolean.toString(c.checkHostName()));
    props.put(p + "peek", "true");
    if (!c.implicitTls()) {
      props.put(p + "starttls.enable", "true");
      props.put(p + "starttls.required", Boolean.toString(!c.allowPlaintext()));
    }
    if (oauth) {
      props.put(p + "auth.mechanisms", "XOAUTH2");
    }
    Store store = null;
    try {
      store = Session.getInstance(props).getStore(protocol);
      store.connect(c.host(), c.port(), c.user(), new String(secret));
      IMAPFolder folder = (IMAPFolder) store.getFolder(folderName);
      if (!folder.exists()) {
        if (!folder.create(Folder.HOLDS_MESSAGES)) {
          throw new ImapException(
              ImapException.Kind.REFUSED,
              "the server refused to create folder " + folderName,
              null);
        }
        created.run();
      }
      return new ImapUploader(store, folder);
    } catch (MessagingException e) {
      closeQuietly(store);
      throw failure("log in to " + c.host() + ":" + c.port(), e);
    } catch (ImapException e) {
      closeQuietly(store);
      throw e;
    }
  }

  /** The folder's UIDVALIDITY (STATUS), which scopes every UID it reports. */
  public long uidValidity() throws ImapException {
    try {
      return folder.getUIDValidity();
    } catch (MessagingException e) {
      throw failure("read UIDVALIDITY", e);
    }
  }

  /**
   * APPENDs {@code size} bytes read from {@code bytes}, exactly, with {@code internalDate} and the
   * \Seen flag if {@code seen}.
   *
   * @throws ImapException if the server refused the message or the connection failed; an
   *     IOException from {@code bytes} aborts the APPEND (the server discards the unfinished
   *     literal) and is reported as UNAVAILABLE with that cause
   */
  public Placed append(InputStream bytes, long size, Date internalDate, boolean seen)
      throws ImapException {
    if (size > Integer.MAX_VALUE) {
      throw new ImapException(
          ImapException.Kind.REFUSED,
          "a message of " + size + " bytes is too large for IMAP",
          null);
    }
    Literal literal =
        new Literal() {
          @Override
          public int size() {
            return (int) size;
          }

          @Override
          public void writeTo(OutputStream out) throws IOException {
            long n = bytes.transferTo(out);
            if (n != size) {
              throw new IOException("message is " + n + " bytes, not " + size);
            }
          }
        };
    Flags flags = seen ? new Flags(Flags.Flag.SEEN) : null;
    try {
      AppendUID placed =
          (AppendUID)
              folder.doCommand(
                  protocol ->
                      protocol.appenduid(folder.getFullName(), flags, internalDate, literal));
      return placed == null ? new Placed(null, null) : new Placed(placed.uidvalidity, placed.uid);
    } catch (MessagingException e) {
      throw failure("APPEND to " + folder.getFullName(), e);
    }
  }

  /**
   * Finds a message in the folder that is the one given: same Message-ID when it has one (else same
   * size), and either the same SHA-256 of its bytes or, when the server stores messages altered
   * (line ends), the same size and INTERNALDATE. Returns its UID, or null.
   */
  public Long find(String messageId, long size, byte[] sha256, Date internalDate)
      throws ImapException {
    IMAPFolder search = null;
    try {
      search = (IMAPFolder) store.getFolder(folder.getFullName());
      search.open(Folder.READ_ONLY);
      SearchTerm term =
          messageId != null
              ? new MessageIDTerm(messageId)
              : new AndTerm(
                  new SizeTerm(ComparisonTerm.GT, (int) Math.max(0, size - 1)),
                  new SizeTerm(ComparisonTerm.LT, (int) Math.min(Integer.MAX_VALUE, size + 1)));
      for (Message m : search.search(term)) {
        if (sameBytes(m, sha256)
            || m.getSize() == size
                && internalDate != null
                && m.getReceivedDate() != null
                && m.getReceivedDate().getTime() / 1000 == internalDate.getTime() / 1000) {
          return search.getUID(m);
        }
      }
      return null;
    } catch (MessagingException e) {
      throw failure("search " + folder.getFullName(), e);
    } catch (IOException e) {
      throw new ImapException(
          ImapException.Kind.UNAVAILABLE,
          "cannot read a message of " + folder.getFullName() + ": " + oneLine(e.getMessage()),
          e);
    } finally {
      if (search != null && search.isOpen()) {
        try {
          search.close(false);
        } catch (MessagingException e) {
          // Read-only: closing expunges nothing; a failure here changes nothing on the server.
        }
      }
    }
  }

  private static boolean sameBytes(Message m, byte[] sha256)
      throws MessagingException, IOException {
    MessageDigest digest;
    try {
      digest = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    try (DigestOutputStream out = new DigestOutputStream(OutputStream.nullOutputStream(), digest)) {
      m.writeTo(out);
    }
    return Arrays.equals(digest.digest(), sha256);
  }

  @Override
  public void close() {
    closeQuietly(store);
  }

  private static void closeQuietly(Store store) {
    if (store != null) {
      try {
        store.close();
      } catch (MessagingException e) {
        // LOGOUT failed: every APPEND was already confirmed or not; nothing depends on it.
      }
    }
  }

  private static ImapException failure(String what, MessagingException e) {
    Throwable cause = e;
    while (cause.getCause() != null && cause != cause.getCause()) {
      if (cause instanceof SSLException) {
        break;
      }
      cause = cause.getCause();
    }
    String reason = oneLine(e.getMessage());
    if (e instanceof AuthenticationFailedException) {
      return new ImapException(
          ImapException.Kind.AUTHENTICATION, "cannot " + what + ": login refused: " + reason, e);
    }
    if (cause instanceof SSLException || reason.toLowerCase().contains("starttls")) {
      return new ImapException(ImapException.Kind.TLS, "cannot " + what + ": " + reason, e);
    }
    if (e.getCause() instanceof ProtocolException
        || e instanceof jakarta.mail.FolderNotFoundException) {
      return new ImapException(ImapException.Kind.REFUSED, "cannot " + what + ": " + reason, e);
    }
    return new ImapException(ImapException.Kind.UNAVAILABLE, "cannot " + what + ": " + reason, e);
  }

  private static String oneLine(String s) {
    if (s == null) {
      return "no reason given";
    }
    String line = s.strip().replaceAll("\\s+", " ");
    return line.length() > 300 ? line.substring(0, 300) + "…" : line;
  }
}
