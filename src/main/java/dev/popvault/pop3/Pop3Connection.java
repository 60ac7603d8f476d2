package dev.popvault.pop3;

import static dev.popvault.pop3.Replies.after;
import static dev.popvault.pop3.Replies.isErr;
import static dev.popvault.pop3.Replies.isOk;
import static dev.popvault.pop3.Replies.protocol;

import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;

/**
 * Owns the transport of one POP3 session: the socket, the TLS upgrade (at connect for pop3s, or
 * after the STLS that {@link SessionStart} negotiates), the greeting, the latest CAPA, and the line
 * dialogue with its log. Everything that speaks to the server goes through {@link #send}, {@link
 * #flush} and the readers here, so the dialogue log, the redaction of secrets and the error mapping
 * live in one place.
 *
 * <p>Contracts: any failure that leaves the dialogue out of step closes the connection ({@link
 * #desync}); a clean {@code -ERR} does not. What the client sends is logged as the caller's {@code
 * logText} (secrets already replaced); server lines are quoted by {@link #quote}.
 */
final class Pop3Connection implements Closeable {
  /** Bound on a status, CAPA or listing line; RFC 1939 allows 512, real servers stay far below. */
  static final int MAX_LINE = 8192;

  private final Pop3Settings settings;
  private final Pop3Log log;
  private Socket rawSocket;
  private SSLSocket tlsSocket;
  private WireReader in;
  private OutputStream out;
  private String greetingLine = "";
  private Capabilities capabilities = Capabilities.NONE;
  private Capabilities capabilitiesBeforeTls = Capabilities.NONE;
  private boolean closed;
  private FutureTask<Tls.Prepared> tlsSetup;

  /**
   * The secret of a login in progress. Server text that repeats it as a word is withheld from logs
   * and messages (M6); server text is never partly masked (see {@link #quote}).
   */
  private char[] secretInFlight;

  private final byte[] scratch = new byte[8192];

  Pop3Connection(Pop3Settings settings, Pop3Log log) {
    this.settings = Objects.requireNonNull(settings, "settings");
    this.log = Objects.requireNonNull(log, "log");
  }

  /** Returns a connection over the given streams, greeting already read: for unit tests only. */
  static Pop3Connection overStreams(
      Pop3Settings settings, Pop3Log log, InputStream input, OutputStream output) {
    Pop3Connection c = new Pop3Connection(settings, log);
    c.bindStreams(input, output);
    return c;
  }

