package dev.popvault.testsupport;

import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PushbackInputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

/**
 * Plays a scripted POP3 server on 127.0.0.1 for tests: accepts connections one after another and
 * runs the same {@link Script} for each, on a real socket. Scripts read client lines, answer with
 * any bytes, stall, cut the connection or switch to TLS. Every line the client sent is recorded.
 *
 * <p>{@link #close()} stops the server and fails (AssertionError) if a script threw, so a script's
 * own expectations ({@link Conversation#expect}) are checked by closing the server.
 */
public final class ScriptedPop3Server implements AutoCloseable {

  /** Drives one client connection. */
  @FunctionalInterface
  public interface Script {
    /** Runs the server side of one connection; the connection is closed when it returns. */
    void run(Conversation c) throws Exception;
  }

  private final ServerSocket server;
  private final Script script;
  private final SSLContext implicitTls;
  private final Thread thread;
  private final List<String> received = new CopyOnWriteArrayList<>();
  private final List<Throwable> failures = new CopyOnWriteArrayList<>();
  private volatile Socket current;
  private volatile boolean stopping;

  private ScriptedPop3Server(Script script, SSLContext implicitTls) throws IOException {
    this.script = Objects.requireNonNull(script, "script");
    this.implicitTls = implicitTls;
    this.server = new ServerSocket();
    server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    this.thread = new Thread(this::acceptLoop, "scripted-pop3-" + server.getLocalPort());
    thread.setDaemon(true);
    thread.start();
  }

  /** Starts a plaintext server running {@code script} for each connection. */
  public static ScriptedPop3Server start(Script script) throws IOException {
    return new ScriptedPop3Server(script, null);
  }

  /** Starts a server that speaks TLS from the first byte (pop3s) with {@code tls}. */
  public static ScriptedPop3Server startImplicitTls(SSLContext tls, Script script)
      throws IOException {
    return new ScriptedPop3Server(script, Objects.requireNonNull(tls, "tls"));
  }

  /** Returns the port on 127.0.0.1. */
  public int port() {
    return server.getLocalPort();
  }

  /** Returns every line clients sent so far, without CRLF, in order. */
  public List<String> received() {
    return Collections.unmodifiableList(new ArrayList<>(received));
  }

  /** Returns the failures scripts raised so far. */
  public List<Throwable> failures() {
    return List.copyOf(failures);
  }

  private void acceptLoop() {
    while (!stopping) {
      Socket s;
      try {
        s = server.accept();
      } catch (IOException e) {
        return;
      }
      current = s;
      try {
        Socket conn = s;
        if (implicitTls != null) {
          conn = Conversation.wrapServerTls(implicitTls, s);
        }
        script.run(new Conversation(conn, received));
      } catch (Throwable t) {
        if (!stopping) {
          failures.add(t);
        }
      } finally {
        current = null;
        closeQuietly(s);
      }
    }
  }

  private static void closeQuietly(Socket s) {
    try {
      s.close();
    } catch (IOException e) {
      // The test is over with this connection either way.
    }
  }

  /**
   * Stops accepting, waits for the running script to end (cutting its connection after 2 s) and
   * throws AssertionError if any script failed. Call it before asserting on {@link #received()}
   * when the script may still be running; {@link #close()} calls it too.
   */
  public void finish() {
    stopping = true;
    closeQuietly(server);
    join();
    Socket s = current;
    if (s != null) {
      closeQuietly(s);
      join();
    }
    if (!failures.isEmpty()) {
      AssertionError e = new AssertionError("scripted server failed: " + failures.get(0));
      failures.forEach(e::addSuppressed);
      throw e;
    }
  }

