package dev.popvault.pop3;

import static dev.popvault.pop3.Fixtures.PASSWORD;
import static dev.popvault.pop3.Fixtures.USER;
import static dev.popvault.pop3.Fixtures.kind;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.popvault.pop3.Fixtures.RecordingLog;
import dev.popvault.pop3.Pop3Exception.Kind;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The authenticator over in-memory streams: choice of mechanism, UTF8 placement, secrecy. */
class Pop3AuthenticatorTest {
  private static final Pop3Settings SETTINGS = Fixtures.plain(110);

  @ParameterizedTest(name = "{0} with CAPA ''{1}'' -> {2}")
  @CsvSource(
      delimiter = '|',
      value = {
        "AUTO  | SASL PLAIN            | PLAIN",
        "AUTO  | sasl xoauth2 plain    | PLAIN",
        "AUTO  | SASL XOAUTH2          | USER",
        "AUTO  | SASL PLAINX           | USER",
        "AUTO  | X-SASL PLAIN          | USER",
        "AUTO  | PLAIN                 | USER",
        "AUTO  | ''                    | USER",
        "USER  | SASL PLAIN            | USER",
        "APOP  | SASL PLAIN            | APOP",
        "PLAIN | USER                  | PLAIN",
      })
  void autoMeansSaslPlainOnlyWhenASaslLineOffersIt(
      AuthMethod asked, String capaLine, AuthMethod expected) {
    Capabilities capa = Capabilities.of(capaLine.isEmpty() ? List.of() : List.of(capaLine));
    assertThat(Pop3Authenticator.effective(asked, capa)).isEqualTo(expected);
  }

  private static String reply(String command) {
    return switch (command) {
      case "CAPA" -> "+OK\r\nSASL PLAIN\r\nUTF8\r\nUIDL\r\n.\r\n";
      default -> "+OK\r\n";
    };
  }

  @Test
  void autoSendsUtf8OnceBeforeTheCredentialAndCapaAfterIt() throws Exception {
    String sasl =
        Base64.getEncoder()
            .encodeToString(("\0" + USER + "\0" + PASSWORD).getBytes(StandardCharsets.UTF_8));
    ReplyingStreams server = new ReplyingStreams(Pop3AuthenticatorTest::reply);
    RecordingLog log = new RecordingLog();
    try (Pop3Connection conn = server.connection(SETTINGS, log)) {
      conn.capa();
      Pop3Authenticator auth = new Pop3Authenticator(conn);
      auth.login(USER, PASSWORD.toCharArray(), AuthMethod.AUTO, false);
      assertThat(auth.utf8Enabled()).isTrue();
    }
    assertThat(server.commands).containsExactly("CAPA", "UTF8", "AUTH PLAIN " + sasl, "CAPA");
    assertThat(log.lines).contains("C AUTH PLAIN ********");
    assertThat(String.join("\n", log.lines)).doesNotContain(sasl).doesNotContain(PASSWORD);
  }

  @Test
  void aRefusalThatRepeatsThePasswordIsWithheldFromMessageAndLog() throws Exception {
    ReplyingStreams server =
        new ReplyingStreams(
            c ->
                c.startsWith("PASS ")
                    ? "-ERR [AUTH] bad password " + PASSWORD + "\r\n"
                    : "+OK\r\n");
    RecordingLog log = new RecordingLog();
    try (Pop3Connection conn = server.connection(SETTINGS, log)) {
      Pop3Authenticator auth = new Pop3Authenticator(conn);
      assertThatThrownBy(() -> auth.login(USER, PASSWORD.toCharArray(), AuthMethod.USER, false))
          .isInstanceOfSatisfying(Pop3Exception.class, kind(Kind.AUTH))
          .hasMessageContaining("withheld")
          .hasMessageNotContaining(PASSWORD);
    }
    assertThat(server.commands).containsExactly("USER " + USER, "PASS " + PASSWORD);
    assertThat(log.lines).contains("C PASS ********");
    assertThat(String.join("\n", log.lines)).doesNotContain(PASSWORD);
  }

  @Test
  void noCredentialGoesOutOverPlaintextUnlessAllowed() throws Exception {
    Pop3Settings strict =
        Fixtures.settings(110, false, false, TlsTrust.system(), SETTINGS.pipelineWindow());
    ReplyingStreams server = new ReplyingStreams(c -> "+OK\r\n");
    try (Pop3Connection conn = server.connection(strict, Pop3Log.NONE)) {
      Pop3Authenticator auth = new Pop3Authenticator(conn);
      assertThatThrownBy(() -> auth.login(USER, PASSWORD.toCharArray(), AuthMethod.USER, false))
          .isInstanceOfSatisfying(Pop3Exception.class, kind(Kind.PLAINTEXT_REFUSED));
      assertThatThrownBy(() -> auth.loginXoauth2(USER, PASSWORD.toCharArray(), true))
          .isInstanceOfSatisfying(Pop3Exception.class, kind(Kind.PLAINTEXT_REFUSED));
    }
    assertThat(server.commands).isEmpty();
  }

  @ParameterizedTest(name = "CAPA ''{0}'', refusal ''{1}'' -> ''{2}''")
  @CsvSource(
      delimiter = '|',
      value = {
        "USER,SASL PLAIN | -ERR unknown command | the server does not offer XOAUTH2 (it offers: USER, PLAIN)",
        "UIDL            | -ERR unknown command | the server does not offer XOAUTH2 (its CAPA lists no login",
        "SASL XOAUTH2    | -ERR [AUTH] expired  | authentication failed for",
        "USER            | -ERR [IN-USE] busy   | server refused the login for",
        "''              | -ERR unknown command | authentication failed for",
      })
  void aRefusedMechanismTheServerDoesNotListIsNamedWithWhatItOffers(
      String capa, String refusal, String message) throws Exception {
    String capaReply =
        capa.isEmpty() ? "-ERR no CAPA\r\n" : "+OK\r\n" + capa.replace(",", "\r\n") + "\r\n.\r\n";
    ReplyingStreams server =
        new ReplyingStreams(
            c ->
                c.equals("CAPA") ? capaReply : c.startsWith("AUTH") ? refusal + "\r\n" : "+OK\r\n");
    try (Pop3Connection conn = server.connection(SETTINGS, Pop3Log.NONE)) {
      conn.capa();
      Pop3Authenticator auth = new Pop3Authenticator(conn);
      assertThatThrownBy(() -> auth.loginXoauth2(USER, PASSWORD.toCharArray(), false))
          .isInstanceOfSatisfying(Pop3Exception.class, kind(Kind.AUTH))
          .hasMessageStartingWith(message)
          .hasMessageNotContaining(PASSWORD);
    }
  }
}
