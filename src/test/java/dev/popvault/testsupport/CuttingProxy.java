package dev.popvault.testsupport;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Forwards TCP between a client and a server on loopback and cuts the connection once a chosen
 * number of bytes has flowed from server to client (or stalls instead of cutting). A real socket
 * peer for network fault tests: the client sees exactly what a dropped or hung connection looks
 * like.
 */
public final class CuttingProxy implements AutoCloseable {
  private final ServerSocket listener;
  private final int targetPort;
  private final long cutAfterServerBytes;
  private final boolean stall;
  // Only this connection (1-based) is cut; 0: every connection.
  private final int onlyConnection;
  private int connections;
  private final AtomicLong forwarded = new AtomicLong();
  private final Thread acceptor;

  private CuttingProxy(int targetPort, long cutAfterServerBytes, boolean stall) throws IOException {
    this(targetPort, cutAfterServerBytes, stall, 0);
  }

  private CuttingProxy(int targetPort, long cutAfterServerBytes, boolean stall, int onlyConnection)
      throws IOException {
    this.onlyConnection = onlyConnection;
    this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    this.targetPort = targetPort;
    this.cutAfterServerBytes = cutAfterServerBytes;
    this.stall = stall;
    this.acceptor = new Thread(this::acceptLoop, "cutting-proxy");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  /**
   * Starts a proxy that closes both sides after {@code bytes} server-to-client bytes (per
   * connection).
   */
  public static CuttingProxy cutAfter(int targetPort, long bytes) throws IOException {
    return new CuttingProxy(targetPort, bytes, false);
  }

  /**
   * Starts a proxy that passes every connection through except the {@code nth} (1-based), which it
   * closes after {@code bytes} server-to-client bytes.
   */
  public static CuttingProxy cutConnectionAfter(int targetPort, int nth, long bytes)
      throws IOException {
    return new CuttingProxy(targetPort, bytes, false, nth);
  }

  /** Starts a proxy that stops forwarding (but keeps the connection open) after {@code bytes}. */
  public static CuttingProxy stallAfter(int targetPort, long bytes) throws IOException {
    return new CuttingProxy(targetPort, bytes, true);
  }

  public int port() {
    return listener.getLocalPort();
  }

  /** Returns how many server-to-client bytes were forwarded in total. */
  public long forwardedBytes() {
    return forwarded.get();
  }

  private void acceptLoop() {
    while (!listener.isClosed()) {
      try {
        Socket client = listener.accept();
        Socket server = new Socket();
        server.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), targetPort), 5000);
        connections++;
        long limit =
            onlyConnection == 0 || onlyConnection == connections
                ? cutAfterServerBytes
                : Long.MAX_VALUE;
        pump(client.getInputStream(), server.getOutputStream(), client, server, false, limit);
        pump(server.getInputStream(), client.getOutputStream(), client, server, true, limit);
      } catch (IOException e) {
        return;
      }
    }
  }

  private void pump(
      InputStream in,
      OutputStream out,
      Socket client,
      Socket server,
      boolean serverToClient,
      long cutAfter) {
    Thread t =
        new Thread(
            () -> {
              byte[] buffer = new byte[8192];
              long sent = 0;
              try {
                while (true) {
                  int n = in.read(buffer);
                  if (n < 0) {
                    break;
                  }
                  if (serverToClient) {
                    long allowed = cutAfter - sent;
                    if (n >= allowed) {
                      out.write(buffer, 0, (int) Math.max(0, allowed));
                      out.flush();
                      forwarded.addAndGet(Math.max(0, allowed));
                      if (stall) {
                        Thread.sleep(Long.MAX_VALUE);
                      }
                      break;
                    }
                    sent += n;
                    forwarded.addAndGet(n);
                  }
                  out.write(buffer, 0, n);
                  out.flush();
                }
              } catch (IOException | InterruptedException e) {
                // The other direction closed; fall through and close both.
              } finally {
                closeQuietly(client);
                closeQuietly(server);
              }
            },
            "cutting-proxy-pump");
    t.setDaemon(true);
    t.start();
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
  }
}
