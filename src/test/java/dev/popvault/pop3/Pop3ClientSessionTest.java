package dev.popvault.pop3;

import static dev.popvault.pop3.Fixtures.PASSWORD;
import static dev.popvault.pop3.Fixtures.USER;
import static dev.popvault.pop3.Fixtures.kind;
import static dev.popvault.pop3.Fixtures.plain;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.popvault.pop3.Pop3Exception.Kind;
import dev.popvault.testsupport.FakeMailbox;
import dev.popvault.testsupport.ScriptedPop3Server;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Drives whole sessions against {@link FakeMailbox}, the way {@code core} will. */
class Pop3ClientSessionTest {

  private static FakeMailbox mailbox() {
    return new FakeMailbox()
        .password(PASSWORD)
        .add("u-1", "Subject: one\r\n\r\nfirst\r\n")
        .add("u-2", "Subject: two\r\n\r\n.dotted\r\n")
        .add("u-3", "Subject: three\r\n\r\nno newline");
  }

  private static Map<Integer, String> retrieveAll(Pop3Client client, List<Integer> numbers)
      throws Exception {
    Map<Integer, String> got = new LinkedHashMap<>();
    client.retrieve(
        numbers,
        (n, body) -> got.put(n, new String(body.readAllBytes(), StandardCharsets.ISO_8859_1)));
    return got;
  }

  @Test
  void fullSessionDeletesOnlyAfterQuit() throws Exception {
    FakeMailbox box = mailbox();
    try (ScriptedPop3Server server = ScriptedPop3Server.start(box)) {
      Pop3Client client = Pop3Client.connect(plain(server.port()), Pop3Log.NONE);
      client.login(USER, PASSWORD.toCharArray(), AuthMethod.AUTO);
      assertThat(client.pipelining()).isTrue();
      assertThat(client.stat().count()).isEqualTo(3);
      List<UidlEntry> uidl = client.uidl();
      assertThat(uidl).extracting(e -> e.uidl().value()).containsExactly("u-1", "u-2", "u-3");
      assertThat(client.list())
          .extracting(ListEntry::size)
          .containsExactly(
              (long) "Subject: one\r\n\r\nfirst\r\n".length(),
              (long) "Subject: two\r\n\r\n.dotted\r\n".length(),
              (long) "Subject: three\r\n\r\nno newline".length());
      Map<Integer, String> got = retrieveAll(client, List.of(1, 2, 3));
      assertThat(got)
          .containsEntry(2, "Subject: two\r\n\r\n.dotted\r\n")
          .containsEntry(3, "Subject: three\r\n\r\nno newline\r\n");
      client.delete(List.of(1, 3));
      assertThat(box.committedDeletions()).isEmpty();
      client.quit();
      assertThat(box.committedDeletions()).containsExactlyInAnyOrder("u-1", "u-3");

      try (Pop3Client second = Pop3Client.connect(plain(server.port()), Pop3Log.NONE)) {
        second.login(USER, PASSWORD.toCharArray(), AuthMethod.USER);
        assertThat(second.uidl()).containsExactly(new UidlEntry(1, new Uidl("u-2")));
      }
    }
  }

  @Test
  void droppedConnectionBeforeQuitCommitsNothing() throws Exception {
    FakeMailbox box =
        mailbox()
            .fault(
                "RETR 2",
                (line, c) -> {
                  c.send("+OK");
                  c.sendRaw("Subject: two\r\n");
                  c.cut();
                  return false;
                });
    try (ScriptedPop3Server server = ScriptedPop3Server.start(box)) {
      try (Pop3Client client = Pop3Client.connect(plain(server.port()), Pop3Log.NONE)) {
        client.login(USER, PASSWORD.toCharArray(), AuthMethod.USER);
        client.delete(List.of(1));
        List<Integer> delivered = new ArrayList<>();
        assertThatThrownBy(
                () ->
                    client.retrieve(
                        List.of(1, 2, 3),
                        (n, body) -> {
                          body.readAllBytes();
                          delivered.add(n);
                        }))
            .isInstanceOfSatisfying(Pop3Exception.class, kind(Kind.CONNECTION_LOST))
            .hasMessageStartingWith("connection lost during RETR 2");
        // RETR 1 was refused by the server (marked deleted), so the handler saw nothing.
        assertThat(delivered).isEmpty();
      }
      assertThat(box.committedDeletions()).isEmpty();
    }
  }

  @Test
  void wrongPasswordIsAuthFailure() throws Exception {
    try (ScriptedPop3Server server = ScriptedPop3Server.start(mailbox())) {
      try (Pop3Client client = Pop3Client.connect(plain(server.port()), Pop3Log.NONE)) {
        assertThatThrownBy(() -> client.login(USER, "wrong".toCharArray(), AuthMethod.USER))
            .isInstanceOfSatisfying(Pop3Exception.class, kind(Kind.AUTH));
      }
    }
  }

  @Test
  void failedStlsNeverFallsBackToPlaintext() throws Exception {
    try (ScriptedPop3Server server =
        ScriptedPop3Server.start(
            c -> {
              c.greet("ready");
              c.answerCapa("STLS", "USER");
              c.expect("STLS");
              c.send("-ERR TLS not available right now");
              c.clientClosesWithin(Duration.ofSeconds(2));
            })) {
      // Plaintext is allowed, yet an offered STLS that fails must not lead to a clear session.
      assertThatThrownBy(() -> Pop3Client.connect(plain(server.port()), Pop3Log.NONE))
          .isInstanceOfSatisfying(Pop3Exception.class, kind(Kind.PROTOCOL))
          .hasMessageContaining("STLS");
      server.finish();
      assertThat(server.received()).containsExactly("CAPA", "STLS");
    }
  }
}
