package dev.popvault.pop3;

import static dev.popvault.pop3.Replies.after;
import static dev.popvault.pop3.Replies.isErr;
import static dev.popvault.pop3.Replies.isOk;
import static dev.popvault.pop3.Replies.protocol;

import java.io.Closeable;
import java.io.IOException;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import javax.net.ssl.SSLSession;

/**
 * Holds one POP3 session with one server (RFC 1939, RFC 2449 CAPA/PIPELINING, RFC 2595 STLS, RFC
 * 5034 AUTH). Not thread-safe: one caller drives a session from start to end.
 *
 * <p>Call order: {@link #connect}, {@link #login} (or {@link #loginXoauth2}), then any of
 * STAT/LIST/UIDL/TOP/RETR/DELE/RSET/NOOP, and finally {@link #quit()}; the server commits deletions
 * only when QUIT is answered with {@code +OK}. {@link #close()} always releases the socket and,
 * without a prior successful QUIT, leaves the maildrop unchanged.
 *
 * <p>After a failure that leaves the dialogue out of step (lost connection, timeout, malformed
 * reply, handler exception) the session is closed. An {@code -ERR} to RETR or DELE is reported only
 * after the replies already in flight were read, so the session stays usable (e.g. for RSET).
 *
 * <p>Everything the server sends is untrusted; passwords and tokens are never logged nor put in
 * exception messages.
 */
public final class Pop3Client implements Closeable {
  private final Pop3Connection conn;
  private final Pop3Authenticator auth;
  private final ListingReader listings;
  private boolean listWithLogin;
  private boolean listingInFlight;
  private boolean deleSent;

  private Pop3Client(Pop3Connection conn) {
    this.conn = conn;
    this.auth = new Pop3Authenticator(conn);
    this.listings = new ListingReader(conn);
  }

  /**
   * Connects, reads the greeting, issues CAPA, does STLS when needed (and CAPA again after it).
   *
   * @throws Pop3Exception UNAVAILABLE when no connection could be made or the greeting is -ERR; TLS
   *     on handshake or trust failure; PLAINTEXT_REFUSED when neither implicit TLS nor STLS is
   *     available and plaintext was not allowed (nothing secret has been sent then)
   */
  public static Pop3Client connect(Pop3Settings settings, Pop3Log log) throws IOException {
    return new Pop3Client(SessionStart.open(settings, log));
  }

  /**
   * Returns the CAPA lines the server sent in clear text before STLS (empty for pop3s). Untrusted.
   */
  public List<String> capabilityLinesBeforeTls() {
    return conn.capabilitiesBeforeTls().lines();
  }

  /** Returns the greeting text after "+OK ", with control characters replaced. */
  public String greeting() {
    return Text.sanitize(after(conn.greetingLine(), 3));
  }

  /**
   * Returns the upper-cased capability names (first word of each CAPA line) from the latest CAPA;
   * empty if CAPA was answered with -ERR.
   */
  public Set<String> capabilities() {
    return conn.capabilities().names();
  }

  /**
   * Returns the minimum seconds between logins the server announced (RFC 2449 {@code LOGIN-DELAY}),
   * if any.
   */
  public OptionalInt loginDelaySeconds() {
    return Capabilities.loginDelaySeconds(conn.capabilities(), conn.capabilitiesBeforeTls());
  }

  /** Returns the CAPA lines of the latest CAPA, sanitized. */
  public List<String> capabilityLines() {
    return conn.capabilities().lines();
  }

  /** Returns whether UTF-8 mode (RFC 6856) is on: the server answered {@code UTF8} with +OK. */
  public boolean utf8Enabled() {
    return auth.utf8Enabled();
  }

  /**
   * Sends {@code UTF8} (RFC 6856) when the latest CAPA offers it (with or without an argument such
   * as {@code UTF8 USER}) and UTF-8 mode is not on yet; does nothing otherwise. {@link #login} and
   * the other logins call it before sending credentials, where RFC 6856 places the command
   * (AUTHORIZATION state), and again after the post-login CAPA in case only that one offers it
   * (Courier accepts it there too).
   *
   * <p>Why it matters (DESIGN M8): a server that offers UTF8, such as Courier, hands a client that
   * did not enable it a server-made "cannot display Unicode content" notice instead of a message
   * whose headers hold raw UTF-8, under the same UIDL. Archiving that notice and then deleting the
   * message would lose it.
   *
   * @return whether UTF-8 mode is on
   * @throws Pop3Exception PROTOCOL when the server offers UTF8 and answers it with -ERR: the caller
   *     must not go on to RETR, since any message with UTF-8 headers could come back as a notice
   *     (continuing with a warning would archive that notice and, with --delete, delete the
   *     original; a clear failure costs one retry). The session stays in step.
   */
  public boolean enableUtf8() throws IOException {
    return auth.enableUtf8();
  }

