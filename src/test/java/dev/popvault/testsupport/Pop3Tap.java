package dev.popvault.testsupport;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

/**
 * A plaintext POP3 front for a TLS-only server (Dovecot's POP3S port), so that tests see and steer
 * the protocol: the client speaks plain POP3 to the tap ({@code pop3://…} with {@code
 * --allow-plaintext}; the server's CAPA on POP3S lists no STLS), the tap speaks TLS to the server.
 *
 * <p>It records the client's command verbs (never their arguments: PASS and AUTH carry secrets) and
 * the server's plaintext bytes, and it can stop the session at one exact protocol point: hold the
 * n-th command before the server sees it, hold or cut the server's bytes right after the n-th
 * command was forwarded. A held session stays open until {@link #release()} or until the client
 * dies. One trigger per tap; every connection shares the counters.
 */
public final class Pop3Tap implements AutoCloseable {
  /** Where the session stops. */
  public enum Action {
    /** The n-th command is not forwarded (until release). */
    HOLD_COMMAND,
    /** The n-th command is forwarded; the server's bytes from then on are not (until release). */
    HOLD_REPLY,
    /** The n-th command is forwarded; the connection is closed before any further server byte. */
    CUT_REPLY
  }

  private final ServerSocket listener;
  private final int serverPort;
  private final SSLContext tls;
  private final List<String> verbs = new ArrayList<>();
  private final ByteArrayOutputStream serverBytes = new ByteArrayOutputStream();
  private final AtomicLong serverByteCount = new AtomicLong();
  private final CountDownLatch triggered = new CountDownLatch(1);
  private final CountDownLatch released = new CountDownLatch(1);
  private final CountDownLatch replyHeld = new CountDownLatch(1);
  private volatile String triggerVerb;
  private volatile int triggerOccurrence;
  private volatile Action triggerAction;
  private volatile boolean holdServer;
  private volatile boolean cutServer;
  private volatile boolean aborted;
  private volatile String fixedGreeting;
  private final boolean recordServerBytes;
  private final List<Socket> sockets = new ArrayList<>();