  private void join() {
    try {
      thread.join(2000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void closeQuietly(ServerSocket s) {
    try {
      s.close();
    } catch (IOException e) {
      // Closing a listening socket only fails if it is already broken.
    }
  }

  /** Same as {@link #finish()}. */
  @Override
  public void close() {
    finish();
  }

  /** Answers one client command inside {@link Conversation#serve}. */
  @FunctionalInterface
  public interface CommandHandler {
    /**
     * Answers {@code line} (already read and recorded).
     *
     * @return false to end the conversation (e.g. after QUIT)
     */
    boolean handle(String line, Conversation c) throws Exception;
  }

  /** The server side of one connection. */
  public static final class Conversation {
    private Socket socket;
    private PushbackInputStream in;
    private OutputStream out;
    private final List<String> received;

    Conversation(Socket socket, List<String> received) throws IOException {
      this.received = received;
      bind(socket);
    }

    private void bind(Socket s) throws IOException {
      this.socket = s;
      this.in = new PushbackInputStream(s.getInputStream(), 1);
      this.out = new BufferedOutputStream(s.getOutputStream(), 65536);
    }

    static SSLSocket wrapServerTls(SSLContext ctx, Socket s) throws IOException {
      SSLSocket tls =
          (SSLSocket)
              ctx.getSocketFactory()
                  .createSocket(s, s.getInetAddress().getHostAddress(), s.getPort(), true);
      tls.setUseClientMode(false);
      return tls;
    }

    /** Returns the socket (plain or TLS). */
    public Socket socket() {
      return socket;
    }

    /** Sends {@code line} followed by CRLF and flushes. */
    public Conversation send(String line) throws IOException {
      return sendRaw((line + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
    }

    /** Sends the bytes exactly as given and flushes. */
    public Conversation sendRaw(byte[] bytes) throws IOException {
      out.write(bytes);
      out.flush();
      return this;
    }

    /** Sends an ISO-8859-1 string exactly as given (no CRLF added) and flushes. */
    public Conversation sendRaw(String latin1) throws IOException {
      return sendRaw(latin1.getBytes(StandardCharsets.ISO_8859_1));
    }

    /** Sends a "+OK" status line, then each line dot-stuffed, then the ".CRLF" terminator. */
    public Conversation sendMultiline(String status, String... lines) throws IOException {
      StringBuilder sb = new StringBuilder(status).append("\r\n");
      for (String l : lines) {
        sb.append(l.startsWith(".") ? "." : "").append(l).append("\r\n");
      }
      sb.append(".\r\n");
      return sendRaw(sb.toString());
    }

    /** Sends the greeting "+OK {@code text}". */
    public Conversation greet(String text) throws IOException {
      return send("+OK " + text);
    }

    /** Expects CAPA and answers with {@code capabilities} (one per line). */
    public Conversation answerCapa(String... capabilities) throws IOException {
      expect("CAPA");
      return sendMultiline("+OK capability list follows", capabilities);
    }

    /**
     * Reads one client line without its CRLF (bare LF accepted) and records it; null at EOF or when
     * the client reset the connection.
     */
    public String readLine() throws IOException {
      ByteArrayOutputStream line = new ByteArrayOutputStream();
      int b;
      try {
        while ((b = in.read()) >= 0 && b != '\n') {
          line.write(b);
        }
      } catch (SocketException e) {
        return null;
      }
      if (b < 0 && line.size() == 0) {
        return null;
      }
      String s = line.toString(StandardCharsets.ISO_8859_1);
      if (s.endsWith("\r")) {
        s = s.substring(0, s.length() - 1);
      }
      received.add(s);
      return s;
    }

    /** Reads one line and fails unless it equals {@code expected}; returns it. */
    public String expect(String expected) throws IOException {
      String line = readLine();
      if (!expected.equals(line)) {
        throw new AssertionError("expected client line '" + expected + "' but got '" + line + "'");
      }
      return line;
    }

    /** Reads one line and fails unless it starts with {@code prefix}; returns it. */
    public String expectPrefix(String prefix) throws IOException {
      String line = readLine();
      if (line == null || !line.startsWith(prefix)) {
        throw new AssertionError("expected client line '" + prefix + "...' but got '" + line + "'");
      }
      return line;
    }

    /** Returns whether the client sends at least one more byte within {@code wait}. */
    public boolean clientSendsWithin(Duration wait) throws IOException {
      int old = socket.getSoTimeout();
      socket.setSoTimeout((int) wait.toMillis());
      try {
        int b = in.read();
        if (b < 0) {
          return false;
        }
        in.unread(b);
        return true;
      } catch (SocketTimeoutException e) {
        return false;
      } finally {
        socket.setSoTimeout(old);
      }
    }

    /** Returns true when the client closes the connection within {@code wait}. */
    public boolean clientClosesWithin(Duration wait) throws IOException {
      int old = socket.getSoTimeout();
      socket.setSoTimeout((int) wait.toMillis());
      try {
        while (true) {
          String line = readLine();
          if (line == null) {
            return true;
          }
        }
      } catch (SocketTimeoutException e) {
        return false;
      } finally {
        if (!socket.isClosed()) {
          socket.setSoTimeout(old);
        }
      }
    }

    /** Answers "+OK" to STLS (already read by the caller) and switches to TLS as the server. */
    public Conversation startTls(SSLContext ctx) throws IOException {
      send("+OK begin TLS negotiation");
      SSLSocket tls = wrapServerTls(ctx, socket);
      tls.startHandshake();
      bind(tls);
      return this;
    }

    /**
     * Reads commands until EOF or until {@code handler} returns false, passing each to {@code
     * handler}. Pipelined commands are simply read one after another.
     */
    public void serve(CommandHandler handler) throws Exception {
      String line;
      while ((line = readLine()) != null) {
        if (!handler.handle(line, this)) {
          return;
        }
      }
    }

    /** Sleeps without answering, e.g. to trigger the client's read timeout. */
    public Conversation stall(Duration d) throws InterruptedException {
      Thread.sleep(d.toMillis());
      return this;
    }

    /** Cuts the connection at once (TCP reset), without closing TLS or answering further. */
    public void cut() throws IOException {
      socket.setSoLinger(true, 0);
      socket.close();
    }
  }
}
