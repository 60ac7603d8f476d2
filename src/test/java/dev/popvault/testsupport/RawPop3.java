package dev.popvault.testsupport;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

/**
 * Speaks just enough POP3 over a raw socket to check a server independently of the product's
 * client: one command at a time, dot-unstuffing of multi-line replies, STLS and implicit TLS with
 * strict verification.
 *
 * <p>Connects to 127.0.0.1 only. Commands and replies are ISO-8859-1 strings; message bodies are
 * bytes. Error messages never contain the password given to {@link #login}.
 */
public final class RawPop3 implements AutoCloseable {
  private static final int TIMEOUT_MILLIS = 30_000;

  private Socket socket;
  private InputStream in;
  private OutputStream out;
  private final byte[] buffer = new byte[64 * 1024];
  private int position;
  private int limit;
  private final String greeting;

  private RawPop3(Socket socket) throws IOException {
    attach(socket);
    greeting = statusLine("(greeting)");
  }

  /** Connects in plaintext to {@code 127.0.0.1:port} and reads the greeting. */
  public static RawPop3 connect(int port) {
    try {
      return new RawPop3(open(port));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot connect to 127.0.0.1:" + port, e);
    }
  }

  /**
   * Connects with implicit TLS (POP3S), verifying the chain against {@code caFile} and the
   * certificate against {@code hostname}, and reads the greeting.
   *
   * @throws UncheckedIOException wrapping the {@code SSLHandshakeException} when verification fails
   */
  public static RawPop3 connectTls(int port, Path caFile, String hostname) {
    try {
      Socket plain = open(port);
      return new RawPop3(handshake(plain, caFile, hostname, port));
    } catch (IOException e) {
      throw new UncheckedIOException("TLS connection to 127.0.0.1:" + port + " failed", e);
    }
  }

  /** Returns the greeting line without its CRLF. */
  public String greeting() {
    return greeting;
  }