  /**
   * Opens the TCP connection within the connect timeout (reads then time out after the read
   * timeout) and, for pop3s, the TLS layer over it.
   *
   * @throws Pop3Exception UNAVAILABLE when no connection could be made; as {@link Tls#handshake}
   */
  void connect() throws IOException {
    prepareTls();
    String where = settings.host() + ":" + settings.port();
    Socket raw = new Socket();
    rawSocket = raw;
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
      startTls();
    } else {
      bindStreams(raw.getInputStream(), raw.getOutputStream());
    }
  }

  /** Reads the greeting line, logs it sanitised and keeps it; the caller judges it. */
  String readGreeting() throws Pop3Exception {
    in.command("greeting");
    String line = in.readLine(MAX_LINE);
    log.line("S", Text.sanitize(line));
    greetingLine = line;
    return line;
  }

  /**
   * Switches to TLS after the server's +OK to STLS. Refuses when the server sent anything after
   * that reply: bytes sent before the handshake could be injected by an attacker (RFC 2595 §3.1
   * note).
   */
  void upgradeAfterStls() throws IOException {
    if (in.buffered() > 0) {
      throw new Pop3Exception(
          Pop3Exception.Kind.PROTOCOL, "server sent data after the STLS reply, before TLS");
    }
    startTls();
  }

  /**
   * Starts building the TLS context (provider, trust anchors) on a helper thread, so that it costs
   * no time of its own: the TCP connection, the greeting and CAPA take at least as long. Skipped
   * when plaintext is allowed on a pop3:// URL (the context is then built if STLS is offered).
   */
  private void prepareTls() {
    if (tlsSetup != null || (settings.allowPlaintext() && !settings.implicitTls())) {
      return;
    }
    tlsSetup = new FutureTask<>(() -> Tls.prepare(settings.trust()));
    Thread t = new Thread(tlsSetup, "popvault-tls-setup");
    t.setDaemon(true);
    t.start();
  }

  /** Returns the prepared TLS context, building it now if it was not started. */
  private Tls.Prepared preparedTls() throws Pop3Exception {
    if (tlsSetup == null) {
      return Tls.prepare(settings.trust());
    }
    try {
      return tlsSetup.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new Pop3Exception(
          Pop3Exception.Kind.CONNECTION_LOST, "interrupted during TLS setup", e);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof Pop3Exception p) {
        throw p;
      }
      throw new IllegalStateException("TLS setup failed", e.getCause());
    }
  }

  /** Layers TLS over the TCP socket ({@link Tls} decides trust) and talks through it. */
  private void startTls() throws IOException {
    tlsSocket =
        Tls.handshake(
            rawSocket,
            settings.host(),
            settings.port(),
            settings.implicitTls(),
            preparedTls(),
            settings.readTimeout());
    bindStreams(tlsSocket.getInputStream(), tlsSocket.getOutputStream());
  }

  private void bindStreams(InputStream input, OutputStream output) {
    in = new WireReader(input, settings.readTimeout());
    out = new BufferedOutputStream(output, 8192);
  }

  Pop3Settings settings() {
    return settings;
  }

  /** Returns the greeting line as received: untrusted, unsanitised (APOP reads its timestamp). */
  String greetingLine() {
    return greetingLine;
  }

  /** Returns the latest CAPA answer. */
  Capabilities capabilities() {
    return capabilities;
  }

  /** Returns the CAPA answer received in clear text before STLS ({@code NONE} for pop3s). */
  Capabilities capabilitiesBeforeTls() {
    return capabilitiesBeforeTls;
  }

  /** Keeps the latest CAPA answer as the one received in clear text, before any STLS. */
  void keepCapabilitiesBeforeTls() {
    capabilitiesBeforeTls = capabilities;
  }

  /** Returns whether the dialogue runs over TLS. */
  boolean encrypted() {
    return tlsSocket != null;
  }

  Optional<SSLSession> tlsSession() {
    return tlsSocket == null ? Optional.empty() : Optional.of(tlsSocket.getSession());
  }

  /**
   * Marks {@code secret} as the secret of the login in progress (null when it is over), so that
   * server text repeating it is withheld. The caller owns the array.
   */
  void secretInFlight(char[] secret) {
    secretInFlight = secret;
  }

  /** Issues CAPA and keeps the answer; -ERR means no capabilities. */
  void capa() throws IOException {
    send("CAPA", "CAPA");
    flush("CAPA");
    readCapa();
  }

  /** Reads the answer to a CAPA already sent and keeps it; -ERR means no capabilities. */
  void readCapa() throws IOException {
    String reply = status("CAPA");
    if (isErr(reply)) {
      capabilities = Capabilities.NONE;
      return;
    }
    if (!isOk(reply)) {
      throw desync(protocol("unexpected reply to CAPA: " + Text.sanitize(reply)));
    }
    List<String> lines = new ArrayList<>();
    String line;
    while ((line = listingLine()) != null) {
      String clean = Text.sanitize(line);
      log.line("S", clean);
      lines.add(clean);
    }
    capabilities = Capabilities.of(lines);
  }

  /** Writes {@code command} + CRLF (not flushed) and logs {@code logText} in its place. */
  void send(String command, String logText) throws Pop3Exception {
    writeBytes(command.getBytes(StandardCharsets.UTF_8), null, logText, command);
  }

  /** Writes {@code prefix + secret + CRLF} and flushes; logs only {@code logText}. */
  void sendSecret(byte[] prefix, byte[] secret, String logText, String label) throws Pop3Exception {
    writeSecret(prefix, secret, logText, label);
    flush(label);
  }

  /**
   * Writes {@code prefix + secret + CRLF} without flushing (pipelined); logs only {@code logText}.
   */
  void writeSecret(byte[] prefix, byte[] secret, String logText, String label)
      throws Pop3Exception {
    writeBytes(prefix, secret, logText, label);
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

  /** Sends what was written; {@code label} names the command in a failure. */
  void flush(String label) throws Pop3Exception {
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

  /** Reads the status line of the reply to {@code label} and logs it quoted. */
  String status(String label) throws IOException {
    in.command(label);
    String line = desync(() -> in.readLine(MAX_LINE));
    log.line("S", quote(line));
    return line;
  }

  /** Returns the next line of a multi-line listing, dot-unstuffed, or null at its terminator. */
  String listingLine() throws IOException {
    String line = desync(() -> in.readLine(MAX_LINE));
    if (line.startsWith(".")) {
      return line.length() == 1 ? null : line.substring(1);
    }
    return line;
  }

  /**
   * Streams one multi-line body to {@code handler}, or discards it when {@code handler} is null.
   * The stream is unusable once this returns; a failure of the handler closes the connection.
   */
  void body(int number, BodyHandler handler) throws IOException {
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

  /** Logs a summary of what the server sent, e.g. {@code <12 UIDL entries>}. */
  void logServer(String summary) {
    log.line("S", summary);
  }

  /**
   * Returns the text after {@code +OK}; a {@code -ERR} is PROTOCOL (the session stays in step),
   * anything else is PROTOCOL and closes the session.
   */
  String expectOk(String label, String reply) throws Pop3Exception {
    if (isOk(reply)) {
      return after(reply, 3);
    }
    if (isErr(reply)) {
      // A clean -ERR keeps the dialogue in step: the session stays open.
      throw errReply(Pop3Exception.Kind.PROTOCOL, "server refused " + label, reply);
    }
    throw desync(protocol("unexpected reply to " + label + ": " + Text.sanitize(reply)));
  }

  /**
   * Returns the failure for the {@code -ERR} reply {@code reply}: {@code what}, the server's text
   * and, for a response code that says when to retry, a hint.
   */
  Pop3Exception errReply(Pop3Exception.Kind kind, String what, String reply) {
    String text = after(reply, 4);
    ResponseCode code = ResponseCode.parse(text);
    return new Pop3Exception(kind, what + ": " + quote(text) + hint(code), code, null);
  }

  /** Returns the retry advice for {@code code}, with a leading space, or "". */
  String hint(ResponseCode code) {
    return code.retryHint(Capabilities.loginDelay(capabilities, capabilitiesBeforeTls));
  }

  /**
   * Quotes server text for a message or the log: sanitised, and withheld as a whole when it repeats
   * the secret of a login in progress as a word (a careless server echoing PASS). Never masks parts
   * of it: masking every occurrence of a short password rewrote the server's words (a one-letter
   * password masked that letter everywhere), and hiding what popvault sends is done where it sends.
   */
  String quote(String serverText) {
    if (secretInFlight != null && Text.repeatsAsWord(serverText, secretInFlight)) {
      return "(server text withheld: it repeats the password)";
    }
    return Text.sanitize(serverText);
  }

  void requireOpen() throws Pop3Exception {
    if (closed) {
      throw new Pop3Exception(Pop3Exception.Kind.CONNECTION_LOST, "the POP3 session is closed");
    }
  }

  /** Closes the session because the dialogue is out of step, and returns {@code e} to throw. */
  Pop3Exception desync(Pop3Exception e) {
    close();
    return e;
  }

  /** A read or parse of server data that throws only {@link Pop3Exception}. */
  @FunctionalInterface
  interface WireCall<T> {
    T call() throws Pop3Exception;
  }

  /** Runs {@code call}; any failure leaves the dialogue out of step, so the session is closed. */
  <T> T desync(WireCall<T> call) throws Pop3Exception {
    try {
      return call.call();
    } catch (Pop3Exception e) {
      throw desync(e);
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
}
