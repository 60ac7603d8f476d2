package dev.popvault.pop3;

import static dev.popvault.pop3.Fixtures.PASSWORD;
import static dev.popvault.pop3.Fixtures.USER;
import static dev.popvault.pop3.Fixtures.connectAndLogin;
import static dev.popvault.pop3.Fixtures.greet;
import static dev.popvault.pop3.Fixtures.greetAndLogin;
import static dev.popvault.pop3.Fixtures.kind;
import static dev.popvault.pop3.Fixtures.plain;
import static dev.popvault.pop3.Fixtures.settings;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.popvault.pop3.Fixtures.RecordingLog;
import dev.popvault.pop3.Pop3Exception.Kind;
import dev.popvault.testsupport.ScriptedPop3Server;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class Pop3ClientTest {

  @Test
  void readsGreetingCapaAndLogsInWithUserPass() throws Exception {
    RecordingLog log = new RecordingLog();
    try (ScriptedPop3Server server =
        ScriptedPop3Server.start(
            c -> {
              greetAndLogin(c, "UIDL", "TOP", "PIPELINING", "sasl PLAIN");
              c.expect("QUIT");
              c.send("+OK bye");
            })) {
      Pop3Client client = Pop3Client.connect(plain(server.port()), log);
      assertThat(client.greeting()).isEqualTo("POP3 ready");
      assertThat(client.capabilities()).containsExactlyInAnyOrder("USER", "UIDL");
      assertThat(client.pipelining()).isFalse();
      assertThat(client.tlsSession()).isEmpty();
      client.login(USER, PASSWORD.toCharArray(), AuthMethod.USER);
      assertThat(client.capabilities()).contains("PIPELINING", "TOP", "SASL");
      assertThat(client.capabilityLines()).contains("sasl PLAIN");
      assertThat(client.pipelining()).isTrue();
      client.quit();
    }
    assertThat(log.lines).contains("C PASS ********", "S +OK logged in", "C QUIT");
    assertThat(String.join("\n", log.lines)).doesNotContain(PASSWORD);
  }

  @Test
  void capaErrorMeansNoCapabilities() throws Exception {
    try (ScriptedPop3Server server =
        ScriptedPop3Server.start(
            c -> {
              c.greet("hi");
              c.expect("CAPA");
              c.send("-ERR unknown command");
            })) {
      try (Pop3Client client = Pop3Client.connect(plain(server.port()), Pop3Log.NONE)) {
        assertThat(client.capabilities()).isEmpty();
        assertThat(client.capabilityLines()).isEmpty();
      }
    }
  }

  @Test
  void greetingControlCharactersAreReplaced() throws Exception {
    try (ScriptedPop3Server server =
        ScriptedPop3Server.start(
            c -> {
              c.sendRaw("+OK hi\u001b[31m\u0007there\r\n");
              c.answerCapa();
            })) {
      try (Pop3Client client = Pop3Client.connect(plain(server.port()), Pop3Log.NONE)) {
        assertThat(client.greeting()).isEqualTo("hi?[31m?there");
      }
    }
  }

  @Test
  void errGreetingIsUnavailable() throws Exception {
    try (ScriptedPop3Server server = ScriptedPop3Server.start(c -> c.send("-ERR too busy"))) {
      assertThatThrownBy(() -> Pop3Client.connect(plain(server.port()), Pop3Log.NONE))
          .isInstanceOfSatisfying(Pop3Exception.class, kind(Kind.UNAVAILABLE))
          .hasMessageContaining("too busy");
    }
  }

  @Test
  void garbageGreetingIsProtocolError() throws Exception {
    try (ScriptedPop3Server server = ScriptedPop3Server.start(c -> c.send("SSH-2.0-OpenSSH"))) {
      assertThatThrownBy(() -> Pop3Client.connect(plain(server.port()), Pop3Log.NONE))
          .isInstanceOfSatisfying(Pop3Exception.class, kind(Kind.PROTOCOL));
    }
  }

  @Test
  void refusedConnectionIsUnavailable() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    assertThatThrownBy(() -> Pop3Client.connect(plain(port), Pop3Log.NONE))
        .isInstanceOfSatisfying(Pop3Exception.class, kind(Kind.UNAVAILABLE))
        .hasMessageContaining("cannot connect to 127.0.0.1:" + port);
  }

  @Test
  void refusesPlaintextWhenStlsIsNotOffered() throws Exception {
    try (ScriptedPop3Server server =
        ScriptedPop3Server.start(
            c -> {
              greet(c, "USER", "UIDL");
              c.clientClosesWithin(Duration.ofSeconds(2));
            })) {
      Pop3Settings strict = settings(server.port(), false, false, TlsTrust.system(), 4);
      assertThatThrownBy(() -> Pop3Client.connect(strict, Pop3Log.NONE))
          .isInstanceOfSatisfying(Pop3Exception.class, kind(Kind.PLAINTEXT_REFUSED))
          .hasMessage(
              "server does not offer STLS; refusing to send the password in clear text"
                  + " (use pop3s:// or --allow-plaintext)");
      server.finish();
      assertThat(server.received()).containsExactly("CAPA");
    }
  }

  @Test
  void apopSendsRfc1939Digest() throws Exception {
    RecordingLog log = new RecordingLog();
    try (ScriptedPop3Server server =
        ScriptedPop3Server.start(
            c -> {
              c.greet("POP3 server ready <1896.697170952@dbc.mtview.ca.us>");
              c.answerCapa();
              c.expect("APOP mrose c4c9334bac560ecc979e58001b3e22fb");
              c.send("+OK maildrop has 1 message (369 octets)");
              c.answerCapa("UIDL");
            })) {
      try (Pop3Client client = Pop3Client.connect(plain(server.port()), log)) {
        // The example from RFC 1939 §7.
        client.login("mrose", "tanstaaf".toCharArray(), AuthMethod.APOP);
      }
    }
    assertThat(log.lines).contains("C APOP mrose ********");
    assertThat(String.join("\n", log.lines)).doesNotContain("c4c9334bac560ecc979e58001b3e22fb");
  }

  @Test
  void apopWithoutTimestampFailsBeforeSendingAnything() throws Exception {
    try (ScriptedPop3Server server =
        ScriptedPop3Server.start(
            c -> {
              greet(c);
              c.clientClosesWithin(Duration.ofSeconds(2));
            })) {
      try (Pop3Client client = Pop3Client.connect(plain(server.port()), Pop3Log.NONE)) {
        assertThatThrownBy(() -> client.login(USER, PASSWORD.toCharArray(), AuthMethod.APOP))
            .isInstanceOfSatisfying(Pop3Exception.class, kind(Kind.AUTH))
            .hasMessageContaining("server greeting has no APOP timestamp");
      }
      server.finish();
      assertThat(server.received()).containsExactly("CAPA");
    }
  }

  @Test
  void autoUsesSaslPlainWhenOfferedWithExactBytes() throws Exception {
    String expected =
        Base64.getEncoder()
            .encodeToString(("\0" + USER + "\0" + PASSWORD).getBytes(StandardCharsets.UTF_8));
    RecordingLog log = new RecordingLog();
    try (ScriptedPop3Server server =
        ScriptedPop3Server.start(
            c -> {
              greet(c, "SASL XOAUTH2 PLAIN", "UIDL");
              c.expect("AUTH PLAIN " + expected);
              c.send("+OK welcome");
              c.answerCapa("UIDL");
            })) {
      try (Pop3Client client = Pop3Client.connect(plain(server.port()), log)) {
        client.login(USER, PASSWORD.toCharArray(), AuthMethod.AUTO);
      }
    }
    assertThat(log.lines).contains("C AUTH PLAIN ********");
    assertThat(String.join("\n", log.lines)).doesNotContain(expected).doesNotContain(PASSWORD);
  }

  @Test
  void autoFallsBackToUserPassWithoutSaslPlain() throws Exception {
    try (ScriptedPop3Server server = ScriptedPop3Server.start(c -> greetAndLogin(c, "UIDL"))) {
      try (Pop3Client client = Pop3Client.connect(plain(server.port()), Pop3Log.NONE)) {
        client.login(USER, PASSWORD.toCharArray(), AuthMethod.AUTO);
      }
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"USER", "PLAIN", "APOP"})
  void rejectedCredentialsAreAuthErrorsWithoutThePassword(String method) throws Exception {
    RecordingLog log = new RecordingLog();
    try (ScriptedPop3Server server =
        ScriptedPop3Server.start(
            c -> {
              c.greet("ready <1.2@host>");
              c.answerCapa("USER", "SASL PLAIN");
              String line = c.readLine();
              if (line.startsWith("USER")) {
                c.send("+OK");
                c.readLine();
              }
              // A careless server echoing the secret must not leak it through our message.
              c.send("-ERR [AUTH] bad password " + PASSWORD + "\u0007");
            })) {
      try (Pop3Client client = Pop3Client.connect(plain(server.port()), log)) {
        assertThatThrownBy(
                () -> client.login(USER, PASSWORD.toCharArray(), AuthMethod.valueOf(method)))
            .isInstanceOfSatisfying(Pop3Exception.class, kind(Kind.AUTH))
            .isInstanceOfSatisfying(
                Pop3Exception.class, e -> assertThat(e.responseCode()).isEqualTo(ResponseCode.AUTH))
            .hasMessage(
                "authentication failed for alice: (server text withheld: it repeats the password)")
            .hasMessageNotContaining(PASSWORD);
      }
    }
    assertThat(String.join("\n", log.lines))
        .doesNotContain(PASSWORD)
        .contains("S (server text withheld: it repeats the password)");
  }

  @Test
  void userRejectedIsAuthError() throws Exception {
    try (ScriptedPop3Server server =
        ScriptedPop3Server.start(
            c -> {
              greet(c, "USER");
              c.expect("USER " + USER);
              c.send("-ERR no such user");
            })) {
      try (Pop3Client client = Pop3Client.connect(plain(server.port()), Pop3Log.NONE)) {
        assertThatThrownBy(() -> client.login(USER, PASSWORD.toCharArray(), AuthMethod.USER))
            .isInstanceOfSatisfying(Pop3Exception.class, kind(Kind.AUTH))
            .hasMessage("authentication failed for alice: no such user");
      }
    }
  }

  private static String xoauth2(String token) {
    return Base64.getEncoder()
        .encodeToString(
            ("user=" + USER + "\u0001auth=Bearer " + token + "\u0001\u0001")
                .getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void xoauth2OneStepSendsInitialResponse() throws Exception {
    String token = "ya29.tok3n";
    RecordingLog log = new RecordingLog();
    try (ScriptedPop3Server server =
        ScriptedPop3Server.start(
            c -> {
              greet(c, "SASL XOAUTH2");
              c.expect("AUTH XOAUTH2 " + xoauth2(token));
              c.send("+OK");
              c.answerCapa("UIDL");
            })) {
      try (Pop3Client client = Pop3Client.connect(plain(server.port()), log)) {
        client.loginXoauth2(USER, token.toCharArray(), false);
      }
    }
    assertThat(String.join("\n", log.lines)).doesNotContain(token).doesNotContain(xoauth2(token));
  }

  @Test
  void xoauth2TwoStepWaitsForContinuation() throws Exception {
    String token = "EwB-tok3n";
    RecordingLog log = new RecordingLog();
    try (ScriptedPop3Server server =
        ScriptedPop3Server.start(
            c -> {
              greet(c, "SASL XOAUTH2");
              c.expect("AUTH XOAUTH2");
              c.send("+ ");
              c.expect(xoauth2(token));
              c.send("+OK User successfully authenticated.");
              c.answerCapa("UIDL", "PIPELINING");
            })) {
      try (Pop3Client client = Pop3Client.connect(plain(server.port()), log)) {
        client.loginXoauth2(USER, token.toCharArray(), true);
        assertThat(client.pipelining()).isTrue();
      }
    }
    assertThat(log.lines).contains("C AUTH XOAUTH2", "C ********");
    assertThat(String.join("\n", log.lines)).doesNotContain(token);
  }

  @Test
  void oauthbearerSendsTheGs2HeaderHostPortAndToken() throws Exception {
    String token = "ya29.bearer-tok3n";
    RecordingLog log = new RecordingLog();
    try (ScriptedPop3Server server =
        ScriptedPop3Server.start(
            c -> {
              greet(c, "SASL OAUTHBEARER");
              c.expect("AUTH OAUTHBEARER");
              c.send("+ ");
              String expected =
                  "n,a="
                      + USER.replace("=", "=3D").replace(",", "=2C")
                      + ",\u0001host=127.0.0.1\u0001port="
                      + c.socket().getLocalPort()
                      + "\u0001auth=Bearer "
                      + token
                      + "\u0001\u0001";
              c.expect(
                  java.util.Base64.getEncoder()
                      .encodeToString(expected.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
              c.send("+OK welcome");
              c.answerCapa("UIDL");
            })) {
      try (Pop3Client client = Pop3Client.connect(plain(server.port()), log)) {
        client.loginOauthbearer(USER, token.toCharArray(), true);
      }
      server.finish();
    }
    assertThat(log.lines).contains("C AUTH OAUTHBEARER", "C ********");
    assertThat(String.join("\n", log.lines)).doesNotContain(token);
  }

  @Test
  void xoauth2ErrorChallengeIsAnsweredWithEmptyLine() throws Exception {
    String token = "expired-tok3n";
    String json = "{\"status\":\"401\",\"schemes\":\"bearer\"}";
    try (ScriptedPop3Server server =
        ScriptedPop3Server.start(
            c -> {
              greet(c, "SASL XOAUTH2");
              c.expect("AUTH XOAUTH2 " + xoauth2(token));
              c.send(
                  "+ " + Base64.getEncoder().encodeToString(json.getBytes(StandardCharsets.UTF_8)));
              c.expect("");
              c.send("-ERR invalid credentials");
            })) {
      try (Pop3Client client = Pop3Client.connect(plain(server.port()), Pop3Log.NONE)) {
        assertThatThrownBy(() -> client.loginXoauth2(USER, token.toCharArray(), false))
            .isInstanceOfSatisfying(Pop3Exception.class, kind(Kind.AUTH))
            .hasMessageContaining("authentication failed for alice")
            .hasMessageContaining("\"status\":\"401\"")
            .hasMessageNotContaining(token);
      }
    }
  }

  @Test
  void statUidlAndListAreParsed() throws Exception {
    try (ScriptedPop3Server server =
        ScriptedPop3Server.start(
            c -> {
              greetAndLogin(c, "UIDL");
              c.expect("STAT");
              c.send("+OK 3 3000");
              c.expect("UIDL");
              c.sendMultiline("+OK", "1 whqtswO00WBw418f9t5JxYwZ", "2 QhdPYR:00WBw1Ph7x7", "3 ~!");
              c.expect("LIST");
              c.sendMultiline("+OK 3 messages", "1 120", "2 2000 extra info", "3 880");
              c.expect("NOOP");
              c.send("+OK");
              c.expect("RSET");
              c.send("+OK");
            })) {
      try (Pop3Client client = connectAndLogin(server.port(), Pop3Log.NONE)) {
        assertThat(client.stat()).isEqualTo(new Stat(3, 3000));
        assertThat(client.uidl())
            .containsExactly(
                new UidlEntry(1, new Uidl("whqtswO00WBw418f9t5JxYwZ")),
                new UidlEntry(2, new Uidl("QhdPYR:00WBw1Ph7x7")),
                new UidlEntry(3, new Uidl("~!")));
        assertThat(client.list())
            .containsExactly(new ListEntry(1, 120), new ListEntry(2, 2000), new ListEntry(3, 880));
        client.noop();
        client.rset();
      }
    }
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "1 a|1 b",
        "1 a|2 a",
        "0 a",
        "x a",
        "-1 a",
        "1",
        "1 a b",
        "1 \u007fdel",
        "1 \u00e9",
        "4 a",
        "99999999999999 a",
      })
  void badUidlListingsAreProtocolErrors(String lines) throws Exception {
    badListing("UIDL", lines, Pop3Client::uidl);
  }

  @Test
  void overlongUidlIsProtocolError() throws Exception {
    badListing("UIDL", "1 " + "u".repeat(71), Pop3Client::uidl);
  }

  @Test
  void overlongListingLineIsProtocolError() throws Exception {
    badListing("UIDL", "1 " + "u".repeat(9000), Pop3Client::uidl);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {"1 10|1 20", "0 10", "1 -5", "1 ten", "1 1099511627777", "1", "4 10", "1 1e3"})
  void badScanListingsAreProtocolErrors(String lines) throws Exception {
    badListing("LIST", lines, Pop3Client::list);
  }

  @Test
  void largestAcceptedSizeIsTwoToTheFortieth() throws Exception {
    try (ScriptedPop3Server server =
        ScriptedPop3Server.start(
            c -> {
              greetAndLogin(c, "UIDL");
              c.expect("LIST");
              c.sendMultiline("+OK", "1 1099511627776");
            })) {
      try (Pop3Client client = connectAndLogin(server.port(), Pop3Log.NONE)) {
        assertThat(client.list()).containsExactly(new ListEntry(1, 1L << 40));
      }
    }
  }

  private interface Listing {
    Object call(Pop3Client client) throws Exception;
  }

  private static void badListing(String command, String lines, Listing listing) throws Exception {
    try (ScriptedPop3Server server =
        ScriptedPop3Server.start(
            c -> {
              greetAndLogin(c, "UIDL");
              c.expect("STAT");
              c.send("+OK 3 300");
              c.expect(command);
              c.sendMultiline("+OK", lines.split("\\|"));
            })) {
      try (Pop3Client client = connectAndLogin(server.port(), Pop3Log.NONE)) {
        client.stat();
        assertThatThrownBy(() -> listing.call(client))
            .isInstanceOfSatisfying(Pop3Exception.class, kind(Kind.PROTOCOL));
        // The dialogue is out of step after a bad listing: the session must be unusable.
        assertThatThrownBy(client::noop)
            .isInstanceOfSatisfying(Pop3Exception.class, kind(Kind.CONNECTION_LOST));
      }
    }
  }

  @Test
  void deleteErrNamesTheMessageAndKeepsTheSession() throws Exception {
    try (ScriptedPop3Server server =
        ScriptedPop3Server.start(
            c -> {
              greetAndLogin(c, "UIDL");
              c.expect("DELE 1");
              c.send("+OK");
              c.expect("DELE 2");
              c.send("-ERR message 2 already deleted");
              c.expect("RSET");
              c.send("+OK");
            })) {
      try (Pop3Client client = connectAndLogin(server.port(), Pop3Log.NONE)) {
        assertThatThrownBy(() -> client.delete(List.of(1, 2, 3)))
            .isInstanceOfSatisfying(Pop3Exception.class, kind(Kind.PROTOCOL))
            .hasMessage("server refused DELE 2: message 2 already deleted");
        client.rset();
      }
      server.finish();
      assertThat(server.received()).doesNotContain("DELE 3");
    }
  }

  @Test
  void pipelinedDeleteReadsRepliesInFlightAfterErr() throws Exception {
    try (ScriptedPop3Server server =
        ScriptedPop3Server.start(
            c -> {
              greetAndLogin(c, "UIDL", "PIPELINING");
              for (int i = 1; i <= 4; i++) {
                c.expect("DELE " + i);
              }
              c.send("+OK");
              c.send("+OK");
              // Half the window (2) has drained: the client refills it in one write.
              c.expect("DELE 5");
              c.expect("DELE 6");
              c.send("-ERR no");
              // After the -ERR nothing more is sent; the replies in flight are read.
              c.send("+OK");
              c.send("+OK");
              c.send("+OK");
              c.expect("NOOP");
              c.send("+OK");
            })) {
      try (Pop3Client client = connectAndLogin(server.port(), Pop3Log.NONE)) {
        assertThatThrownBy(() -> client.delete(List.of(1, 2, 3, 4, 5, 6, 7, 8)))
            .isInstanceOfSatisfying(Pop3Exception.class, kind(Kind.PROTOCOL))
            .hasMessageContaining("DELE 3");
        client.noop();
      }
      server.finish();
      assertThat(server.received()).doesNotContain("DELE 7");
    }
  }

  @Test
  void quitErrIsReported() throws Exception {
    try (ScriptedPop3Server server =
        ScriptedPop3Server.start(
            c -> {
              greetAndLogin(c, "UIDL");
              c.expect("DELE 1");
              c.send("+OK marked");
              c.expect("QUIT");
              c.send("-ERR some deleted messages not removed");
            })) {
      Pop3Client client = connectAndLogin(server.port(), Pop3Log.NONE);
      client.delete(List.of(1));
      assertThatThrownBy(client::quit)
          .isInstanceOfSatisfying(Pop3Exception.class, kind(Kind.PROTOCOL))
          .hasMessageContaining("did not commit deletions");
    }
  }

  @Test
  void quitWithoutReplyIsConnectionLost() throws Exception {
    try (ScriptedPop3Server server =
        ScriptedPop3Server.start(
            c -> {
              greetAndLogin(c, "UIDL");
              c.expect("DELE 1");
              c.send("+OK marked");
              c.expect("QUIT");
              c.cut();
            })) {
      Pop3Client client = connectAndLogin(server.port(), Pop3Log.NONE);
      client.delete(List.of(1));
      assertThatThrownBy(client::quit)
          .isInstanceOfSatisfying(Pop3Exception.class, kind(Kind.CONNECTION_LOST))
          .hasMessageContaining("QUIT")
          .hasMessageContaining("did not commit deletions");
    }
  }

  @Test
  void pipelinedLoginSendsCredentialCapaAndListingInOneWrite() throws Exception {
    try (ScriptedPop3Server server =
        ScriptedPop3Server.start(
            c -> {
              greet(c, "USER", "UIDL", "PIPELINING");
              // Every command arrives before any reply: a lock-step client would wait for +OK
              // to USER here and the script would time out.
              c.expect("USER " + USER);
              c.expect("PASS " + PASSWORD);
              c.expect("CAPA");
              c.expect("UIDL");
              c.expect("LIST");
              c.send("+OK");
              c.send("+OK logged in");
              c.sendMultiline("+OK", "UIDL", "PIPELINING", "TOP");
              c.send("+OK").send("1 first").send("2 second").send(".");
              c.send("+OK").send("1 120").send("2 340").send(".");
            })) {
      Pop3Client client = Pop3Client.connect(plain(server.port()), Pop3Log.NONE);
      client.listWithLogin();
      client.login(USER, PASSWORD.toCharArray(), AuthMethod.USER);
      assertThat(client.capabilities()).contains("TOP");
      dev.popvault.pop3.Listing listing = client.listing();
      assertThat(listing.uidls())
          .extracting(e -> e.uidl().value())
          .containsExactly("first", "second");
      assertThat(listing.sizes()).extracting(ListEntry::size).containsExactly(120L, 340L);
      client.close();
      server.finish();
    }
  }

  @Test
  void pipelinedLoginRefusedClosesTheSessionAndSaysWhy() throws Exception {
    try (ScriptedPop3Server server =
        ScriptedPop3Server.start(
            c -> {
              greet(c, "USER", "UIDL", "PIPELINING", "SASL PLAIN");
              c.expectPrefix("AUTH PLAIN ");
              c.expect("CAPA");
              c.send("-ERR [AUTH] Authentication failed.");
              c.sendMultiline("+OK", "USER");
              c.clientClosesWithin(Duration.ofSeconds(5));
            })) {
      Pop3Client client = Pop3Client.connect(plain(server.port()), Pop3Log.NONE);
      assertThatThrownBy(() -> client.login(USER, PASSWORD.toCharArray(), AuthMethod.AUTO))
          .isInstanceOfSatisfying(Pop3Exception.class, kind(Kind.AUTH));
      assertThatThrownBy(client::noop).isInstanceOf(Pop3Exception.class);
      server.finish();
    }
  }

  @Test
  void quitWithoutDeleDoesNotWaitForTheReply() throws Exception {
    try (ScriptedPop3Server server =
        ScriptedPop3Server.start(
            c -> {
              greetAndLogin(c, "UIDL");
              c.expect("QUIT");
              // No reply: nothing was marked, so there is nothing the client must see committed.
            })) {
      Pop3Client client = connectAndLogin(server.port(), Pop3Log.NONE);
      client.quit();
      server.finish();
      assertThat(server.received()).endsWith("QUIT");
    }
  }

  @Test
  void closeIsIdempotentAndLaterCallsFail() throws Exception {
    try (ScriptedPop3Server server = ScriptedPop3Server.start(c -> greetAndLogin(c, "UIDL"))) {
      Pop3Client client = connectAndLogin(server.port(), Pop3Log.NONE);
      client.close();
      client.close();
      assertThatThrownBy(client::stat)
          .isInstanceOfSatisfying(Pop3Exception.class, kind(Kind.CONNECTION_LOST));
    }
  }
}
