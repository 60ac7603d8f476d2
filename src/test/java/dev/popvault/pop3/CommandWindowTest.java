package dev.popvault.pop3;

import static dev.popvault.pop3.Fixtures.kind;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.popvault.pop3.Fixtures.RecordingLog;
import dev.popvault.pop3.Pop3Exception.Kind;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The pipelined window on its own, over in-memory streams: bound, refill, -ERR handling. */
class CommandWindowTest {
  private static final Pop3Settings SETTINGS = Fixtures.plain(110);

  private static List<Integer> upTo(int n) {
    return IntStream.rangeClosed(1, n).boxed().toList();
  }

  /** Answers DELE with +OK, RETR n with a one-line body "m n"; "DELE 0"-style refusals by set. */
  private static String reply(String command, List<String> refused) {
    if (refused.contains(command)) {
      return "-ERR [SYS/TEMP] no such message\r\n";
    }
    if (command.startsWith("RETR ")) {
      return "+OK\r\nm " + command.substring(5) + "\r\n.\r\n";
    }
    return "+OK\r\n";
  }

  @ParameterizedTest(name = "window {0}, {1} commands")
  @CsvSource({"1, 1", "1, 7", "2, 9", "3, 10", "4, 4", "4, 10", "5, 23", "8, 3", "512, 40"})
  void neverMoreThanTheWindowInFlightAndEveryReplyInOrder(int window, int count) throws Exception {
    ReplyingStreams server = new ReplyingStreams(c -> reply(c, List.of()));
    Map<Integer, String> bodies = new LinkedHashMap<>();
    try (Pop3Connection conn = server.connection(SETTINGS, Pop3Log.NONE)) {
      new CommandWindow(conn, window)
          .run(
              "RETR",
              "",
              upTo(count),
              (n, body) -> bodies.put(n, new String(body.readAllBytes(), StandardCharsets.UTF_8)));
    }
    assertThat(server.maxInFlight()).isEqualTo(Math.min(window, count));
    assertThat(server.commands)
        .containsExactlyElementsOf(upTo(count).stream().map(n -> "RETR " + n).toList());
    assertThat(bodies.keySet()).containsExactlyElementsOf(upTo(count));
    assertThat(bodies.get(count)).isEqualTo("m " + count + "\r\n");
  }

  @Test
  void refillsHalfAWindowPerWriteAndLockStepWithWindowOne() throws Exception {
    ReplyingStreams pipelined = new ReplyingStreams(c -> reply(c, List.of()));
    try (Pop3Connection conn = pipelined.connection(SETTINGS, Pop3Log.NONE)) {
      new CommandWindow(conn, 4).run("DELE", "", upTo(10), null);
    }
    assertThat(pipelined.commandsPerWrite).containsExactly(4, 2, 2, 2);

    ReplyingStreams lockStep = new ReplyingStreams(c -> reply(c, List.of()));
    try (Pop3Connection conn = lockStep.connection(SETTINGS, Pop3Log.NONE)) {
      new CommandWindow(conn, 1).run("TOP", " 0", upTo(3), null);
    }
    assertThat(lockStep.commandsPerWrite).containsExactly(1, 1, 1);
    assertThat(lockStep.commands).containsExactly("TOP 1 0", "TOP 2 0", "TOP 3 0");
  }

  @Test
  void afterAnErrNothingMoreIsSentTheRepliesInFlightAreReadAndTheSessionStaysOpen()
      throws Exception {
    ReplyingStreams server = new ReplyingStreams(c -> reply(c, List.of("RETR 2")));
    List<Integer> handed = new ArrayList<>();
    try (Pop3Connection conn = server.connection(SETTINGS, Pop3Log.NONE)) {
      CommandWindow window = new CommandWindow(conn, 4);
      assertThatThrownBy(() -> window.run("RETR", "", upTo(10), (n, body) -> handed.add(n)))
          .isInstanceOfSatisfying(Pop3Exception.class, kind(Kind.PROTOCOL))
          .hasMessageContaining("server refused RETR 2")
          .hasMessageContaining("try again later")
          .extracting(e -> ((Pop3Exception) e).responseCode())
          .isEqualTo(ResponseCode.SYS_TEMP);
      // RETR 3 and 4 were in flight: read, bodies discarded, nothing sent after the -ERR.
      assertThat(server.commands).containsExactly("RETR 1", "RETR 2", "RETR 3", "RETR 4");
      assertThat(handed).containsExactly(1);
      conn.requireOpen();
      new CommandWindow(conn, 4).run("DELE", "", List.of(1), null);
    }
    assertThat(server.commands).endsWith("DELE 1");
  }

  @Test
  void anUnexpectedReplyClosesTheSession() throws Exception {
    ReplyingStreams server = new ReplyingStreams(c -> "+OKAY\r\n");
    RecordingLog log = new RecordingLog();
    try (Pop3Connection conn = server.connection(SETTINGS, log)) {
      assertThatThrownBy(() -> new CommandWindow(conn, 4).run("DELE", "", upTo(2), null))
          .isInstanceOfSatisfying(Pop3Exception.class, kind(Kind.PROTOCOL))
          .hasMessageContaining("unexpected reply to DELE 1");
      assertThatThrownBy(conn::requireOpen).hasMessageContaining("closed");
    }
    assertThat(log.lines).startsWith("C DELE 1", "C DELE 2", "S +OKAY");
  }

  @Test
  void invalidNumbersOrWindowAreRejectedBeforeAnythingIsSent() throws Exception {
    ReplyingStreams server = new ReplyingStreams(c -> reply(c, List.of()));
    try (Pop3Connection conn = server.connection(SETTINGS, Pop3Log.NONE)) {
      CommandWindow window = new CommandWindow(conn, 4);
      assertThatThrownBy(() -> window.run("DELE", "", List.of(), null))
          .isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> window.run("DELE", "", List.of(1, 0), null))
          .isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> new CommandWindow(conn, 0))
          .isInstanceOf(IllegalArgumentException.class);
    }
    assertThat(server.commands).isEmpty();
  }
}