  private Pop3Tap(int serverPort, Path caFile, boolean recordServerBytes)
      throws IOException, GeneralSecurityException {
    this.serverPort = serverPort;
    this.recordServerBytes = recordServerBytes;
    this.tls = trusting(caFile);
    this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread acceptor = new Thread(this::acceptLoop, "pop3-tap");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  /**
   * Starts a tap in front of the POP3S port {@code pop3sPort}, trusting the CA in {@code caFile}.
   */
  public static Pop3Tap start(int pop3sPort, Path caFile) {
    return start(pop3sPort, caFile, false);
  }

  /**
   * Like {@link #start(int, Path)}, and keeps every server byte for {@link #serverTranscript()}.
   */
  public static Pop3Tap start(int pop3sPort, Path caFile, boolean recordServerBytes) {
    try {
      return new Pop3Tap(pop3sPort, caFile, recordServerBytes);
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalStateException("cannot start the POP3 tap", e);
    }
  }

  /**
   * Arms the trigger: {@code action} at the {@code occurrence}-th (1-based) command whose verb is
   * {@code verb} (case-insensitive, e.g. "RETR", "DELE", "QUIT").
   */
  public Pop3Tap at(String verb, int occurrence, Action action) {
    this.triggerVerb = verb.toUpperCase(Locale.ROOT);
    this.triggerOccurrence = occurrence;
    this.triggerAction = action;
    return this;
  }

  /**
   * Replaces the server's greeting line with {@code line} (CRLF added), so that every session has
   * the same length: Dovecot's greeting carries an APOP timestamp whose length varies. Only for
   * clients that do not use APOP.
   */
  public Pop3Tap fixedGreeting(String line) {
    this.fixedGreeting = line + "\r\n";
    return this;
  }

  public int port() {
    return listener.getLocalPort();
  }

  /** Waits until the trigger fired; returns false on timeout. */
  public boolean awaitTrigger(long millis) throws InterruptedException {
    return triggered.await(millis, TimeUnit.MILLISECONDS);
  }

  /**
   * Waits until, after a {@link Action#HOLD_REPLY} trigger, the server's reply has arrived and is
   * being held: the server has then acted on the command. Returns false on timeout.
   */
  public boolean awaitHeldReply(long millis) throws InterruptedException {
    return replyHeld.await(millis, TimeUnit.MILLISECONDS);
  }

  /** Tells whether the trigger fired. */
  public boolean fired() {
    return triggered.getCount() == 0;
  }

  /** Lets a held session continue. {@link #close()} instead drops what is held. */
  public void release() {
    holdServer = false;
    released.countDown();
  }

  /** Returns the verbs the client sent (forwarded or held), in order, over all connections. */
  public synchronized List<String> verbs() {
    return List.copyOf(verbs);
  }

  /** Returns how many times the client sent {@code verb}. */
  public synchronized long count(String verb) {
    String v = verb.toUpperCase(Locale.ROOT);
    return verbs.stream().filter(v::equals).count();
  }

  /** Returns the number of server bytes forwarded to clients. */
  public long serverBytes() {
    return serverByteCount.get();
  }

  /** Returns every server byte forwarded (only when started with recording). */
  public synchronized byte[] serverTranscript() {
    return serverBytes.toByteArray();
  }

  private synchronized int record(String verb) {
    verbs.add(verb);
    return (int) verbs.stream().filter(verb::equals).count();
  }

  private void acceptLoop() {
    while (!listener.isClosed()) {
      try {
        Socket client = listener.accept();
        SSLSocket server =
            (SSLSocket)
                tls.getSocketFactory().createSocket(InetAddress.getLoopbackAddress(), serverPort);
        server.startHandshake();
        synchronized (this) {
          sockets.add(client);
          sockets.add(server);
        }
        start(() -> clientToServer(client, server), client, server);
        start(() -> serverToClient(client, server), client, server);
      } catch (IOException e) {
        if (listener.isClosed()) {
          return;
        }
      }
    }
  }

  private interface Pump {
    void run() throws IOException, InterruptedException;
  }

  private static void start(Pump pump, Socket a, Socket b) {
    Thread t =
        new Thread(
            () -> {
              try {
                pump.run();
              } catch (IOException | InterruptedException e) {
                // One side closed; close both below.
              } finally {
                closeQuietly(a);
                closeQuietly(b);
              }
            },
            "pop3-tap-pump");
    t.setDaemon(true);
    t.start();
  }

  private void clientToServer(Socket client, Socket server)
      throws IOException, InterruptedException {
    InputStream in = client.getInputStream();
    OutputStream out = server.getOutputStream();
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    int b;
    while ((b = in.read()) >= 0) {
      line.write(b);
      if (b != '\n') {
        continue;
      }
      String text = line.toString(StandardCharsets.ISO_8859_1).trim();
      int space = text.indexOf(' ');
      String verb = (space < 0 ? text : text.substring(0, space)).toUpperCase(Locale.ROOT);
      if (verb.length() > 8) {
        verb = "(continuation)"; // e.g. the base64 line of AUTH PLAIN: never recorded
      }
      int occurrence = record(verb);
      boolean fire =
          triggered.getCount() > 0 && verb.equals(triggerVerb) && occurrence == triggerOccurrence;
      if (fire && triggerAction == Action.HOLD_COMMAND) {
        triggered.countDown();
        waitForRelease(client);
      } else if (fire) {
        if (triggerAction == Action.HOLD_REPLY) {
          holdServer = true;
        } else {
          cutServer = true;
        }
        triggered.countDown();
      }
      out.write(line.toByteArray());
      out.flush();
      line.reset();
    }
  }

  private void serverToClient(Socket client, Socket server)
      throws IOException, InterruptedException {
    InputStream in = server.getInputStream();
    OutputStream out = client.getOutputStream();
    byte[] buffer = new byte[16384];
    int n;
    if (fixedGreeting != null) {
      ByteArrayOutputStream greeting = new ByteArrayOutputStream();
      int b;
      while ((b = in.read()) >= 0 && b != '\n') {
        greeting.write(b);
      }
      if (b < 0) {
        return;
      }
      byte[] fixed = fixedGreeting.getBytes(StandardCharsets.ISO_8859_1);
      out.write(fixed);
      out.flush();
      serverByteCount.addAndGet(fixed.length);
      if (recordServerBytes) {
        synchronized (this) {
          serverBytes.write(fixed, 0, fixed.length);
        }
      }
    }
    while ((n = in.read(buffer)) >= 0) {
      if (cutServer) {
        return;
      }
      if (holdServer) {
        replyHeld.countDown();
        waitForRelease(client);
      }
      out.write(buffer, 0, n);
      out.flush();
      serverByteCount.addAndGet(n);
      if (recordServerBytes) {
        synchronized (this) {
          serverBytes.write(buffer, 0, n);
        }
      }
    }
  }

  /** Blocks until released or until the client's socket is gone (the client was killed). */
  private void waitForRelease(Socket client) throws InterruptedException, IOException {
    while (!released.await(20, TimeUnit.MILLISECONDS)) {
      if (client.isClosed()) {
        throw new IOException("client gone");
      }
    }
    if (aborted) {
      // Closing the tap drops held bytes: a held QUIT must never reach the server afterwards.
      throw new IOException("tap closed");
    }
  }

  private static SSLContext trusting(Path caFile) throws IOException, GeneralSecurityException {
    KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
    store.load(null, null);
    try (InputStream in = Files.newInputStream(caFile)) {
      int i = 0;
      for (var cert : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
        store.setCertificateEntry("ca" + i++, (X509Certificate) cert);
      }
    }
    TrustManagerFactory tmf = TrustManagerFactory.getInstance("PKIX");
    tmf.init(store);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(null, tmf.getTrustManagers(), null);
    return context;
  }

  private static void closeQuietly(Socket s) {
    try {
      s.close();
    } catch (IOException e) {
      // Already closed.
    }
  }

  @Override
  public void close() throws IOException {
    aborted = true;
    released.countDown();
    listener.close();
    synchronized (this) {
      for (Socket s : sockets) {
        closeQuietly(s);
      }
    }
  }
}