  /** Sends {@code command} and returns the status line without its CRLF, whether +OK or -ERR. */
  public String command(String command) {
    try {
      out.write((command + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      return statusLine(command);
    } catch (IOException e) {
      throw new UncheckedIOException("POP3 I/O failed during " + verb(command), e);
    }
  }

  /** Sends {@code command} and returns its status line, which must start with {@code +OK}. */
  public String ok(String command) {
    String status = command(command);
    if (!status.startsWith("+OK")) {
      throw new AssertionError(verb(command) + " answered: " + status);
    }
    return status;
  }

  /** Logs in with USER/PASS; the password never appears in a failure message. */
  public void login(String user, String password) {
    ok("USER " + user);
    String status = command("PASS " + password);
    if (!status.startsWith("+OK")) {
      throw new AssertionError("PASS for " + user + " answered: " + status);
    }
  }

  /**
   * Sends a command with a multi-line reply (CAPA, UIDL, LIST, TOP) and returns its lines,
   * unstuffed and without CRLF, excluding the status line and the terminating ".".
   */
  public List<String> multiline(String command) {
    ok(command);
    String text = new String(readMultiline(), StandardCharsets.ISO_8859_1);
    List<String> lines = new ArrayList<>(Arrays.asList(text.split("\r\n", -1)));
    lines.remove(lines.size() - 1); // after the last CRLF
    return lines;
  }

  /**
   * Retrieves message {@code number} and returns its bytes as sent, after dot-unstuffing, including
   * the CRLF of the last line; the terminating ".CRLF" is not included.
   */
  public byte[] retr(int number) {
    ok("RETR " + number);
    return readMultiline();
  }

  /**
   * Upgrades the connection with STLS, verifying the chain against {@code caFile} and the
   * certificate against {@code hostname}.
   */
  public void stls(Path caFile, String hostname) {
    ok("STLS");
    if (position != limit) {
      throw new AssertionError("server sent bytes after +OK to STLS (response injection)");
    }
    try {
      attach(handshake(socket, caFile, hostname, socket.getPort()));
    } catch (IOException e) {
      throw new UncheckedIOException("STLS handshake failed", e);
    }
  }

  /** Returns the TLS session, or null on a plaintext connection. */
  public SSLSession tlsSession() {
    return socket instanceof SSLSocket ssl ? ssl.getSession() : null;
  }

  /** Closes the socket without sending QUIT (so nothing is deleted: RFC 1939 §6). */
  @Override
  public void close() {
    try {
      socket.close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Returns an SSL context that trusts exactly the certificates in the PEM file {@code caFile}. */
  public static SSLContext trusting(Path caFile) {
    try (InputStream pem = Files.newInputStream(caFile)) {
      KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
      store.load(null, null);
      int i = 0;
      for (Certificate cert : CertificateFactory.getInstance("X.509").generateCertificates(pem)) {
        store.setCertificateEntry("ca" + i++, cert);
      }
      TrustManagerFactory trust =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      trust.init(store);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(null, trust.getTrustManagers(), null);
      return context;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + caFile, e);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot build trust from " + caFile, e);
    }
  }

  private static Socket open(int port) throws IOException {
    Socket socket = new Socket();
    socket.connect(new InetSocketAddress("127.0.0.1", port), TIMEOUT_MILLIS);
    socket.setSoTimeout(TIMEOUT_MILLIS);
    return socket;
  }

  private static SSLSocket handshake(Socket plain, Path caFile, String hostname, int port)
      throws IOException {
    SSLSocket ssl =
        (SSLSocket) trusting(caFile).getSocketFactory().createSocket(plain, hostname, port, true);
    SSLParameters parameters = ssl.getSSLParameters();
    // "HTTPS" identification = RFC 2818/6125 host name checks, the ones a mail client should apply.
    parameters.setEndpointIdentificationAlgorithm("HTTPS");
    ssl.setSSLParameters(parameters);
    ssl.setSoTimeout(TIMEOUT_MILLIS);
    ssl.startHandshake();
    return ssl;
  }

  private void attach(Socket socket) throws IOException {
    this.socket = socket;
    this.in = socket.getInputStream();
    this.out = socket.getOutputStream();
    position = 0;
    limit = 0;
  }

  private String statusLine(String command) throws IOException {
    byte[] line = readLine();
    if (line == null) {
      throw new IOException("connection closed awaiting the reply to " + verb(command));
    }
    int end = line.length;
    if (end >= 2 && line[end - 2] == '\r') {
      end -= 2;
    } else {
      end -= 1;
    }
    return new String(line, 0, end, StandardCharsets.ISO_8859_1);
  }

  private byte[] readMultiline() {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    try {
      while (true) {
        byte[] line = readLine();
        if (line == null) {
          throw new IOException("connection closed inside a multi-line reply");
        }
        if (line.length == 3 && line[0] == '.' && line[1] == '\r' && line[2] == '\n') {
          return body.toByteArray();
        }
        int skip = line.length > 0 && line[0] == '.' ? 1 : 0;
        body.write(line, skip, line.length - skip);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Returns the next line including its LF, or null at end of stream. A final unterminated line
   * fails.
   */
  private byte[] readLine() throws IOException {
    ByteArrayOutputStream line = null;
    while (true) {
      if (position == limit) {
        limit = in.read(buffer);
        position = 0;
        if (limit < 0) {
          limit = 0;
          if (line == null) {
            return null;
          }
          throw new IOException("connection closed inside a line");
        }
      }
      int lf = position;
      while (lf < limit && buffer[lf] != '\n') {
        lf++;
      }
      if (lf < limit) {
        byte[] chunk = Arrays.copyOfRange(buffer, position, lf + 1);
        position = lf + 1;
        if (line == null) {
          return chunk;
        }
        line.write(chunk);
        return line.toByteArray();
      }
      if (line == null) {
        line = new ByteArrayOutputStream();
      }
      line.write(buffer, position, limit - position);
      position = limit;
    }
  }

  private static String verb(String command) {
    int space = command.indexOf(' ');
    String verb = space < 0 ? command : command.substring(0, space);
    // Keep arguments of commands that may carry secrets out of messages.
    return switch (verb.toUpperCase(java.util.Locale.ROOT)) {
      case "PASS", "APOP", "AUTH" -> verb;
      default -> command;
    };
  }
}
