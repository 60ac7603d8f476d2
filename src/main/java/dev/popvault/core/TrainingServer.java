package dev.popvault.core;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * A tiny POP3 server on 127.0.0.1 for the build's start-up training run only ({@code popvault
 * warmup}): it serves a few fixed messages to USER/PASS with any password, pipelining, UIDL, TOP
 * and DELE, one connection at a time, so that the class-data-sharing archive lists the classes of a
 * real {@code archive} and {@code list} run. Not a server for anything else: no TLS, no limits, no
 * state beyond DELE within one connection.
 */
public final class TrainingServer implements AutoCloseable {
  private static final List<String> MESSAGES =
      List.of(
          "From: Alice <alice@example.org>\r\nTo: bob@example.org\r\nSubject: training\r\n"
              + "Date: Mon, 01 Jan 2024 10:00:00 +0100\r\nMessage-ID: <t1@example.org>\r\n\r\n"
              + "Hello.\r\n.. a dot-stuffed line\r\nFrom the start of a line\r\n",
          "From: =?UTF-8?Q?Caf=C3=A9?= <cafe@example.org>\r\nSubject: =?UTF-8?B?w6k=?=\r\n"
              + "Date: 2 Jan 2024 11:00 GMT\r\nMessage-ID: <t2@example.org>\r\n\r\nBody\r\n",
          "Subject: no date\r\n\r\n" + "line\r\n".repeat(200));

  private final ServerSocket socket;
  private final Thread thread;

  private TrainingServer(ServerSocket socket) {
    this.socket = socket;
    this.thread = new Thread(this::acceptLoop, "popvault-training-server");
    thread.setDaemon(true);
  }

  /** Starts the server on a free loopback port. */
  public static TrainingServer start() throws IOException {
    TrainingServer server =
        new TrainingServer(new ServerSocket(0, 4, InetAddress.getLoopbackAddress()));
    server.thread.start();
    return server;
  }

  /** The port it listens on. */
  public int port() {
    return socket.getLocalPort();
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }

  private void acceptLoop() {
    while (!socket.isClosed()) {
      try (Socket client = socket.accept()) {
        converse(client);
      } catch (IOException e) {
        // Closed, or a client that went away: the training run reports its own failures.
      }
    }
  }

  private static void converse(Socket client) throws IOException {
    BufferedReader in =
        new BufferedReader(
            new InputStreamReader(client.getInputStream(), StandardCharsets.US_ASCII));
    OutputStream out = client.getOutputStream();
    boolean[] deleted = new boolean[MESSAGES.size()];
    send(out, "+OK training server ready\r\n");
    for (String line; (line = in.readLine()) != null; ) {
      List<String> words = Arrays.asList(line.split(" "));
      String command = words.get(0).toUpperCase(Locale.ROOT);
      StringBuilder reply = new StringBuilder();
      switch (command) {
        case "CAPA" -> reply.append("+OK\r\nUSER\r\nUIDL\r\nTOP\r\nPIPELINING\r\n.\r\n");
        case "USER", "PASS", "NOOP", "RSET" -> reply.append("+OK\r\n");
        case "STAT" -> reply.append("+OK ").append(MESSAGES.size()).append(" 0\r\n");
        case "UIDL", "LIST" -> {
          reply.append("+OK\r\n");
          for (int n = 1; n <= MESSAGES.size(); n++) {
            if (!deleted[n - 1]) {
              reply.append(n).append(' ');
              reply.append(command.equals("UIDL") ? "training-" + n : size(n)).append("\r\n");
            }
          }
          reply.append(".\r\n");
        }
        case "RETR", "TOP" -> {
          int n = number(words);
          if (n < 1 || deleted[n - 1]) {
            reply.append("-ERR no such message\r\n");
          } else {
            String text = MESSAGES.get(n - 1);
            if (command.equals("TOP")) {
              text = text.substring(0, text.indexOf("\r\n\r\n") + 4);
            }
            reply.append("+OK\r\n").append(text.replace("\r\n.", "\r\n..")).append(".\r\n");
          }
        }
        case "DELE" -> {
          int n = number(words);
          if (n >= 1) {
            deleted[n - 1] = true;
          }
          reply.append(n >= 1 ? "+OK\r\n" : "-ERR no such message\r\n");
        }
        case "QUIT" -> {
          send(out, "+OK bye\r\n");
          return;
        }
        default -> reply.append("-ERR unknown command\r\n");
      }
      send(out, reply.toString());
    }
  }

  private static int number(List<String> words) {
    try {
      int n = Integer.parseInt(words.get(1));
      return n >= 1 && n <= MESSAGES.size() ? n : -1;
    } catch (RuntimeException e) {
      return -1;
    }
  }

  private static int size(int n) {
    return MESSAGES.get(n - 1).getBytes(StandardCharsets.UTF_8).length;
  }

  private static void send(OutputStream out, String text) throws IOException {
    out.write(text.getBytes(StandardCharsets.UTF_8));
    out.flush();
  }
}