  /** Returns whether the latest CAPA advertised PIPELINING. */
  public boolean pipelining() {
    return conn.capabilities().offers("PIPELINING");
  }

  /** Returns the TLS session, or empty when the connection is plaintext. */
  public Optional<SSLSession> tlsSession() {
    return conn.tlsSession();
  }

  /**
   * Enables UTF-8 mode when offered ({@link #enableUtf8}), authenticates, then re-issues CAPA (some
   * servers list PIPELINING only after auth).
   *
   * @param password read, never retained, never logged; the caller owns and may wipe it
   * @throws Pop3Exception AUTH when the server refuses the login (its {@link
   *     Pop3Exception#responseCode()} tells a wrong credential from a busy or broken server), AUTH
   *     when APOP was asked for and the greeting has no timestamp, PROTOCOL when UTF8 is offered
   *     but refused (before any credential is sent)
   */
  public void login(String user, char[] password, AuthMethod method) throws IOException {
    listingInFlight = auth.login(user, password, method, listWithLogin);
  }

  /**
   * Asks {@link #login} to send UIDL and LIST with the credential when the server pipelines, so
   * that {@link #listing()} costs no round trip of its own (a no-op run's whole dialogue after the
   * handshake is then one round trip and QUIT).
   */
  public void listWithLogin() {
    listWithLogin = true;
  }

  /**
   * Authenticates with AUTH XOAUTH2 (SASL string {@code user=U^Aauth=Bearer T^A^A}, base64), then
   * re-issues CAPA. {@code twoStep} sends "AUTH XOAUTH2", waits for "+", then the response line
   * (Microsoft 365 requires this); otherwise the response goes with the command. On a "+ error"
   * challenge after the token it sends an empty line and reports the failure as AUTH.
   *
   * @param token read, never retained, never logged; the caller owns and may wipe it
   */
  public void loginXoauth2(String user, char[] token, boolean twoStep) throws IOException {
    auth.loginXoauth2(user, token, twoStep);
  }

  /**
   * Authenticates with SASL OAUTHBEARER (RFC 7628): a GS2 header naming the user, the server's host
   * and port, and the bearer token. Same secrecy and error rules as {@link #loginXoauth2}.
   */
  public void loginOauthbearer(String user, char[] token, boolean twoStep) throws IOException {
    auth.loginOauthbearer(user, token, twoStep);
  }

  /** Issues STAT; remembers the count to bound later listings. */
  Stat stat() throws IOException {
    conn.requireOpen();
    conn.send("STAT", "STAT");
    conn.flush("STAT");
    return listings.readStat();
  }

  /**
   * Issues UIDL and parses the listing.
   *
   * @throws Pop3Exception PROTOCOL on a malformed line, invalid or duplicate UIDL, duplicate or
   *     out-of-range message number (out of range: above the count of a previous STAT)
   */
  public List<UidlEntry> uidl() throws IOException {
    conn.requireOpen();
    conn.send("UIDL", "UIDL");
    conn.flush("UIDL");
    return listings.readUidl();
  }

  /**
   * Issues UIDL and LIST and parses both; when the server offers PIPELINING both go in one write,
   * which saves a round trip on every run (the whole of a no-op run's dialogue after login). If the
   * UIDL reply fails, the LIST reply is still in flight: the session is then out of step and closed
   * without QUIT.
   *
   * @throws Pop3Exception as {@link #uidl} and {@link #list}
   */
  public Listing listing() throws IOException {
    conn.requireOpen();
    if (listingInFlight) {
      listingInFlight = false;
      Listing sent = readListing();
      auth.enableUtf8();
      return sent;
    }
    if (!pipelining()) {
      List<UidlEntry> uidls = uidl();
      return new Listing(uidls, list());
    }
    conn.send("UIDL", "UIDL");
    conn.send("LIST", "LIST");
    conn.flush("UIDL");
    return readListing();
  }

  /** Reads the replies to UIDL and LIST, sent together. */
  private Listing readListing() throws IOException {
    List<UidlEntry> uidls;
    try {
      uidls = listings.readUidl();
    } catch (Pop3Exception e) {
      throw conn.desync(e);
    }
    return new Listing(uidls, listings.readList());
  }

