package dev.popvault.pop3;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CapabilitiesTest {

  @Test
  void namesAreTheUpperCasedFirstWordsAndLinesAreKeptInOrder() {
    Capabilities capa = Capabilities.of(List.of("uidl", "SASL PLAIN XOAUTH2", "", "Utf8 USER"));
    assertThat(capa.names()).containsExactlyInAnyOrder("UIDL", "SASL", "UTF8");
    assertThat(capa.lines()).containsExactly("uidl", "SASL PLAIN XOAUTH2", "", "Utf8 USER");
    assertThat(capa.offers("UTF8")).isTrue();
    assertThat(capa.offers("PIPELINING")).isFalse();
    assertThat(capa.offersSasl("xoauth2")).isTrue();
    assertThat(capa.offersSasl("OAUTHBEARER")).isFalse();
    assertThat(Capabilities.NONE.names()).isEmpty();
  }

  @ParameterizedTest(name = "''{0}'' then ''{1}'' -> {2}")
  @CsvSource(
      delimiter = '|',
      value = {
        "LOGIN-DELAY 900   | LOGIN-DELAY 60 | one login every 900 s",
        "UIDL              | LOGIN-DELAY 60 | one login every 60 s",
        "login-delay 300 USER | UIDL        | one login every 300 s",
        "LOGIN-DELAY soon  | UIDL           | a new login only after a delay",
        "LOGIN-DELAY 1234567890 | UIDL      | a new login only after a delay",
        "LOGIN-DELAY       | UIDL           | a new login only after a delay",
      })
  void loginDelayPrefersTheLatestCapaAndTakesOnlyAPlainNumber(
      String latest, String earlier, String expected) {
    assertThat(
            Capabilities.loginDelay(
                Capabilities.of(List.of(latest)), Capabilities.of(List.of(earlier))))
        .isEqualTo(expected);
  }

  @Test
  void retryHintNamesTheDelayOnlyForLoginDelay() {
    assertThat(ResponseCode.LOGIN_DELAY.retryHint("one login every 60 s"))
        .isEqualTo(" (the server allows one login every 60 s; try again later)");
    assertThat(ResponseCode.SYS_PERM.retryHint("x")).contains("retrying will not help");
    assertThat(ResponseCode.AUTH.retryHint("x")).isEmpty();
    assertThat(ResponseCode.NONE.retryHint("x")).isEmpty();
  }
}
