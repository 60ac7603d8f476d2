package dev.popvault.testsupport;

import dev.popvault.testsupport.ScriptedPop3Server.CommandHandler;
import dev.popvault.testsupport.ScriptedPop3Server.Conversation;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Plays a well-behaved POP3 maildrop for {@link ScriptedPop3Server}: greeting, CAPA, USER/PASS,
 * STAT, LIST, UIDL, RETR, TOP, DELE, RSET, NOOP, QUIT — with per-command overrides to inject faults
 * (e.g. {@code fault("RETR 3", (line, c) -> { c.cut(); return false; })}).
 *
 * <p>Deletions are committed only when QUIT is answered with +OK (RFC 1939 §6), so tests can assert
 * what the server really removed with {@link #committedDeletions()}. Messages are sent dot-stuffed;
 * a message without a final line end gets CRLF before the terminator, as Dovecot does.
 *
 * <p>{@code UTF8} (RFC 6856) is answered +OK, before or after login, when a CAPA line starts with
 * UTF8 (as Courier does); with {@link #substitutesUnicodeUnlessUtf8()} the mailbox also plays
 * Courier's stand-in for clients that did not send it.
 */
public final class FakeMailbox implements ScriptedPop3Server.Script {
  private final List<String> uidls = new ArrayList<>();
  private final List<byte[]> bodies = new ArrayList<>();
  private final Map<String, CommandHandler> faults = new LinkedHashMap<>();
  private final List<CommandObserver> observers = new ArrayList<>();
  private final Set<String> committed = Collections.synchronizedSet(new TreeSet<>());
  private final AtomicInteger standIns = new AtomicInteger();
  private final AtomicInteger sessions = new AtomicInteger();
  private boolean unicodeStandIn;
  // Gmail-like: each session lists at most this many not-yet-popped messages (0: all of them).
  private int window;
  private final Set<String> popped = Collections.synchronizedSet(new TreeSet<>());
  private List<String> capabilities = List.of("USER", "UIDL", "TOP", "PIPELINING");
  private String password;
  private String greeting = "fake POP3 ready <4711.1700000000@fake.test>";

  /** Adds a message with the given UIDL; messages are numbered in the order added. */
  public FakeMailbox add(String uidl, String body) {
    return add(uidl, body.getBytes(StandardCharsets.ISO_8859_1));
  }

  /** Adds a message with the given UIDL and raw bytes. */
  public FakeMailbox add(String uidl, byte[] body) {
    uidls.add(uidl);
    bodies.add(body.clone());
    return this;
  }

  /** Replaces the CAPA list (default USER, UIDL, TOP, PIPELINING). */
  public FakeMailbox capabilities(String... caps) {
    this.capabilities = List.of(caps);
    return this;
  }

  /** Requires this password for PASS (default: any password is accepted). */
  public FakeMailbox password(String required) {
    this.password = required;
    return this;
  }

  /** Replaces the greeting text after "+OK " (default has an APOP timestamp). */
  public FakeMailbox greeting(String text) {
    this.greeting = text;
    return this;
  }

  /** Answers the exact client line {@code commandLine} with {@code handler} instead. */
  public FakeMailbox fault(String commandLine, CommandHandler handler) {
    faults.put(commandLine, handler);
    return this;
  }

  /**
   * Plays courier-pop 1.0.16 (see NOTES.md): unless the client sent {@code UTF8} in this session,
   * RETR and TOP of a message whose headers hold raw 8-bit bytes answer with a server-made
   * multipart "Cannot display Unicode content" notice (a new MIME boundary each session, the
   * original inside as message/global) instead of the message, under the same UIDL and LIST size.
   */
  public FakeMailbox substitutesUnicodeUnlessUtf8() {
    this.unicodeStandIn = true;
    return this;
  }

  /** Returns how many stand-in notices were sent in place of a message, over all sessions. */
  public int standInsSent() {
    return standIns.get();
  }

  /**
   * Sees a client command before the mailbox (or a {@link #fault}) answers it. May block, which
   * holds the session at that command, or act on the world outside (a test's "meanwhile").
   */
  @FunctionalInterface
  public interface CommandObserver {
    /**
     * @param line the command as the client sent it
     * @param uidl the UIDL of the message a RETR, TOP or DELE names in this session, or null (no
     *     such command, or no such message)
     * @param size that message's size in bytes (its LIST size), or -1
     */
    void before(String line, String uidl, long size) throws Exception;
  }

  /** Adds an observer that sees every command before it is answered (in the order added). */
  public FakeMailbox observe(CommandObserver observer) {
    observers.add(observer);
    return this;
  }

  /**
   * Plays Gmail's POP: each session lists only the oldest {@code perSession} messages not yet
   * popped, and a message counts as popped once it was retrieved in a session that ended with a
   * clean QUIT (so a client must log in again until a session brings nothing new).
   */
  public FakeMailbox gmailLike(int perSession) {
    this.window = perSession;
    return this;
  }

  /** Returns how many sessions (connections greeted) there were. */
  public int sessions() {
    return sessions.get();
  }

  /** Returns the UIDLs whose deletion a +OK to QUIT committed, over all sessions. */
  public Set<String> committedDeletions() {
    synchronized (committed) {
      return Set.copyOf(committed);
    }
  }

  @Override
  public void run(Conversation c) throws Exception {
    // Messages deleted in earlier sessions are gone; the rest are renumbered from 1.
    List<Integer> visible = new ArrayList<>();
    for (int i = 0; i < uidls.size(); i++) {
      if (window > 0 && visible.size() == window) {
        break;
      }
      if (!committed.contains(uidls.get(i)) && !popped.contains(uidls.get(i))) {
        visible.add(i);
      }
    }
    Set<Integer> marked = new TreeSet<>();
    Set<Integer> retrieved = new TreeSet<>();
    boolean[] utf8 = {false};
    int session = sessions.incrementAndGet();
    c.greet(greeting);
    c.serve(
        (line, conv) -> {
          notify(line, visible);
          CommandHandler fault = faults.get(line);
          if (fault != null) {
            return fault.handle(line, conv);
          }
          String[] w = line.split(" ");
          String cmd = w[0].toUpperCase(java.util.Locale.ROOT);
          switch (cmd) {
            case "CAPA" -> conv.sendMultiline("+OK", capabilities.toArray(new String[0]));
            case "UTF8" -> {
              if (capabilities.stream()
                  .anyMatch(l -> l.toUpperCase(Locale.ROOT).startsWith("UTF8"))) {
                utf8[0] = true;
                conv.send("+OK UTF8 enabled");
              } else {
                conv.send("-ERR unknown command");
              }
            }
            case "USER", "NOOP", "RSET" -> {
              if (cmd.equals("RSET")) {
                marked.clear();
              }
              conv.send("+OK");
            }
            case "PASS" -> {
              String given = line.length() > 5 ? line.substring(5) : "";
              conv.send(password == null || password.equals(given) ? "+OK" : "-ERR [AUTH] no");
            }
            case "STAT" -> {
              long size = 0;
              int count = 0;
              for (int n = 1; n <= visible.size(); n++) {
                if (!marked.contains(n)) {
                  count++;
                  size += bodies.get(visible.get(n - 1)).length;
                }
              }
              conv.send("+OK " + count + " " + size);
            }
            case "LIST", "UIDL" -> {
              List<String> lines = new ArrayList<>();
              for (int n = 1; n <= visible.size(); n++) {
                if (!marked.contains(n)) {
                  int i = visible.get(n - 1);
                  lines.add(n + " " + (cmd.equals("LIST") ? bodies.get(i).length : uidls.get(i)));
                }
              }
              conv.sendMultiline("+OK", lines.toArray(new String[0]));
            }
            case "RETR", "TOP", "DELE" -> {
              int n = parse(w.length > 1 ? w[1] : "");
              if (n < 1 || n > visible.size() || marked.contains(n)) {
                conv.send("-ERR no such message");
              } else if (cmd.equals("DELE")) {
                marked.add(n);
                conv.send("+OK marked");
              } else {
                if (cmd.equals("RETR")) {
                  retrieved.add(n);
                }
                byte[] body = bodies.get(visible.get(n - 1));
                if (unicodeStandIn && !utf8[0] && hasEightBitHeaders(body)) {
                  body = standIn(body, session);
                  standIns.incrementAndGet();
                }
                if (cmd.equals("TOP")) {
                  body = headersOnly(body);
                }
                conv.send("+OK " + body.length + " octets");
                conv.sendRaw(stuffed(body));
              }
            }
            case "QUIT" -> {
              for (int n : marked) {
                committed.add(uidls.get(visible.get(n - 1)));
              }
              if (window > 0) {
                for (int n : retrieved) {
                  popped.add(uidls.get(visible.get(n - 1)));
                }
              }
              conv.send("+OK bye");
              return false;
            }
            default -> conv.send("-ERR unknown command");
          }
          return true;
        });
  }

  private void notify(String line, List<Integer> visible) throws Exception {
    if (observers.isEmpty()) {
      return;
    }
    String[] w = line.split(" ");
    String cmd = w[0].toUpperCase(java.util.Locale.ROOT);
    String uidl = null;
    long size = -1;
    if (List.of("RETR", "TOP", "DELE").contains(cmd) && w.length > 1) {
      int n = parse(w[1]);
      if (n >= 1 && n <= visible.size()) {
        uidl = uidls.get(visible.get(n - 1));
        size = bodies.get(visible.get(n - 1)).length;
      }
    }
    for (CommandObserver o : observers) {
      o.before(line, uidl, size);
    }
  }

  private static int parse(String s) {
    try {
      return Integer.parseInt(s);
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  private static boolean hasEightBitHeaders(byte[] body) {
    byte[] headers = headersOnly(body);
    for (byte b : headers) {
      if ((b & 0x80) != 0) {
        return true;
      }
    }
    return false;
  }

  /**
   * Returns a notice in Courier's shape, wrapping {@code original}; the boundary varies by session.
   */
  private static byte[] standIn(byte[] original, int session) {
    String boundary = "=_stand-in_" + session + "_" + System.nanoTime();
    ByteArrayOutputStream out = new ByteArrayOutputStream(original.length + 512);
    String head =
        "From: Mail Delivery Subsystem <MAILER-DAEMON@fake.test>\r\n"
            + "Subject: Cannot display Unicode content\r\n"
            + "Mime-Version: 1.0\r\n"
            + "Content-Type: multipart/mixed; boundary=\""
            + boundary
            + "\"\r\n\r\n"
            + "--"
            + boundary
            + "\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n"
            + "This message has Unicode content that your mail client did not ask for.\r\n"
            + "--"
            + boundary
            + "\r\nContent-Type: message/global\r\n\r\n";
    out.writeBytes(head.getBytes(StandardCharsets.US_ASCII));
    out.writeBytes(original);
    out.writeBytes(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.US_ASCII));
    return out.toByteArray();
  }

  private static byte[] headersOnly(byte[] body) {
    String s = new String(body, StandardCharsets.ISO_8859_1);
    int end = s.indexOf("\r\n\r\n");
    return (end < 0 ? s : s.substring(0, end + 4)).getBytes(StandardCharsets.ISO_8859_1);
  }

  /** Returns the body dot-stuffed (a line starts after LF) with the terminator appended. */
  public static byte[] stuffed(byte[] body) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(body.length + 64);
    boolean lineStart = true;
    for (byte b : body) {
      if (lineStart && b == '.') {
        out.write('.');
      }
      out.write(b);
      lineStart = b == '\n';
    }
    if (!lineStart) {
      out.write('\r');
      out.write('\n');
    }
    out.write('.');
    out.write('\r');
    out.write('\n');
    return out.toByteArray();
  }
}