  /**
   * Issues LIST and parses the scan listing.
   *
   * @throws Pop3Exception PROTOCOL on a malformed line, duplicate or out-of-range message number,
   *     negative, non-numeric or absurd (over 2^40) size
   */
  public List<ListEntry> list() throws IOException {
    conn.requireOpen();
    conn.send("LIST", "LIST");
    conn.flush("LIST");
    return listings.readList();
  }

  /**
   * RETRs each number in order (pipelined with at most pipelineWindow commands in flight when
   * PIPELINING is offered, lock-step otherwise) and hands each body to the handler as a stream of
   * the dot-unstuffed bytes.
   *
   * @throws Pop3Exception PROTOCOL naming the first message answered with -ERR (no further RETR is
   *     sent after it; replies in flight are read and discarded, the session stays usable)
   */
  public void retrieve(List<Integer> numbers, BodyHandler handler) throws IOException {
    Objects.requireNonNull(handler, "handler");
    pipelined("RETR", "", numbers, handler);
  }

  /** Issues TOP for one message and hands its headers and first {@code lines} body lines over. */
  public void top(int number, int lines, BodyHandler handler) throws IOException {
    top(List.of(number), lines, handler);
  }

  /**
   * Issues TOP for each number in order, through the same pipelined window as {@link #retrieve},
   * and hands each message's headers and first {@code lines} body lines to the handler.
   *
   * @throws Pop3Exception PROTOCOL naming the first message answered with -ERR, as for {@link
   *     #retrieve}
   */
  public void top(List<Integer> numbers, int lines, BodyHandler handler) throws IOException {
    Objects.requireNonNull(handler, "handler");
    if (lines < 0) {
      throw new IllegalArgumentException("lines must be >= 0: " + lines);
    }
    pipelined("TOP", " " + lines, numbers, handler);
  }

  /**
   * DELEs each number (pipelined when offered), checking every reply.
   *
   * @throws Pop3Exception PROTOCOL naming the first number answered with -ERR; no further DELE is
   *     sent after it, replies in flight are read, and the session stays usable (RSET undoes the
   *     marks, QUIT commits them)
   */
  public void delete(List<Integer> numbers) throws IOException {
    deleSent = deleSent || !numbers.isEmpty();
    pipelined("DELE", "", numbers, null);
  }

  /** Runs {@code verb N suffix} for each number through the pipelined {@link CommandWindow}. */
  private void pipelined(String verb, String suffix, List<Integer> numbers, BodyHandler body)
      throws IOException {
    int window = pipelining() ? conn.settings().pipelineWindow() : 1;
    new CommandWindow(conn, window).run(verb, suffix, numbers, body);
  }

  /** Issues RSET: the server unmarks every message marked as deleted in this session. */
  public void rset() throws IOException {
    simple("RSET");
  }

  /** Issues NOOP. */
  public void noop() throws IOException {
    simple("NOOP");
  }

  /**
   * Sends QUIT and checks +OK; -ERR or no reply -> Pop3Exception (the server did NOT commit
   * deletions). A session that sent no DELE does not wait for the reply (there is nothing to
   * commit). Closes the connection in every case.
   */
  public void quit() throws IOException {
    conn.requireOpen();
    try {
      conn.send("QUIT", "QUIT");
      conn.flush("QUIT");
      if (!deleSent) {
        // Nothing is marked, so the server has nothing to commit: its reply would only cost a
        // round trip. The session ends cleanly for the server all the same.
        return;
      }
      String reply = conn.status("QUIT");
      if (isErr(reply)) {
        throw conn.errReply(
            Pop3Exception.Kind.PROTOCOL,
            "server answered QUIT with -ERR, so it did not commit deletions",
            reply);
      }
      if (!isOk(reply)) {
        throw protocol(
            "unexpected reply to QUIT, deletions are not known to be committed: "
                + Text.sanitize(reply));
      }
    } catch (Pop3Exception e) {
      if (e.kind() == Pop3Exception.Kind.CONNECTION_LOST
          || e.kind() == Pop3Exception.Kind.TIMEOUT) {
        throw new Pop3Exception(
            e.kind(),
            e.getMessage() + " (the server did not commit deletions)",
            e.responseCode(),
            e);
      }
      throw e;
    } finally {
      close();
    }
  }

  /** Closes the socket without QUIT (idempotent, never throws); the server deletes nothing. */
  @Override
  public void close() {
    conn.close();
  }

  private void simple(String command) throws IOException {
    conn.requireOpen();
    conn.send(command, command);
    conn.flush(command);
    conn.expectOk(command, conn.status(command));
  }
}
