package dev.popvault.pop3;

import static dev.popvault.pop3.Replies.after;
import static dev.popvault.pop3.Replies.isErr;
import static dev.popvault.pop3.Replies.isOk;
import static dev.popvault.pop3.Replies.parseNumber;
import static dev.popvault.pop3.Replies.protocol;

import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;

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
  /** Bound on a status, CAPA or listing line; RFC 1939 allows 512, real servers stay far below. */
  static final int MAX_LINE = 8192;

  /** Largest size accepted from STAT or LIST (1 TiB); anything bigger is treated as garbage. */
  static final long MAX_SIZE = 1L << 40;

  private static final String REDACTED = "********";
  private static final Pattern APOP_TIMESTAMP = Pattern.compile("<[\\x21-\\x3B\\x3D\\x3F-\\x7E]+>");

  private final Pop3Settings settings;
  private final Pop3Log log;
  private Socket rawSocket;
  private Socket socket;
  private SSLSocket tlsSocket;
  private WireReader in;
  private OutputStream out;
  private String greeting = "";
  private String apopTimestamp;
  private List<String> capabilityLines = List.of();
  private List<String> capabilityLinesBeforeTls = List.of();
  private Set<String> capabilities = Set.of();
  private boolean closed;
  private boolean utf8;
  private int statCount = -1;

  /**
   * The secret of a login in progress. Server text that repeats it as a word is withheld from logs
   * and messages (M6); server text is never partly masked (see {@link #quote}).
   */
  private char[] secretInFlight;

  private final byte[] scratch = new byte[8192];

  private Pop3Client(Pop3Settings settings, Pop3Log log) {
    this.settings = Objects.requireNonNull(settings, "settings");
    this.log = Objects.requireNonNull(log, "log");
  }

  /**
   * Connects, reads the greeting, issues CAPA, does STLS when needed (and CAPA again after it).
   *
   * @throws Pop3Exception UNAVAILABLE when no connection could be made or the greeting is -ERR; TLS
   *     on handshake or trust failure; PLAINTEXT_REFUSED when neither implicit TLS nor STLS is
   *     available and plaintext was not allowed (nothing secret has been sent then)
   */
  public static Pop3Client connect(Pop3Settings settings, Pop3Log log) throws IOException {
    Pop3Client client = new Pop3Client(settings, log);
    try {
      client.open();
      return client;
    } catch (IOException | RuntimeException e) {
      client.close();
      throw e;
    }
  }

  private void open() throws IOException {
    String where = settings.host() + ":" + settings.port();
    Socket raw = new Socket();
    rawSocket = raw;
    socket = raw;
    try {
      raw.setTcpNoDelay(true);
      raw.setSoTimeout((int) settings.readTimeout().toMillis());
      raw.connect(
          new InetSocketAddress(settings.host(), settings.port()),
          (int) settings.connectTimeout().toMillis());
    } catch (SocketTimeoutException e) {
      throw new Pop3Exception(
          Pop3Exception.Kind.UNAVAILABLE,
          "cannot connect to "
              + where
              + ": no answer within "
              + Text.seconds(settings.connectTimeout()),
          e);
    } catch (UnknownHostException e) {
      throw new Pop3Exception(
          Pop3Exception.Kind.UNAVAILABLE, "cannot connect to " + where + ": unknown host", e);
    } catch (IOException e) {
      throw new Pop3Exception(
          Pop3Exception.Kind.UNAVAILABLE,
          "cannot connect to " + where + ": " + Text.sanitize(e.getMessage()),
          e);
    }
    if (settings.implicitTls()) {
      startTls(raw);
    } else {
      bindStreams(raw);
    }
    in.command("greeting");
    String line = in.readLine(MAX_LINE);
    log.line("S", Text.sanitize(line));
    if (isErr(line)) {
      throw errReply(
          Pop3Exception.Kind.UNAVAILABLE, "server " + where + " refused the session", line);
    }
    if (!isOk(line)) {
      throw new Pop3Exception(
          Pop3Exception.Kind.PROTOCOL,
          "server " + where + " sent no POP3 greeting: " + Text.sanitize(line));
    }
    greeting = Text.sanitize(after(line, 3));
    Matcher m = APOP_TIMESTAMP.matcher(line);
    apopTimestamp = m.find() ? m.group() : null;
    capa();
    if (!settings.implicitTls()) {
      capabilityLinesBeforeTls = capabilityLines;
      if (capabilities.contains("STLS")) {
        send("STLS", "STLS");
        flush("STLS");
        expectOk("STLS", status("STLS"));
        if (in.buffered() > 0) {
          // Bytes sent before the handshake could be injected by an attacker (RFC 2595 §3.1 note).
          throw new Pop3Exception(
              Pop3Exception.Kind.PROTOCOL, "server sent data after the STLS reply, before TLS");
        }
        startTls(socket);
        capa();
      } else if (!settings.allowPlaintext()) {
        throw new Pop3Exception(
            Pop3Exception.Kind.PLAINTEXT_REFUSED,
            "server does not offer STLS; refusing to send the password in clear text"
                + " (use pop3s:// or --allow-plaintext)");
      }
    }
  }

  private void startTls(Socket raw) throws IOException {
    tlsSocket =
        Tls.handshake(
            raw,
            settings.host(),
            settings.port(),
            settings.implicitTls(),
            settings.trust(),
            settings.readTimeout());
    socket = tlsSocket;
    bindStreams(tlsSocket);
  }

  private void bindStreams(Socket s) throws IOException {
    in = new WireReader(s.getInputStream(), settings.readTimeout());
    out = new BufferedOutputStream(s.getOutputStream(), 8192);
  }

  /**
   * Returns the CAPA lines the server sent in clear text before STLS (empty for pop3s). Untrusted.
   */
  public List<String> capabilityLinesBeforeTls() {
    return capabilityLinesBeforeTls;
  }

  /** Returns the greeting text after "+OK ", with control characters replaced. */
  public String greeting() {
    return greeting;
  }

  /**
   * Returns the upper-cased capability names (first word of each CAPA line) from the latest CAPA;
   * empty if CAPA was answered with -ERR.
   */
  public Set<String> capabilities() {
    return capabilities;
  }

  /** Returns the CAPA lines of the latest CAPA, sanitized. */
  public List<String> capabilityLines() {
    return capabilityLines;
  }

  /** Returns whether UTF-8 mode (RFC 6856) is on: the server answered {@code UTF8} with +OK. */
  public boolean utf8Enabled() {
    return utf8;
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
    requireOpen();
    if (utf8 || !capabilities.contains("UTF8")) {
      return utf8;
    }
    send("UTF8", "UTF8");
    flush("UTF8");
    String reply = status("UTF8");
    if (isOk(reply)) {
      utf8 = true;
      return true;
    }
    if (isErr(reply)) {
      throw errReply(
          Pop3Exception.Kind.PROTOCOL,
          "server offers UTF8 (RFC 6856) but refused it; without it a message with UTF-8 headers"
              + " may come back as a server-made notice, so popvault stops",
          reply);
    }
    throw desync(protocol("unexpected reply to UTF8: " + Text.sanitize(reply)));
  }

  /** Returns whether the latest CAPA advertised PIPELINING. */
  public boolean pipelining() {
    return capabilities.contains("PIPELINING");
  }

  /** Returns the TLS session, or empty when the connection is plaintext. */
  public Optional<SSLSession> tlsSession() {
    return tlsSocket == null ? Optional.empty() : Optional.of(tlsSocket.getSession());
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
    Objects.requireNonNull(password, "password");
    Objects.requireNonNull(method, "method");
    checkCredentialsMayBeSent(user);
    AuthMethod effective = method;
    if (method == AuthMethod.AUTO) {
      effective = saslOffers("PLAIN") ? AuthMethod.PLAIN : AuthMethod.USER;
    }
    enableUtf8();
    byte[] secret = utf8(password);
    secretInFlight = password;
    try {
      switch (effective) {
        case USER -> loginUser(user, secret);
        case APOP -> loginApop(user, secret);
        case PLAIN -> loginPlain(user, secret);
        default -> throw new IllegalStateException("unhandled method " + effective);
      }
    } finally {
      Arrays.fill(secret, (byte) 0);
      secretInFlight = null;
    }
    afterLogin();
  }

  /** Re-issues CAPA (some servers list more after login) and enables UTF-8 mode if now offered. */
  private void afterLogin() throws IOException {
    capa();
    enableUtf8();
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
    loginBearer("XOAUTH2", "user=" + user + "\u0001auth=Bearer ", user, token, twoStep);
  }

  /**
   * Authenticates with SASL OAUTHBEARER (RFC 7628): a GS2 header naming the user, the server's host
   * and port, and the bearer token. Same secrecy and error rules as {@link #loginXoauth2}.
   */
  public void loginOauthbearer(String user, char[] token, boolean twoStep) throws IOException {
    String saslName = user.replace("=", "=3D").replace(",", "=2C");
    String prefix =
        "n,a="
            + saslName
            + ",\u0001host="
            + settings.host()
            + "\u0001port="
            + settings.port()
            + "\u0001auth=Bearer ";
    loginBearer("OAUTHBEARER", prefix, user, token, twoStep);
  }

  private void loginBearer(
      String mechanism, String prefixText, String user, char[] token, boolean twoStep)
      throws IOException {
    Objects.requireNonNull(token, "token");
    checkCredentialsMayBeSent(user);
    enableUtf8();
    byte[] tokenBytes = utf8(token);
    byte[] sasl = null;
    byte[] b64 = null;
    secretInFlight = token;
    try {
      byte[] prefix = prefixText.getBytes(StandardCharsets.UTF_8);
      sasl = new byte[prefix.length + tokenBytes.length + 2];
      System.arraycopy(prefix, 0, sasl, 0, prefix.length);
      System.arraycopy(tokenBytes, 0, sasl, prefix.length, tokenBytes.length);
      sasl[sasl.length - 2] = 1;
      sasl[sasl.length - 1] = 1;
      b64 = Base64.getEncoder().encode(sasl);
      String label = "AUTH " + mechanism;
      if (twoStep) {
        send(label, label);
        flush(label);
        String challenge = status(label);
        if (!challenge.startsWith("+") || isOk(challenge)) {
          throw authFailure(user, challenge);
        }
        sendSecret(new byte[0], b64, REDACTED, label);
      } else {
        sendSecret(ascii(label + " "), b64, label + " " + REDACTED, label);
      }
      finishSasl(label, user, "");
    } finally {
      Arrays.fill(tokenBytes, (byte) 0);
      if (sasl != null) {
        Arrays.fill(sasl, (byte) 0);
      }
      if (b64 != null) {
        Arrays.fill(b64, (byte) 0);
      }
      secretInFlight = null;
    }
    afterLogin();
  }

  private void loginUser(String user, byte[] secret) throws IOException {
    send("USER " + user, "USER " + user);
    flush("USER");
    String reply = status("USER");
    if (!isOk(reply)) {
      throw authFailure(user, reply);
    }
    sendSecret(ascii("PASS "), secret, "PASS " + REDACTED, "PASS");
    reply = status("PASS");
    if (!isOk(reply)) {
      throw authFailure(user, reply);
    }
  }

  private void loginApop(String user, byte[] secret) throws IOException {
    if (apopTimestamp == null) {
      throw new Pop3Exception(
          Pop3Exception.Kind.AUTH, "server greeting has no APOP timestamp; cannot use APOP");
    }
    byte[] digest;
    try {
      MessageDigest md5 = MessageDigest.getInstance("MD5");
      md5.update(apopTimestamp.getBytes(StandardCharsets.ISO_8859_1));
      md5.update(secret);
      digest = md5.digest();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("MD5 is required by the Java platform", e);
    }
    send("APOP " + user + " " + HexFormat.of().formatHex(digest), "APOP " + user + " " + REDACTED);
    flush("APOP");
    String reply = status("APOP");
    if (!isOk(reply)) {
      throw authFailure(user, reply);
    }
  }

  private void loginPlain(String user, byte[] secret) throws IOException {
    byte[] userBytes = user.getBytes(StandardCharsets.UTF_8);
    byte[] sasl = new byte[1 + userBytes.length + 1 + secret.length];
    System.arraycopy(userBytes, 0, sasl, 1, userBytes.length);
    System.arraycopy(secret, 0, sasl, 2 + userBytes.length, secret.length);
    byte[] b64 = Base64.getEncoder().encode(sasl);
    try {
      sendSecret(ascii("AUTH PLAIN "), b64, "AUTH PLAIN " + REDACTED, "AUTH PLAIN");
    } finally {
      Arrays.fill(sasl, (byte) 0);
      Arrays.fill(b64, (byte) 0);
    }
    finishSasl("AUTH PLAIN", user, "*");
  }

  /**
   * Reads the outcome of a SASL exchange whose response was sent. A "+" continuation here carries
   * an error description (XOAUTH2) or an unexpected challenge: answer it with {@code cancel} and
   * report the failure.
   */
  private void finishSasl(String label, String user, String cancel) throws IOException {
    String reply = status(label);
    if (isOk(reply)) {
      return;
    }
    if (reply.startsWith("+")) {
      String detail = decodeBase64Lenient(after(reply, 1).strip());
      send(cancel, cancel);
      flush(label);
      String last = status(label);
      throw loginRefused(user, isErr(last) ? after(last, 4) + " " + detail : detail);
    }
    throw authFailure(user, reply);
  }

  /** Returns the failure for a reply other than +OK to USER, PASS, APOP or AUTH. */
  private Pop3Exception authFailure(String user, String reply) {
    if (isErr(reply)) {
      return loginRefused(user, after(reply, 4));
    }
    return desync(
        new Pop3Exception(
            Pop3Exception.Kind.PROTOCOL,
            "unexpected reply during authentication: " + quote(reply)));
  }

  /**
   * Returns an AUTH failure quoting {@code serverText}. Its response code tells the caller (and
   * core's exit-code map) whether the credentials were refused ({@code [AUTH]} or no code) or the
   * login was refused for now ({@code [IN-USE]}, {@code [LOGIN-DELAY]}, {@code [SYS/TEMP]}) or for
   * good ({@code [SYS/PERM]}); RFC 2449 and RFC 3206 allow those codes on exactly these replies.
   */
  private Pop3Exception loginRefused(String user, String serverText) {
    ResponseCode code = ResponseCode.parse(serverText);
    String what =
        switch (code) {
          case IN_USE, LOGIN_DELAY, SYS_TEMP, SYS_PERM -> "server refused the login for ";
          default -> "authentication failed for ";
        };
    return new Pop3Exception(
        Pop3Exception.Kind.AUTH,
        what + Text.sanitize(user) + ": " + quote(serverText) + hint(code),
        code,
        null);
  }

  /**
   * Returns the failure for the {@code -ERR} reply {@code reply}: {@code what}, the server's text
   * and, for a response code that says when to retry, a hint.
   */
  private Pop3Exception errReply(Pop3Exception.Kind kind, String what, String reply) {
    String text = after(reply, 4);
    ResponseCode code = ResponseCode.parse(text);
    return new Pop3Exception(kind, what + ": " + quote(text) + hint(code), code, null);
  }

  /** Returns the retry advice for {@code code}, with a leading space, or "". */
  private String hint(ResponseCode code) {
    return switch (code) {
      case IN_USE -> " (the mailbox is in use by another session; try again later)";
      case LOGIN_DELAY -> " (the server allows " + loginDelay() + "; try again later)";
      case SYS_TEMP -> " (a temporary failure on the server; try again later)";
      case SYS_PERM -> " (a permanent failure on the server; retrying will not help)";
      default -> "";
    };
  }

  /** Describes the login delay the server announced in CAPA (RFC 2449 LOGIN-DELAY), if any. */
  private String loginDelay() {
    List<String> sources = new ArrayList<>(capabilityLines);
    sources.addAll(capabilityLinesBeforeTls);
    for (String line : sources) {
      String[] words = Text.words(line);
      if (words.length >= 2
          && words[0].equalsIgnoreCase("LOGIN-DELAY")
          && words[1].chars().allMatch(c -> c >= '0' && c <= '9')
          && words[1].length() <= 9) {
        return "one login every " + words[1] + " s";
      }
    }
    return "a new login only after a delay";
  }

  /**
   * Quotes server text for a message or the log: sanitised, and withheld as a whole when it repeats
   * the secret of a login in progress as a word (a careless server echoing PASS). Never masks parts
   * of it: masking every occurrence of a short password rewrote the server's words (a one-letter
   * password masked that letter everywhere), and hiding what popvault sends is done where it sends.
   */
  private String quote(String serverText) {
    if (secretInFlight != null && Text.repeatsAsWord(serverText, secretInFlight)) {
      return "(server text withheld: it repeats the password)";
    }
    return Text.sanitize(serverText);
  }

  private static String decodeBase64Lenient(String text) {
    try {
      return new String(Base64.getDecoder().decode(text), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return text;
    }
  }

  private void checkCredentialsMayBeSent(String user) throws Pop3Exception {
    Objects.requireNonNull(user, "user");
    requireOpen();
    if (user.isEmpty() || user.indexOf('\r') >= 0 || user.indexOf('\n') >= 0) {
      throw new IllegalArgumentException("user name is empty or contains a line break");
    }
    if (tlsSocket == null && !settings.allowPlaintext()) {
      throw new Pop3Exception(
          Pop3Exception.Kind.PLAINTEXT_REFUSED,
          "connection is not encrypted; refusing to send the password in clear text"
              + " (use pop3s:// or --allow-plaintext)");
    }
  }

  private boolean saslOffers(String mechanism) {
    for (String line : capabilityLines) {
      String[] words = Text.words(line);
      if (words.length > 0 && words[0].equalsIgnoreCase("SASL")) {
        for (int i = 1; i < words.length; i++) {
          if (words[i].equalsIgnoreCase(mechanism)) {
            return true;
          }
        }
      }
    }
    return false;
  }

  /** Issues STAT; remembers the count to bound later listings. */
  public Stat stat() throws IOException {
    requireOpen();
    send("STAT", "STAT");
    flush("STAT");
    String text = expectOk("STAT", status("STAT"));
    String[] words = Text.words(text);
    if (words.length < 2) {
      throw desync(protocol("malformed STAT reply: " + Text.sanitize(text)));
    }
    long count = parseNumber(words[0], Integer.MAX_VALUE, "STAT count");
    long size = parseNumber(words[1], MAX_SIZE, "STAT size");
    statCount = (int) count;
    return new Stat((int) count, size);
  }

  /**
   * Issues UIDL and parses the listing.
   *
   * @throws Pop3Exception PROTOCOL on a malformed line, invalid or duplicate UIDL, duplicate or
   *     out-of-range message number (out of range: above the count of a previous STAT)
   */
  public List<UidlEntry> uidl() throws IOException {
    requireOpen();
    send("UIDL", "UIDL");
    flush("UIDL");
    return readUidl();
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
    requireOpen();
    if (!pipelining()) {
      List<UidlEntry> uidls = uidl();
      return new Listing(uidls, list());
    }
    send("UIDL", "UIDL");
    send("LIST", "LIST");
    flush("UIDL");
    List<UidlEntry> uidls;
    try {
      uidls = readUidl();
    } catch (Pop3Exception e) {
      throw desync(e);
    }
    return new Listing(uidls, readList());
  }

  private List<UidlEntry> readUidl() throws IOException {
    expectOk("UIDL", status("UIDL"));
    List<UidlEntry> entries = new ArrayList<>();
    Set<Integer> numbers = new HashSet<>();
    Set<String> ids = new HashSet<>();
    String line;
    while ((line = listingLine()) != null) {
      String[] words = Text.words(line);
      if (words.length != 2) {
        throw desync(protocol("malformed UIDL line: " + Text.sanitize(line)));
      }
      int n = messageNumber(words[0], "UIDL");
      Uidl id = desync(() -> Uidl.fromServer(words[1]));
      if (!numbers.add(n)) {
        throw desync(protocol("duplicate message number " + n + " in UIDL listing"));
      }
      if (!ids.add(id.value())) {
        throw desync(
            protocol("duplicate UIDL " + Text.sanitize(id.value()) + " (message " + n + ")"));
      }
      entries.add(new UidlEntry(n, id));
    }
    log.line("S", "<" + entries.size() + " UIDL entries>");
    return entries;
  }

  /**
   * Issues LIST and parses the scan listing.
   *
   * @throws Pop3Exception PROTOCOL on a malformed line, duplicate or out-of-range message number,
   *     negative, non-numeric or absurd (over 2^40) size
   */
  public List<ListEntry> list() throws IOException {
    requireOpen();
    send("LIST", "LIST");
    flush("LIST");
    return readList();
  }

  private List<ListEntry> readList() throws IOException {
    expectOk("LIST", status("LIST"));
    List<ListEntry> entries = new ArrayList<>();
    Set<Integer> numbers = new HashSet<>();
    String line;
    while ((line = listingLine()) != null) {
      // RFC 1939 §5 allows further text after the size; it is ignored.
      String[] words = Text.words(line);
      if (words.length < 2) {
        throw desync(protocol("malformed LIST line: " + Text.sanitize(line)));
      }
      int n = messageNumber(words[0], "LIST");
      long size = desync(() -> parseNumber(words[1], MAX_SIZE, "size of message " + n));
      if (!numbers.add(n)) {
        throw desync(protocol("duplicate message number " + n + " in LIST listing"));
      }
      entries.add(new ListEntry(n, size));
    }
    log.line("S", "<" + entries.size() + " LIST entries>");
    return entries;
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

  /** Streams one body to {@code handler}, or discards it when {@code handler} is null. */
  private void readBody(int number, BodyHandler handler) throws IOException {
    WireReader.BodyStream body = in.body();
    try {
      if (handler != null) {
        handler.body(number, body);
      }
      body.drain(scratch);
    } catch (IOException | RuntimeException e) {
      close();
      throw e;
    } finally {
      body.invalidate();
    }
    log.line("S", "<" + body.octets() + " octets>");
  }

  /**
   * DELEs each number (pipelined when offered), checking every reply.
   *
   * @throws Pop3Exception PROTOCOL naming the first number answered with -ERR; no further DELE is
   *     sent after it, replies in flight are read, and the session stays usable (RSET undoes the
   *     marks, QUIT commits them)
   */
  public void delete(List<Integer> numbers) throws IOException {
    pipelined("DELE", "", numbers, null);
  }

  /**
   * The one pipelined command window, shared by RETR, TOP and DELE: sends {@code verb N suffix} for
   * each number with at most pipelineWindow commands in flight (one at a time without PIPELINING)
   * and reads every reply in order. A multi-line reply (a {@code body} handler is given) is
   * streamed to it. After the first -ERR no further command is sent, the replies in flight are read
   * (bodies discarded) so the session stays usable, and that -ERR is thrown as PROTOCOL.
   *
   * @param body receives each body; null for single-line replies (DELE)
   */
  private void pipelined(String verb, String suffix, List<Integer> numbers, BodyHandler body)
      throws IOException {
    checkNumbers(numbers);
    requireOpen();
    int window = pipelining() ? settings.pipelineWindow() : 1;
    Pop3Exception refused = null;
    int sent = refill(verb, suffix, numbers, 0, 0, window);
    for (int done = 0; done < sent; done++) {
      int number = numbers.get(done);
      String label = verb + " " + number + suffix;
      String reply = status(label);
      if (isOk(reply)) {
        if (body != null) {
          readBody(number, refused == null ? body : null);
        }
      } else if (isErr(reply)) {
        if (refused == null) {
          refused = errReply(Pop3Exception.Kind.PROTOCOL, "server refused " + label, reply);
        }
      } else {
        throw desync(protocol("unexpected reply to " + label + ": " + Text.sanitize(reply)));
      }
      if (refused == null) {
        sent = refill(verb, suffix, numbers, sent, done + 1, window);
      }
    }
    if (refused != null) {
      throw refused;
    }
  }

  /**
   * Sends further commands once at most half the window is in flight, filling it again in one
   * write: one wake-up of the server per half window instead of one per message. With window 1 (no
   * PIPELINING) this is strict lock-step.
   *
   * @param completed how many replies have been read
   * @return how many commands have been sent now
   */
  private int refill(
      String verb, String suffix, List<Integer> numbers, int sent, int completed, int window)
      throws IOException {
    if (sent >= numbers.size() || sent - completed > window / 2) {
      return sent;
    }
    int first = sent;
    int target = Math.min(numbers.size(), completed + window);
    while (sent < target) {
      String command = verb + " " + numbers.get(sent) + suffix;
      send(command, command);
      sent++;
    }
    flush(verb + " " + numbers.get(first) + suffix);
    return sent;
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
   * deletions). Closes the connection in every case.
   */
  public void quit() throws IOException {
    requireOpen();
    try {
      send("QUIT", "QUIT");
      flush("QUIT");
      String reply = status("QUIT");
      if (isErr(reply)) {
        throw errReply(
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
    if (closed) {
      return;
    }
    closed = true;
    // The TCP socket goes first: closing TLS first writes close_notify, which could block on a
    // stalled peer. Nothing is lost by skipping the alert: QUIT's reply, when there is one, has
    // already ended the dialogue.
    closeQuietly(rawSocket);
    closeQuietly(tlsSocket);
  }

  private static void closeQuietly(Socket s) {
    if (s == null) {
      return;
    }
    try {
      s.close();
    } catch (IOException | RuntimeException e) {
      // Nothing useful to do: the connection is gone either way.
    }
  }

  private void simple(String command) throws IOException {
    requireOpen();
    send(command, command);
    flush(command);
    expectOk(command, status(command));
  }

  private void capa() throws IOException {
    send("CAPA", "CAPA");
    flush("CAPA");
    String reply = status("CAPA");
    if (isErr(reply)) {
      capabilities = Set.of();
      capabilityLines = List.of();
      return;
    }
    if (!isOk(reply)) {
      throw desync(protocol("unexpected reply to CAPA: " + Text.sanitize(reply)));
    }
    Set<String> names = new LinkedHashSet<>();
    List<String> lines = new ArrayList<>();
    String line;
    while ((line = listingLine()) != null) {
      String clean = Text.sanitize(line);
      log.line("S", clean);
      lines.add(clean);
      String[] words = Text.words(clean);
      if (!words[0].isEmpty()) {
        names.add(words[0].toUpperCase(Locale.ROOT));
      }
    }
    capabilities = Set.copyOf(names);
    capabilityLines = List.copyOf(lines);
  }

  /** Returns the next line of a multi-line listing, dot-unstuffed, or null at its terminator. */
  private String listingLine() throws IOException {
    String line = desync(() -> in.readLine(MAX_LINE));
    if (line.startsWith(".")) {
      return line.length() == 1 ? null : line.substring(1);
    }
    return line;
  }

  private String status(String label) throws IOException {
    in.command(label);
    String line = desync(() -> in.readLine(MAX_LINE));
    log.line("S", quote(line));
    return line;
  }

  private String expectOk(String label, String reply) throws Pop3Exception {
    if (isOk(reply)) {
      return after(reply, 3);
    }
    if (isErr(reply)) {
      // A clean -ERR keeps the dialogue in step: the session stays open.
      throw errReply(Pop3Exception.Kind.PROTOCOL, "server refused " + label, reply);
    }
    throw desync(protocol("unexpected reply to " + label + ": " + Text.sanitize(reply)));
  }

  private void send(String command, String logText) throws Pop3Exception {
    writeBytes(command.getBytes(StandardCharsets.UTF_8), null, logText, command);
  }

  /** Writes {@code prefix + secret + CRLF} and flushes; logs only {@code logText}. */
  private void sendSecret(byte[] prefix, byte[] secret, String logText, String label)
      throws Pop3Exception {
    writeBytes(prefix, secret, logText, label);
    flush(label);
  }

  private void writeBytes(byte[] a, byte[] b, String logText, String label) throws Pop3Exception {
    log.line("C", logText);
    try {
      out.write(a);
      if (b != null) {
        out.write(b);
      }
      out.write('\r');
      out.write('\n');
    } catch (IOException e) {
      throw desync(lost(label, e));
    }
  }

  private void flush(String label) throws Pop3Exception {
    try {
      out.flush();
    } catch (IOException e) {
      throw desync(lost(label, e));
    }
  }

  private static Pop3Exception lost(String label, IOException e) {
    return new Pop3Exception(
        Pop3Exception.Kind.CONNECTION_LOST,
        "connection lost while sending " + label + ": " + Text.sanitize(e.getMessage()),
        e);
  }

  private void requireOpen() throws Pop3Exception {
    if (closed) {
      throw new Pop3Exception(Pop3Exception.Kind.CONNECTION_LOST, "the POP3 session is closed");
    }
  }

  private static void checkNumbers(List<Integer> numbers) {
    Objects.requireNonNull(numbers, "numbers");
    if (numbers.isEmpty()) {
      throw new IllegalArgumentException("no message numbers given");
    }
    for (Integer n : numbers) {
      if (n == null || n < 1) {
        throw new IllegalArgumentException("message numbers start at 1: " + n);
      }
    }
  }

  private int messageNumber(String word, String listing) throws Pop3Exception {
    long n = desync(() -> parseNumber(word, Integer.MAX_VALUE, "message number in " + listing));
    if (n < 1 || (statCount >= 0 && n > statCount)) {
      throw desync(
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

  /** Closes the session because the dialogue is out of step, and returns {@code e} to throw. */
  private Pop3Exception desync(Pop3Exception e) {
    close();
    return e;
  }

  @FunctionalInterface
  private interface WireCall<T> {
    T call() throws Pop3Exception;
  }

  /** Runs {@code call}; any failure leaves the dialogue out of step, so the session is closed. */
  private <T> T desync(WireCall<T> call) throws Pop3Exception {
    try {
      return call.call();
    } catch (Pop3Exception e) {
      throw desync(e);
    }
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  private static byte[] utf8(char[] chars) {
    ByteBuffer bb = StandardCharsets.UTF_8.encode(CharBuffer.wrap(chars));
    byte[] bytes = new byte[bb.remaining()];
    bb.get(bytes);
    if (bb.hasArray()) {
      Arrays.fill(bb.array(), (byte) 0);
    }
    return bytes;
  }
}
