package dev.popvault.pop3;

import static dev.popvault.pop3.Replies.after;
import static dev.popvault.pop3.Replies.isErr;
import static dev.popvault.pop3.Replies.isOk;
import static dev.popvault.pop3.Replies.protocol;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The AUTHORIZATION state of one session: UTF8 (RFC 6856), then USER/PASS, APOP, SASL PLAIN,
 * XOAUTH2 or OAUTHBEARER (RFC 5034, RFC 7628), then CAPA and UTF8 again once logged in.
 *
 * <p>Secrets: a password or token is encoded into a byte array that is wiped when the exchange
 * ends, registered with the connection while in flight (so server text repeating it is withheld),
 * and logged only as {@value #REDACTED}. No exception message carries it.
 */
final class Pop3Authenticator {
  private static final String REDACTED = "********";
  private static final Pattern APOP_TIMESTAMP = Pattern.compile("<[\\x21-\\x3B\\x3D\\x3F-\\x7E]+>");

  private final Pop3Connection conn;
  private boolean utf8;

  Pop3Authenticator(Pop3Connection conn) {
    this.conn = Objects.requireNonNull(conn, "conn");
  }

  /** Returns whether UTF-8 mode is on: the server answered {@code UTF8} with +OK. */
  boolean utf8Enabled() {
    return utf8;
  }

  /** See {@link Pop3Client#enableUtf8()}: sends UTF8 once when the latest CAPA offers it. */
  boolean enableUtf8() throws IOException {
    conn.requireOpen();
    if (utf8 || !conn.capabilities().offers("UTF8")) {
      return utf8;
    }
    conn.send("UTF8", "UTF8");
    conn.flush("UTF8");
    String reply = conn.status("UTF8");
    if (isOk(reply)) {
      utf8 = true;
      return true;
    }
    if (isErr(reply)) {
      throw conn.errReply(
          Pop3Exception.Kind.PROTOCOL,
          "server offers UTF8 (RFC 6856) but refused it; without it a message with UTF-8 headers"
              + " may come back as a server-made notice, so popvault stops",
          reply);
    }
    throw conn.desync(protocol("unexpected reply to UTF8: " + Text.sanitize(reply)));
  }

  /**
   * Returns the mechanism {@code method} stands for: AUTO is SASL PLAIN when a CAPA SASL line
   * offers it, USER/PASS otherwise; every other method is itself.
   */
  static AuthMethod effective(AuthMethod method, Capabilities capabilities) {
    if (method == AuthMethod.AUTO) {
      return capabilities.offersSasl("PLAIN") ? AuthMethod.PLAIN : AuthMethod.USER;
    }
    return method;
  }

  /**
   * See {@link Pop3Client#login}. When the server offers PIPELINING before login, the credential,
   * the CAPA that follows it and, if {@code listAfter}, UIDL and LIST go out in one write: one
   * round trip instead of up to four (RFC 2449 §6.6 lets a client pipeline any commands). A refused
   * login then leaves replies in flight, so it closes the session ({@link Pop3Connection#desync}).
   *
   * @return true when UIDL and LIST were sent and their replies wait to be read
   */
  boolean login(String user, char[] password, AuthMethod method, boolean listAfter)
      throws IOException {
    Objects.requireNonNull(password, "password");
    Objects.requireNonNull(method, "method");
    checkCredentialsMayBeSent(user);
    AuthMethod chosen = effective(method, conn.capabilities());
    boolean pipelined = conn.capabilities().offers("PIPELINING");
    enableUtf8();
    byte[] secret = utf8(password);
    conn.secretInFlight(password);
    try {
      switch (chosen) {
        case USER -> sendUser(user, secret, pipelined);
        case APOP -> sendApop(user, secret);
        case PLAIN -> sendPlain(user, secret);
        default -> throw new IllegalStateException("unhandled method " + chosen);
      }
      if (pipelined) {
        conn.send("CAPA", "CAPA");
        if (listAfter) {
          conn.send("UIDL", "UIDL");
          conn.send("LIST", "LIST");
        }
      }
      conn.flush(chosen.name());
      readOutcome(chosen, user, pipelined);
    } catch (Pop3Exception e) {
      throw pipelined ? conn.desync(e) : e;
    } finally {
      Arrays.fill(secret, (byte) 0);
      conn.secretInFlight(null);
    }
    if (pipelined) {
      conn.readCapa();
      if (listAfter) {
        return true; // UTF8, if offered only now, waits until the listing is read
      }
      enableUtf8();
      return false;
    }
    afterLogin();
    return false;
  }

  /** Re-issues CAPA (some servers list more after login) and enables UTF-8 mode if now offered. */
  private void afterLogin() throws IOException {
    conn.capa();
    enableUtf8();
  }

  private void readOutcome(AuthMethod chosen, String user, boolean pipelined) throws IOException {
    switch (chosen) {
      case USER -> {
        if (!pipelined) {
          // Lock-step: PASS goes only after USER is accepted.
          return;
        }
        expectLoginOk(user, conn.status("USER"));
        expectLoginOk(user, conn.status("PASS"));
      }
      case APOP -> expectLoginOk(user, conn.status("APOP"));
      case PLAIN -> {
        try {
          finishSasl("AUTH PLAIN", user, "*", pipelined);
        } catch (Pop3Exception e) {
          throw notOffered("PLAIN", e);
        }
      }
      default -> throw new IllegalStateException("unhandled method " + chosen);
    }
  }

  private void expectLoginOk(String user, String reply) throws Pop3Exception {
    if (!isOk(reply)) {
      throw authFailure(user, reply);
    }
  }

  /** See {@link Pop3Client#loginXoauth2}. */
  void loginXoauth2(String user, char[] token, boolean twoStep) throws IOException {
    loginBearer("XOAUTH2", "user=" + user + "\u0001auth=Bearer ", user, token, twoStep);
  }

  /** See {@link Pop3Client#loginOauthbearer}. */
  void loginOauthbearer(String user, char[] token, boolean twoStep) throws IOException {
    String saslName = user.replace("=", "=3D").replace(",", "=2C");
    Pop3Settings settings = conn.settings();
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

  /**
   * Sends {@code prefixText + token + ^A^A} base64-encoded after {@code AUTH mechanism}: with the
   * command, or after a "+" continuation when {@code twoStep}.
   */
  private void loginBearer(
      String mechanism, String prefixText, String user, char[] token, boolean twoStep)
      throws IOException {
    Objects.requireNonNull(token, "token");
    checkCredentialsMayBeSent(user);
    enableUtf8();
    byte[] tokenBytes = utf8(token);
    byte[] sasl = null;
    byte[] b64 = null;
    conn.secretInFlight(token);
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
        conn.send(label, label);
        conn.flush(label);
        String challenge = conn.status(label);
        if (!challenge.startsWith("+") || isOk(challenge)) {
          throw authFailure(user, challenge);
        }
        conn.sendSecret(new byte[0], b64, REDACTED, label);
      } else {
        conn.sendSecret(ascii(label + " "), b64, label + " " + REDACTED, label);
      }
      finishSasl(label, user, "");
    } catch (Pop3Exception e) {
      throw notOffered(mechanism, e);
    } finally {
      Arrays.fill(tokenBytes, (byte) 0);
      if (sasl != null) {
        Arrays.fill(sasl, (byte) 0);
      }
      if (b64 != null) {
        Arrays.fill(b64, (byte) 0);
      }
      conn.secretInFlight(null);
    }
    afterLogin();
  }

  /** Sends USER and PASS: together when pipelined, else each after the last one's +OK. */
  private void sendUser(String user, byte[] secret, boolean pipelined) throws IOException {
    conn.send("USER " + user, "USER " + user);
    if (pipelined) {
      conn.writeSecret(ascii("PASS "), secret, "PASS " + REDACTED, "PASS");
      return;
    }
    conn.flush("USER");
    expectLoginOk(user, conn.status("USER"));
    conn.sendSecret(ascii("PASS "), secret, "PASS " + REDACTED, "PASS");
    expectLoginOk(user, conn.status("PASS"));
  }

  private void sendApop(String user, byte[] secret) throws IOException {
    Matcher m = APOP_TIMESTAMP.matcher(conn.greetingLine());
    if (!m.find()) {
      throw new Pop3Exception(
          Pop3Exception.Kind.AUTH, "server greeting has no APOP timestamp; cannot use APOP");
    }
    byte[] digest;
    try {
      MessageDigest md5 = MessageDigest.getInstance("MD5");
      md5.update(m.group().getBytes(StandardCharsets.ISO_8859_1));
      md5.update(secret);
      digest = md5.digest();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("MD5 is required by the Java platform", e);
    }
    conn.send(
        "APOP " + user + " " + HexFormat.of().formatHex(digest), "APOP " + user + " " + REDACTED);
  }

  private void sendPlain(String user, byte[] secret) throws IOException {
    byte[] userBytes = user.getBytes(StandardCharsets.UTF_8);
    byte[] sasl = new byte[1 + userBytes.length + 1 + secret.length];
    System.arraycopy(userBytes, 0, sasl, 1, userBytes.length);
    System.arraycopy(secret, 0, sasl, 2 + userBytes.length, secret.length);
    byte[] b64 = Base64.getEncoder().encode(sasl);
    try {
      conn.writeSecret(ascii("AUTH PLAIN "), b64, "AUTH PLAIN " + REDACTED, "AUTH PLAIN");
    } finally {
      Arrays.fill(sasl, (byte) 0);
      Arrays.fill(b64, (byte) 0);
    }
  }

  /**
   * Returns {@code refusal} worded for a SASL {@code mechanism} the latest CAPA does not list: "the
   * server does not offer XOAUTH2 (it offers: USER, PLAIN)", then the server's text; any other
   * failure unchanged.
   */
  private Pop3Exception notOffered(String mechanism, Pop3Exception refusal) {
    Capabilities capa = conn.capabilities();
    ResponseCode code = refusal.responseCode();
    // Without CAPA, or refused for now ([IN-USE], [LOGIN-DELAY], [SYS/...]), the list says nothing.
    if (refusal.kind() != Pop3Exception.Kind.AUTH
        || capa.lines().isEmpty()
        || capa.offersSasl(mechanism)
        || (code != ResponseCode.NONE && code != ResponseCode.AUTH)) {
      return refusal;
    }
    List<String> offered = capa.loginMethods();
    String offers =
        offered.isEmpty()
            ? "its CAPA lists no login method"
            : "it offers: " + String.join(", ", offered);
    return new Pop3Exception(
        Pop3Exception.Kind.AUTH,
        "the server does not offer " + mechanism + " (" + offers + "); " + refusal.getMessage(),
        refusal.responseCode(),
        refusal.getCause());
  }

  /**
   * Reads the outcome of a SASL exchange whose response was sent. A "+" continuation here carries
   * an error description (XOAUTH2) or an unexpected challenge: answer it with {@code cancel} and
   * report the failure.
   */
  private void finishSasl(String label, String user, String cancel) throws IOException {
    finishSasl(label, user, cancel, false);
  }

  /**
   * As above; when {@code pipelined}, the commands sent after the response would be read as SASL
   * data, so a continuation is not answered: the caller closes the session.
   */
  private void finishSasl(String label, String user, String cancel, boolean pipelined)
      throws IOException {
    String reply = conn.status(label);
    if (isOk(reply)) {
      return;
    }
    if (reply.startsWith("+") && pipelined) {
      throw loginRefused(user, decodeBase64Lenient(after(reply, 1).strip()));
    }
    if (reply.startsWith("+")) {
      String detail = decodeBase64Lenient(after(reply, 1).strip());
      conn.send(cancel, cancel);
      conn.flush(label);
      String last = conn.status(label);
      throw loginRefused(user, isErr(last) ? after(last, 4) + " " + detail : detail);
    }
    throw authFailure(user, reply);
  }

  /** Returns the failure for a reply other than +OK to USER, PASS, APOP or AUTH. */
  private Pop3Exception authFailure(String user, String reply) {
    if (isErr(reply)) {
      return loginRefused(user, after(reply, 4));
    }
    return conn.desync(
        new Pop3Exception(
            Pop3Exception.Kind.PROTOCOL,
            "unexpected reply during authentication: " + conn.quote(reply)));
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
        what + Text.sanitize(user) + ": " + conn.quote(serverText) + conn.hint(code),
        code,
        null);
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
    conn.requireOpen();
    if (user.isEmpty() || user.indexOf('\r') >= 0 || user.indexOf('\n') >= 0) {
      throw new IllegalArgumentException("user name is empty or contains a line break");
    }
    if (!conn.encrypted() && !conn.settings().allowPlaintext()) {
      throw new Pop3Exception(
          Pop3Exception.Kind.PLAINTEXT_REFUSED,
          "connection is not encrypted; refusing to send the password in clear text"
              + " (use pop3s:// or --allow-plaintext)");
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
