package dev.popvault.pop3;

import static org.assertj.core.api.Assertions.assertThat;

import dev.popvault.testsupport.ScriptedPop3Server.Conversation;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/** Shared settings, log recorder and dialogue snippets for the client tests. */
final class Fixtures {
  static final String USER = "alice";
  static final String PASSWORD = "s3cr3t-Pa55";

  private Fixtures() {}

  /** Returns plaintext-allowed settings for 127.0.0.1 with short timeouts and a window of 4. */
  static Pop3Settings plain(int port) {
    return settings(port, false, true, TlsTrust.system(), 4);
  }

  static Pop3Settings settings(
      int port, boolean implicitTls, boolean allowPlaintext, TlsTrust trust, int window) {
    return new Pop3Settings(
        "127.0.0.1",
        port,
        implicitTls,
        allowPlaintext,
        trust,
        Duration.ofSeconds(2),
        Duration.ofSeconds(5),
        window);
  }

  /** Greets and answers the first CAPA with {@code capabilities}. */
  static void greet(Conversation c, String... capabilities) throws IOException {
    c.greet("POP3 ready");
    c.answerCapa(capabilities);
  }

  /** Plays greeting, CAPA, USER/PASS and the CAPA after login. */
  static void greetAndLogin(Conversation c, String... capabilitiesAfterLogin) throws IOException {
    greet(c, "USER", "UIDL");
    c.expect("USER " + USER);
    c.send("+OK");
    c.expect("PASS " + PASSWORD);
    c.send("+OK logged in");
    c.answerCapa(capabilitiesAfterLogin);
  }

  /** Connects with {@link #plain} settings and logs in with USER/PASS. */
  static Pop3Client connectAndLogin(int port, Pop3Log log) throws IOException {
    Pop3Client client = Pop3Client.connect(plain(port), log);
    client.login(USER, PASSWORD.toCharArray(), AuthMethod.USER);
    return client;
  }

  /** Returns a condition-style check that an exception is a Pop3Exception of {@code kind}. */
  static Consumer<Pop3Exception> kind(Pop3Exception.Kind kind) {
    return e -> assertThat(e.kind()).as(e.getMessage()).isEqualTo(kind);
  }

  /** Records log lines as "C text" / "S text". */
  static final class RecordingLog implements Pop3Log {
    final List<String> lines = new CopyOnWriteArrayList<>();

    @Override
    public void line(String direction, String text) {
      lines.add(direction + " " + text);
    }
  }
}
