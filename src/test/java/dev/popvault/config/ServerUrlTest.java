package dev.popvault.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ServerUrlTest {
  @Test
  void parsesPop3sWithDefaultPort() throws ConfigException {
    ServerUrl url = ServerUrl.parse("pop3s://alice@mail.example.com");
    assertThat(url).isEqualTo(new ServerUrl(true, "alice", "mail.example.com", 995));
    assertThat(url.accountName()).isEqualTo("alice@mail.example.com");
  }

  @Test
  void parsesPop3WithPortAndEncodedUser() throws ConfigException {
    ServerUrl url = ServerUrl.parse("pop3://alice%40example.com@127.0.0.1:1110");
    assertThat(url).isEqualTo(new ServerUrl(false, "alice@example.com", "127.0.0.1", 1110));
  }

  @Test
  void parsesIpv6Literal() throws ConfigException {
    assertThat(ServerUrl.parse("pop3s://bob@[::1]:9995").host()).isEqualTo("::1");
  }

  @Test
  void keepsPlusInUserNames() throws ConfigException {
    assertThat(ServerUrl.parse("pop3s://a+b@h").user()).isEqualTo("a+b");
  }

  @Test
  void refusesPasswordInUrlWithoutEchoingIt() {
    assertThatThrownBy(() -> ServerUrl.parse("pop3s://alice:hunter2@mail.example.com"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("refusing a password")
        .hasMessageNotContaining("hunter2");
  }

  @Test
  void sayWhatIsWrongWithAnIncompleteUrl() {
    assertThatThrownBy(() -> ServerUrl.parse("pop3s://carol@"))
        .hasMessage(
            "invalid server URL 'pop3s://carol@': no host after 'carol@' (pop3s://USER@HOST)");
    assertThatThrownBy(() -> ServerUrl.parse("pop3s://carol@host:abc"))
        .hasMessage(
            "invalid server URL 'pop3s://carol@host:abc': port 'abc' is not a number"
                + " (pop3s://USER@HOST:PORT)");
    assertThatThrownBy(() -> ServerUrl.parse("pop3s://"))
        .hasMessage("invalid server URL 'pop3s://': no user and no host (pop3s://USER@HOST)");
    assertThatThrownBy(() -> ServerUrl.parse("pop3s://@host")).hasMessageContaining("no user");
    assertThatThrownBy(() -> ImapUrl.parse("imaps://carol@host:x/INBOX"))
        .hasMessageContaining("port 'x' is not a number");
  }

  @Test
  void refusesOtherSchemesMissingUserAndPaths() {
    assertThatThrownBy(() -> ServerUrl.parse("imap://alice@h")).hasMessageContaining("pop3s://");
    assertThatThrownBy(() -> ServerUrl.parse("pop3s://h")).hasMessageContaining("no user");
    assertThatThrownBy(() -> ServerUrl.parse("pop3s://a@h/inbox"))
        .hasMessageContaining("unexpected path");
    assertThatThrownBy(() -> ServerUrl.parse("pop3s://a@h:99999"))
        .isInstanceOf(ConfigException.class);
  }
}
