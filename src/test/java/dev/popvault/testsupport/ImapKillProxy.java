package dev.popvault.testsupport;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A TCP proxy in front of an IMAP server that calls {@code kill} (a SIGKILL of the client process)
 * at one chosen point of the n-th APPEND, for crash tests: before the APPEND reaches the server,
 * halfway through its message, when the server's OK arrives (before the client sees it), right
 * after the client got the OK, or a little later. It also removes STARTTLS from what the server
 * offers, so that the dialogue stays readable here (the client must allow plaintext). Once it has
 * killed, it passes everything through, so the re-run can go through it to the same address.
 */
public final class ImapKillProxy implements AutoCloseable {
  /** Where in the n-th APPEND the client is killed. */
  public enum Point {
    BEFORE_APPEND,
    HALF_MESSAGE,
    BEFORE_OK,
    AFTER_OK,
    AFTER_OK_LATER
  }

  private static final Pattern APPEND =
      Pattern.compile("^(\\S+) APPEND .*\\{(\\d+)(\\+?)\\}$", Pattern.CASE_INSENSITIVE);

  private final ServerSocket listener;
  private final int target;
  private final Point point;
  private final int nth;
  private final Runnable kill;
  private final AtomicInteger appends = new AtomicInteger();
  private final AtomicBoolean killed = new AtomicBoolean();
  private final List<Socket> sockets = new ArrayList<>();
  private volatile String nthTag;

  private ImapKillProxy(int target, Point point, int nth, Runnable kill) throws IOException {
    this.listener = new ServerSocket(0, 8, InetAddress.getLoopbackAddress());
    this.target = target;
    this.point = point;
    this.nth = nth;
    this.kill = kill;
  }

  /**
   * Starts a proxy to 127.0.0.1:{@code target} that kills at {@code point} of APPEND {@code nth}.
   */
  public static ImapKillProxy start(int target, Point point, int nth, Runnable kill)
      throws IOException {
    ImapKillProxy proxy = new ImapKillProxy(target, point, nth, kill);
    Thread t = new Thread(proxy::accept, "imap-kill-proxy");
    t.setDaemon(true);
    t.start();
    return proxy;
  }

  public int port() {
    return listener.getLocalPort();
  }

  /** Whether the kill point was reached. */
  public boolean killed() {
    return killed.get();
  }

  private void accept() {
    while (!listener.isClosed()) {
      try {
        Socket client = listener.accept();
        Socket server = new Socket(InetAddress.getLoopbackAddress(), target);
        synchronized (sockets) {
          sockets.add(client);
          sockets.add(server);
        }
        start(() -> clientToServer(client, server));
        start(() -> serverToClient(server, client));
      } catch (IOException e) {
        return;
      }
    }
  }

  private static void start(Runnable r) {
    Thread t = new Thread(r, "imap-kill-proxy-pump");
    t.setDaemon(true);
    t.start();
  }

  private void doKill() {
    if (killed.compareAndSet(false, true)) {
      kill.run();
    }
  }

  private void clientToServer(Socket client, Socket server) {
    try (InputStream in = client.getInputStream();
        OutputStream out = server.getOutputStream()) {
      for (byte[] line; (line = readLine(in)) != null; ) {
        String text = new String(line, StandardCharsets.ISO_8859_1).stripTrailing();
        Matcher m = APPEND.matcher(text);
        if (!m.matches()) {
          out.write(line);
          out.flush();
          continue;
        }
        int number = appends.incrementAndGet();
        boolean chosen = number == nth && !killed.get();
        if (chosen) {
          nthTag = m.group(1);
        }
        if (chosen && point == Point.BEFORE_APPEND) {
          doKill();
          return;
        }
        out.write(line);
        out.flush();
        long size = Long.parseLong(m.group(2));
        long half = size / 2;
        for (long sent = 0; sent < size; sent++) {
          if (chosen && point == Point.HALF_MESSAGE && sent == half) {
            out.flush();
            doKill();
            return;
          }
          int b = in.read();
          if (b < 0) {
            return;
          }
          out.write(b);
        }
        out.flush();
      }
    } catch (IOException e) {
      // The client was killed or hung up.
    } finally {
      closeQuietly(server);
    }
  }

  private void serverToClient(Socket server, Socket client) {
    try (InputStream in = server.getInputStream();
        OutputStream out = client.getOutputStream()) {
      for (byte[] line; (line = readLine(in)) != null; ) {
        String text = new String(line, StandardCharsets.ISO_8859_1);
        String tag = nthTag;
        boolean theOk = tag != null && !killed.get() && text.startsWith(tag + " OK");
        if (theOk && point == Point.BEFORE_OK) {
          doKill();
          return;
        }
        out.write(text.replace(" STARTTLS", "").getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
        if (theOk && point == Point.AFTER_OK) {
          doKill();
        } else if (theOk && point == Point.AFTER_OK_LATER) {
          Thread.sleep(150);
          doKill();
        }
      }
    } catch (IOException e) {
      // The server or the client hung up.
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      closeQuietly(client);
    }
  }

  /** Reads one line with its line end (literal bytes, in the server's direction, pass as lines). */
  private static byte[] readLine(InputStream in) throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    for (int b; (b = in.read()) != -1; ) {
      line.write(b);
      if (b == '\n') {
        return line.toByteArray();
      }
    }
    return line.size() == 0 ? null : line.toByteArray();
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
    listener.close();
    synchronized (sockets) {
      for (Socket s : sockets) {
        closeQuietly(s);
      }
    }
  }
}
