package dev.popvault.pop3;

import static dev.popvault.pop3.Fixtures.connectAndLogin;
import static dev.popvault.pop3.Fixtures.greetAndLogin;
import static dev.popvault.pop3.Fixtures.kind;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.popvault.pop3.Fixtures.RecordingLog;
import dev.popvault.pop3.Pop3Exception.Kind;
import dev.popvault.testsupport.ScriptedPop3Server;
import dev.popvault.testsupport.ScriptedPop3Server.Conversation;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class Pop3ClientRetrieveTest {

  private static byte[] latin1(String s) {
    return s.getBytes(StandardCharsets.ISO_8859_1);
  }

  /** Sends "+OK" and the dot-stuffed body in pieces of {@code piece} bytes, flushing each. */
  private static void sendBody(Conversation c, byte[] body, int piece) throws IOException {
    c.send("+OK message follows");
    byte[] wire = WireReaderTest.wire(body);
    for (int i = 0; i < wire.length; i += piece) {
      c.sendRaw(Arrays.copyOfRange(wire, i, Math.min(wire.length, i + piece)));
    }
  }

  /** Collects bodies by message number. */
  private static final class Collector implements BodyHandler {
    final Map<Integer, byte[]> bodies = new LinkedHashMap<>();

    @Override
    public void body(int number, InputStream body) throws IOException {
      bodies.put(number, body.readAllBytes());
    }
  }

  @Test
  void retrievesBodiesExactlyWithUnstuffingAndOddBytes() throws Exception {
    List<byte[]> bodies =
        List.of(
            latin1("Subject: dots\r\n\r\n.leading dot\r\n..two dots\r\n.\r\n. \r\nend\r\n"),
            latin1("bare\rCR and bare\nLF\n.after bare LF\r\n"),
            latin1("nul \0 bytes \0\0 and 8-bit \u00e9\u00ff\u0080\r\n"),
            latin1("no final newline"),
            latin1(""));
    RecordingLog log = new RecordingLog();
    try (ScriptedPop3Server server =
        ScriptedPop3Server.start(
            c -> {
              greetAndLogin(c, "UIDL");
              for (int i = 0; i < bodies.size(); i++) {
                c.expect("RETR " + (i + 1));
                sendBody(c, bodies.get(i), 3);
              }
            })) {
      Collector collector = new Collector();
      try (Pop3Client client = connectAndLogin(server.port(), log)) {
        client.retrieve(List.of(1, 2, 3, 4, 5), collector);
      }
      assertThat(collector.bodies.keySet()).containsExactly(1, 2, 3, 4, 5);
      // The stored message had ".leading dot" and "..two dots"; the wire carried them stuffed.
      assertThat(collector.bodies.get(1)).isEqualTo(bodies.get(0));
      assertThat(collector.bodies.get(2)).isEqualTo(bodies.get(1));
      assertThat(collector.bodies.get(3)).isEqualTo(bodies.get(2));
      // The server ends an unterminated last line with CRLF before the terminator.
      assertThat(collector.bodies.get(4)).isEqualTo(latin1("no final newline\r\n"));
      assertThat(collector.bodies.get(5)).isEmpty();
    }
    assertThat(log.lines)
        .contains("C RETR 1", "S +OK message follows", "S <" + bodies.get(0).length + " octets>");
    assertThat(String.join("\n", log.lines)).doesNotContain("leading dot");
  }

  @ParameterizedTest
  @ValueSource(ints = {65_533, 65_534, 65_535, 65_536, 65_537, 131_071})
  void bodiesStraddlingBufferBoundariesAreExact(int prefix) throws Exception {
    // The dot-stuffed line and the terminator land around the 64 KiB read buffer's edges.
    byte[] tail = latin1(".dot\r\n..\r\n");
    byte[] body = new byte[prefix + tail.length];
    Arrays.fill(body, (byte) 'a');
    for (int i = 76; i < prefix; i += 78) {
      body[i] = '\r';
      body[i + 1] = '\n';
    }
    body[prefix - 2] = '\r';
    body[prefix - 1] = '\n';
    System.arraycopy(tail, 0, body, prefix, tail.length);
    byte[] expected = body;
    try (ScriptedPop3Server server =
        ScriptedPop3Server.start(
            c -> {
              greetAndLogin(c, "UIDL");
              c.expect("RETR 1");
              sendBody(c, expected, 65_536);
              c.expect("RETR 2");
              sendBody(c, latin1("second\r\n"), 1);
            })) {
      Collector collector = new Collector();
      try (Pop3Client client = connectAndLogin(server.port(), Pop3Log.NONE)) {
        client.retrieve(List.of(1, 2), collector);
      }
      assertThat(collector.bodies.get(1)).isEqualTo(expected);
      assertThat(collector.bodies.get(2)).isEqualTo(latin1("second\r\n"));
    }
  }

  @Test
  void tenMegabyteLineStreamsExactly() throws Exception {
    byte[] line = new byte[10 * 1024 * 1024];
    Arrays.fill(line, (byte) 'q');
    line[0] = '.';
    try (ScriptedPop3Server server =
        ScriptedPop3Server.start(
            c -> {
              greetAndLogin(c, "UIDL");
              c.expect("RETR 1");
              c.send("+OK");
              c.sendRaw("Subject: big\r\n\r\n.");
              c.sendRaw(line);
              c.sendRaw("\r\n.\r\n");
            })) {
      MessageDigest expected = MessageDigest.getInstance("SHA-256");
      expected.update(latin1("Subject: big\r\n\r\n"));
      expected.update(line);
      expected.update(latin1("\r\n"));
      AtomicInteger length = new AtomicInteger();
      MessageDigest actual = MessageDigest.getInstance("SHA-256");
      try (Pop3Client client = connectAndLogin(server.port(), Pop3Log.NONE)) {
        client.retrieve(
            List.of(1),
            (n, body) -> {
              byte[] buf = new byte[16384];
              int r;
              while ((r = body.read(buf)) >= 0) {
                actual.update(buf, 0, r);
                length.addAndGet(r);
              }
            });
      }
      assertThat(length.get()).isEqualTo(16 + line.length + 2);
      assertThat(HexFormat.of().formatHex(actual.digest()))
          .isEqualTo(HexFormat.of().formatHex(expected.digest()));
    }
  }

  @Test
  void handlerMayStopEarlyAndTheRestIsDrained() throws Exception {
    try (ScriptedPop3Server server =
        ScriptedPop3Server.start(
            c -> {
              greetAndLogin(c, "UIDL");
              c.expect("RETR 1");
              sendBody(c, latin1("Subject: one\r\n\r\n" + "body line\r\n".repeat(10_000)), 4096);
              c.expect("RETR 2");
              sendBody(c, latin1("Subject: two\r\n\r\nx\r\n"), 4096);
            })) {
      List<String> firstLines = new ArrayList<>();
      try (Pop3Client client = connectAndLogin(server.port(), Pop3Log.NONE)) {
        client.retrieve(
            List.of(1, 2),
            (n, body) -> {
              byte[] head = body.readNBytes(14);
              firstLines.add(new String(head, StandardCharsets.ISO_8859_1));
            });
      }
      assertThat(firstLines).containsExactly("Subject: one\r\n", "Subject: two\r\n");
    }
  }

  @Test
  void bodyStreamIsUnusableAfterTheHandlerReturns() throws Exception {
    try (ScriptedPop3Server server =
        ScriptedPop3Server.start(
            c -> {
              greetAndLogin(c, "UIDL");
              c.expect("RETR 1");
              sendBody(c, latin1("x\r\n"), 100);
            })) {
      List<InputStream> leaked = new ArrayList<>();
      try (Pop3Client client = connectAndLogin(server.port(), Pop3Log.NONE)) {
        client.retrieve(List.of(1), (n, body) -> leaked.add(body));
      }
      assertThatThrownBy(() -> leaked.get(0).read()).isInstanceOf(IOException.class);
    }
  }

  @Test
  void listingSendsUidlAndListTogetherWhenPipelining() throws Exception {
    List<Boolean> listArrivedBeforeUidlAnswer = new ArrayList<>();
    try (ScriptedPop3Server server =
        ScriptedPop3Server.start(
            c -> {
              greetAndLogin(c, "UIDL", "PIPELINING");
              c.expect("UIDL");
              // Both commands came in one write: LIST is there before UIDL is answered.
              listArrivedBeforeUidlAnswer.add(c.clientSendsWithin(Duration.ofMillis(500)));
              c.expect("LIST");
              c.sendMultiline("+OK", "1 a", "2 b");
              c.sendMultiline("+OK", "1 10", "2 20");
              c.expect("QUIT");
              c.send("+OK");
            })) {
      try (Pop3Client client = connectAndLogin(server.port(), Pop3Log.NONE)) {
        Listing listing = client.listing();
        assertThat(listing.uidls()).extracting(e -> e.uidl().value()).containsExactly("a", "b");
        assertThat(listing.sizes()).containsExactly(new ListEntry(1, 10), new ListEntry(2, 20));
        client.quit();
      }
      server.finish();
      assertThat(listArrivedBeforeUidlAnswer).containsExactly(true);
    }
  }

  @Test
  void listingIsLockStepWithoutPipelining() throws Exception {
    List<Boolean> listArrivedBeforeUidlAnswer = new ArrayList<>();
    try (ScriptedPop3Server server =
        ScriptedPop3Server.start(
            c -> {
              greetAndLogin(c, "UIDL");
              c.expect("UIDL");
              listArrivedBeforeUidlAnswer.add(c.clientSendsWithin(Duration.ofMillis(300)));
              c.sendMultiline("+OK", "1 a");
              c.expect("LIST");
              c.sendMultiline("+OK", "1 10");
            })) {
      try (Pop3Client client = connectAndLogin(server.port(), Pop3Log.NONE)) {
        assertThat(client.listing().sizes()).containsExactly(new ListEntry(1, 10));
      }
      server.finish();
      assertThat(listArrivedBeforeUidlAnswer).containsExactly(false);
    }
  }

  @Test
  void aRefusedPipelinedUidlLeavesTheSessionOutOfStep() throws Exception {
    try (ScriptedPop3Server server =
        ScriptedPop3Server.start(
            c -> {
              greetAndLogin(c, "UIDL", "PIPELINING");
              c.expect("UIDL");
              c.expect("LIST");
              c.send("-ERR no UIDL today");
              c.sendMultiline("+OK", "1 10");
            })) {
      try (Pop3Client client = connectAndLogin(server.port(), Pop3Log.NONE)) {
        assertThatThrownBy(client::listing)
            .isInstanceOf(Pop3Exception.class)
            .hasMessageContaining("no UIDL today");
        // The LIST reply is unread: the session is closed, nothing more is sent in it.
        assertThatThrownBy(client::noop)
            .isInstanceOf(Pop3Exception.class)
            .hasMessageContaining("closed");
      }
      server.finish();
    }
  }

  @Test
  void pipelinesWithinTheWindowWhenOffered() throws Exception {
    List<Integer> inFlightBeforeFirstAnswer = new ArrayList<>();
    try (ScriptedPop3Server server =
        ScriptedPop3Server.start(
            c -> {
              greetAndLogin(c, "UIDL", "PIPELINING");
              // Window 4: the client sends four RETRs before we answer the first.
              for (int i = 1; i <= 4; i++) {
                c.expect("RETR " + i);
              }
              inFlightBeforeFirstAnswer.add(4);
              boolean fifthTooEarly = c.clientSendsWithin(Duration.ofMillis(200));
              inFlightBeforeFirstAnswer.add(fifthTooEarly ? 5 : 4);
              // The client refills in bulk once half the window (2) has drained.
              for (int i = 1; i <= 6; i++) {
                sendBody(c, latin1("m" + i + "\r\n"), 1000);
                if (i == 2) {
                  c.expect("RETR 5");
                  c.expect("RETR 6");
                }
              }
            })) {
      Collector collector = new Collector();
      try (Pop3Client client = connectAndLogin(server.port(), Pop3Log.NONE)) {
        client.retrieve(List.of(1, 2, 3, 4, 5, 6), collector);
      }
      server.finish();
      assertThat(inFlightBeforeFirstAnswer).containsExactly(4, 4);
      assertThat(collector.bodies.keySet()).containsExactly(1, 2, 3, 4, 5, 6);
      assertThat(collector.bodies.get(6)).isEqualTo(latin1("m6\r\n"));
    }
  }

  @Test
  void lockStepWithoutPipelining() throws Exception {
    List<Boolean> sentMoreBeforeAnswer = new ArrayList<>();
    try (ScriptedPop3Server server =
        ScriptedPop3Server.start(
            c -> {
              greetAndLogin(c, "UIDL");
              for (int i = 1; i <= 3; i++) {
                c.expect("RETR " + i);
                sentMoreBeforeAnswer.add(c.clientSendsWithin(Duration.ofMillis(200)));
                sendBody(c, latin1("m" + i + "\r\n"), 1000);
              }
            })) {
      Collector collector = new Collector();
      try (Pop3Client client = connectAndLogin(server.port(), Pop3Log.NONE)) {
        client.retrieve(List.of(1, 2, 3), collector);
      }
      server.finish();
      assertThat(sentMoreBeforeAnswer).containsExactly(false, false, false);
      assertThat(collector.bodies).hasSize(3);
    }
  }

  @Test
  void retrErrNamesTheMessageDrainsInFlightRepliesAndKeepsTheSession() throws Exception {
    try (ScriptedPop3Server server =
        ScriptedPop3Server.start(
            c -> {
              greetAndLogin(c, "UIDL", "PIPELINING");
              c.expect("RETR 1");
              c.expect("RETR 2");
              c.expect("RETR 3");
              c.expect("RETR 4");
              c.send("-ERR no such message");
              sendBody(c, latin1("two\r\n"), 100);
              sendBody(c, latin1("three\r\n"), 100);
              sendBody(c, latin1("four\r\n"), 100);
              c.expect("NOOP");
              c.send("+OK");
            })) {
      Collector collector = new Collector();
      try (Pop3Client client = connectAndLogin(server.port(), Pop3Log.NONE)) {
        assertThatThrownBy(() -> client.retrieve(List.of(1, 2, 3, 4, 5), collector))
            .isInstanceOfSatisfying(Pop3Exception.class, kind(Kind.PROTOCOL))
            .hasMessage("server refused RETR 1: no such message");
        client.noop();
      }
      server.finish();
      assertThat(collector.bodies).isEmpty();
      assertThat(server.received()).doesNotContain("RETR 5");
    }
  }

  @Test
  void eofInTheMiddleOfRetrIsConnectionLost() throws Exception {
    try (ScriptedPop3Server server =
        ScriptedPop3Server.start(
            c -> {
              greetAndLogin(c, "UIDL");
              c.expect("RETR 17");
              c.send("+OK");
              c.sendRaw("Subject: cut\r\n\r\nhalf a mess");
              c.cut();
            })) {
      try (Pop3Client client = connectAndLogin(server.port(), Pop3Log.NONE)) {
        assertThatThrownBy(() -> client.retrieve(List.of(17), (n, body) -> body.readAllBytes()))
            .isInstanceOfSatisfying(Pop3Exception.class, kind(Kind.CONNECTION_LOST))
            .hasMessageStartingWith("connection lost during RETR 17");
      }
    }
  }

  @Test
  void stallIsTimeoutNamingTheCommand() throws Exception {
    try (ScriptedPop3Server server =
        ScriptedPop3Server.start(
            c -> {
              greetAndLogin(c, "UIDL");
              c.expect("RETR 3");
              c.send("+OK");
              c.sendRaw("Subject: slow\r\n");
              c.stall(Duration.ofSeconds(2));
            })) {
      Pop3Settings fast =
          new Pop3Settings(
              "127.0.0.1",
              server.port(),
              false,
              true,
              TlsTrust.system(),
              Duration.ofSeconds(2),
              Duration.ofMillis(300),
              4);
      try (Pop3Client client = Pop3Client.connect(fast, Pop3Log.NONE)) {
        client.login(Fixtures.USER, Fixtures.PASSWORD.toCharArray(), AuthMethod.USER);
        assertThatThrownBy(() -> client.retrieve(List.of(3), (n, body) -> body.readAllBytes()))
            .isInstanceOfSatisfying(Pop3Exception.class, kind(Kind.TIMEOUT))
            .hasMessage("server did not answer RETR 3 within 0.3 s");
      }
    }
  }

  @Test
  void handlerFailurePropagatesUnchangedAndClosesTheSession() throws Exception {
    try (ScriptedPop3Server server =
        ScriptedPop3Server.start(
            c -> {
              greetAndLogin(c, "UIDL");
              c.expect("RETR 1");
              sendBody(c, latin1("x\r\n"), 100);
              c.clientClosesWithin(Duration.ofSeconds(2));
            })) {
      try (Pop3Client client = connectAndLogin(server.port(), Pop3Log.NONE)) {
        IOException diskFull = new IOException("No space left on device");
        assertThatThrownBy(
                () ->
                    client.retrieve(
                        List.of(1),
                        (n, body) -> {
                          throw diskFull;
                        }))
            .isSameAs(diskFull);
        assertThatThrownBy(client::noop)
            .isInstanceOfSatisfying(Pop3Exception.class, kind(Kind.CONNECTION_LOST));
      }
      server.finish();
      assertThat(server.received()).doesNotContain("QUIT");
    }
  }

  @Test
  void topStreamsHeaders() throws Exception {
    try (ScriptedPop3Server server =
        ScriptedPop3Server.start(
            c -> {
              greetAndLogin(c, "UIDL", "TOP");
              c.expect("TOP 2 0");
              sendBody(c, latin1("Subject: hi\r\nFrom: a@b\r\n\r\n"), 7);
            })) {
      Collector collector = new Collector();
      try (Pop3Client client = connectAndLogin(server.port(), Pop3Log.NONE)) {
        client.top(2, 0, collector);
      }
      assertThat(collector.bodies.get(2)).isEqualTo(latin1("Subject: hi\r\nFrom: a@b\r\n\r\n"));
    }
  }

  @Test
  void topOfManyMessagesSharesTheRetrWindow() throws Exception {
    List<Boolean> allSentBeforeFirstAnswer = new ArrayList<>();
    try (ScriptedPop3Server server =
        ScriptedPop3Server.start(
            c -> {
              greetAndLogin(c, "UIDL", "TOP", "PIPELINING");
              // Window 4: four TOPs arrive before the first answer, not one round trip each.
              for (int i = 1; i <= 4; i++) {
                c.expect("TOP " + i + " 0");
              }
              allSentBeforeFirstAnswer.add(!c.clientSendsWithin(Duration.ofMillis(200)));
              for (int i = 1; i <= 5; i++) {
                sendBody(c, latin1("Subject: " + i + "\r\n\r\n"), 1000);
                if (i == 2) {
                  c.expect("TOP 5 0");
                }
              }
            })) {
      Collector collector = new Collector();
      try (Pop3Client client = connectAndLogin(server.port(), Pop3Log.NONE)) {
        client.top(List.of(1, 2, 3, 4, 5), 0, collector);
      }
      server.finish();
      assertThat(allSentBeforeFirstAnswer).containsExactly(true);
      assertThat(collector.bodies.keySet()).containsExactly(1, 2, 3, 4, 5);
      assertThat(collector.bodies.get(5)).isEqualTo(latin1("Subject: 5\r\n\r\n"));
    }
  }

  @Test
  void invalidMessageNumbersAreRejectedBeforeSending() throws Exception {
    try (ScriptedPop3Server server = ScriptedPop3Server.start(c -> greetAndLogin(c, "UIDL"))) {
      try (Pop3Client client = connectAndLogin(server.port(), Pop3Log.NONE)) {
        assertThatThrownBy(() -> client.retrieve(List.of(0), (n, b) -> {}))
            .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> client.delete(List.of()))
            .isInstanceOf(IllegalArgumentException.class);
      }
    }
  }
}
