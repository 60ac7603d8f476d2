package dev.popvault.pop3;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ResponseCodeTest {

  @ParameterizedTest(name = "''{0}'' -> {1}")
  @CsvSource(
      delimiter = '|',
      value = {
        "[IN-USE] maildrop locked | IN_USE",
        "[in-use] lower case | IN_USE",
        " [LOGIN-DELAY] wait | LOGIN_DELAY",
        "[SYS/TEMP] try later | SYS_TEMP",
        "[SYS/TEMP/DISK-FULL] deeper level | SYS_TEMP",
        "[SYS/PERM] broken | SYS_PERM",
        "[AUTH] wrong password | AUTH",
        "[UTF8] needs UTF-8 mode | UTF8",
        "[SYS] no second level | OTHER",
        "[SYS/TEMPORARY] not a level boundary | OTHER",
        "[X-VENDOR] unknown | OTHER",
        "wrong password | NONE",
        "'' | NONE",
        "[] empty brackets | NONE",
        "[IN-USE without a closing bracket | NONE",
        "text then [IN-USE] later | NONE",
      })
  void parsesTheBracketedCodeAtTheStartOnly(String text, ResponseCode expected) {
    assertThat(ResponseCode.parse(text)).isEqualTo(expected);
  }

  @ParameterizedTest
  @CsvSource({"70", "60"})
  void anOverlongBracketIsTextNotACode(int length) {
    String text = "[" + "A".repeat(length) + "] rest";
    assertThat(ResponseCode.parse(text))
        .isEqualTo(length < 64 ? ResponseCode.OTHER : ResponseCode.NONE);
  }
}
