package dev.popvault.mime;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class HeaderSummaryTest {
  @Test
  void decodesFoldedAndEncodedHeaders() {
    byte[] head =
        ("Message-ID: <a@b>\r\nDate: Thu, 1 Jan 1970 00:00:00 +0000\r\nFrom: =?UTF-8?Q?J=C3=B6rg?= <j@x>\r\n"
                + "Subject: a long\r\n subject\r\nTo: a@x,\r\n b@x\r\nCC: =?UTF-8?Q?Z=C3=BC?= <z@x>\r\n\r\n"
                + "body\r\n")
            .getBytes(StandardCharsets.US_ASCII);
    HeaderSummary s = HeaderSummary.parse(head, head.length);
    assertThat(s)
        .isEqualTo(
            new HeaderSummary(
                "<a@b>",
                "Thu, 1 Jan 1970 00:00:00 +0000",
                "Jörg <j@x>",
                "a long subject",
                "a@x, b@x",
                "Zü <z@x>"));
  }

  @Test
  void stripsControlCharactersAndToleratesGarbage() {
    byte[] head = "Subject: evil\u001b[2J\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1);
    assertThat(HeaderSummary.parse(head, head.length).subject()).isEqualTo("evil [2J");
    byte[] garbage = new byte[] {0, 1, 2, (byte) 0xff, '\n', '\n'};
    assertThat(HeaderSummary.parse(garbage, garbage.length).subject()).isNull();
  }

  @Test
  void captureKeepsOnlyTheFirstBytesAndPassesEverythingThrough() throws IOException {
    byte[] message =
        ("Subject: captured\r\n\r\n" + "x".repeat(200_000)).getBytes(StandardCharsets.US_ASCII);
    HeaderCapture capture = new HeaderCapture(new ByteArrayInputStream(message));
    assertThat(capture.readAllBytes()).isEqualTo(message);
    assertThat(capture.summary().subject()).isEqualTo("captured");
  }

  @Test
  void matchesNamesAnyCaseIgnoresLookalikesAndKeepsTheFirstOccurrence() {
    byte[] head =
        ("X-Note: a\r\n from: not a field\r\nSUBJECT : first\r\n\tsecond\r\nSubject: later\r"
                + "Received: x\n  From: folded lookalike\nFrom:\ta@b\r\nMessage-Id:<m@x>\r\n\r\n"
                + "Date: in the body\r\n")
            .getBytes(StandardCharsets.US_ASCII);
    HeaderSummary s = HeaderSummary.parse(head, head.length);
    assertThat(s).isEqualTo(new HeaderSummary("<m@x>", null, "a@b", "first second", null, null));
  }

  @Test
  void readsEachFieldAsUtf8WhenValidElseLatin1() {
    byte[] utf8 = "Subject: Grüße\r\n".getBytes(StandardCharsets.UTF_8);
    byte[] latin1 = "From: Jürgen <j@x>\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1);
    byte[] head = new byte[utf8.length + latin1.length];
    System.arraycopy(utf8, 0, head, 0, utf8.length);
    System.arraycopy(latin1, 0, head, utf8.length, latin1.length);
    HeaderSummary s = HeaderSummary.parse(head, head.length);
    assertThat(s.subject()).isEqualTo("Grüße");
    assertThat(s.from()).isEqualTo("Jürgen <j@x>");
  }

  @Test
  void captureStopsCopyingAtTheEndOfTheHeaderSection() throws IOException {
    byte[] message =
        ("Subject: one\r\n\r\nSubject: body line\r\n" + "y".repeat(100_000))
            .getBytes(StandardCharsets.US_ASCII);
    HeaderCapture capture = new HeaderCapture(new ByteArrayInputStream(message));
    byte[] chunk = new byte[7];
    int n;
    while ((n = capture.read(chunk, 0, chunk.length)) != -1) {
      assertThat(n).isPositive();
    }
    assertThat(capture.summary().subject()).isEqualTo("one");
    assertThat(capture.keptBytes()).isLessThan(30);
  }
}
