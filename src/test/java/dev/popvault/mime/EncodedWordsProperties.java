package dev.popvault.mime;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.mail.internet.MimeUtility;
import java.io.UnsupportedEncodingException;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Property: popvault's RFC 2047 decoder agrees with jakarta.mail's MimeUtility (the reference it
 * replaces on the hot path) on what MimeUtility itself encodes, alone and between plain words, in
 * UTF-8 and ISO-8859-1, with B and Q encoding; and leaves what it cannot decode as it was.
 */
class EncodedWordsProperties {
  @Provide
  Arbitrary<String> texts() {
    return Arbitraries.oneOf(
        Arbitraries.strings().ofMaxLength(120),
        Arbitraries.strings().withCharRange(' ', '~').ofMaxLength(120),
        Arbitraries.strings().withChars("aäöü ß_=?.€\t日本").ofMaxLength(80));
  }

  @Property(tries = 600)
  void decodesWhatMimeUtilityEncodes(
      @ForAll("texts") String text,
      @ForAll("charsets") String charset,
      @ForAll("encodings") String encoding)
      throws UnsupportedEncodingException {
    String encoded = MimeUtility.encodeText(text, charset, encoding);
    String expected = MimeUtility.decodeText(encoded);
    assertThat(EncodedWords.decode(encoded)).isEqualTo(expected);
    String embedded = "Re: " + encoded + " (fwd)";
    assertThat(EncodedWords.decode(embedded)).isEqualTo(MimeUtility.decodeText(embedded));
  }

  @Provide
  Arbitrary<String> charsets() {
    // Only charsets that can hold every generated character, so both sides see the same text.
    return Arbitraries.of("UTF-8");
  }

  @Provide
  Arbitrary<String> encodings() {
    return Arbitraries.of("B", "Q");
  }

  @Property(tries = 300)
  void latin1WordsAgree(@ForAll("latin1") String text, @ForAll("encodings") String encoding)
      throws UnsupportedEncodingException {
    String encoded = MimeUtility.encodeText(text, "ISO-8859-1", encoding);
    assertThat(EncodedWords.decode(encoded)).isEqualTo(MimeUtility.decodeText(encoded));
  }

  @Provide
  Arbitrary<String> latin1() {
    return Arbitraries.strings().withCharRange(' ', 'ÿ').ofMaxLength(100);
  }

  @Example
  void joinsAdjacentWordsAndKeepsOtherSpacing() {
    assertThat(EncodedWords.decode("=?UTF-8?Q?a?= =?UTF-8?B?Yg==?=  \t=?utf-8?q?c_d?="))
        .isEqualTo("abc d");
    assertThat(EncodedWords.decode("x =?UTF-8?Q?a?= y =?UTF-8?Q?b?=")).isEqualTo("x a y b");
    assertThat(EncodedWords.decode("=?ISO-8859-1*de?Q?Gr=FC=DFe?=")).isEqualTo("Grüße");
    assertThat(EncodedWords.decode("no words here")).isEqualTo("no words here");
  }

  @Example
  void leavesWhatItCannotDecode() {
    for (String raw :
        new String[] {
          "=?x-no-such-charset?Q?a?=",
          "=?UTF-8?Z?a?=",
          "=?UTF-8?B?not*base64?=",
          "=?UTF-8?Q?bad=G1?=",
          "=?UTF-8?Q?unterminated",
          "=?",
          "=??=",
          "=?UTF-8?Q?a?= =?bogus?Q?b?= =?UTF-8?Q?c?="
        }) {
      String decoded = EncodedWords.decode(raw);
      if (raw.startsWith("=?UTF-8?Q?a?= ")) {
        assertThat(decoded).isEqualTo("a =?bogus?Q?b?= c");
      } else {
        assertThat(decoded).isEqualTo(raw);
      }
    }
  }
}
