package dev.popvault.testsupport;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * Generates hostile-but-real test mail, deterministically for a seed, and predicts what Dovecot
 * sends for it.
 *
 * <p>Line endings as stored (maildir files normally use LF; Dovecot also serves CRLF and mixed
 * files):
 *
 * <ul>
 *   <li>CRLF: {@code from-lines}, {@code dot-lines}, {@code bare-cr}, {@code cr-before-crlf},
 *       {@code nul-bytes}, {@code empty-body}, {@code huge-attachment}, and the odd-numbered random
 *       messages;
 *   <li>LF only: {@code utf8-headers}, {@code lf-only}, {@code long-line}, {@code
 *       no-final-newline}, {@code headers-only}, {@code dot-lines-lf}, and the even-numbered random
 *       messages;
 *   <li>mixed CRLF and LF: {@code mixed-endings}; no final newline at all: {@code no-final-newline}
 *       and {@code ends-with-bare-cr}.
 * </ul>
 */
public final class Corpus {
  private static final String[] WORDS = {
    "archive", "mailbox", "the", "of", "server", "message", "and", "exactly", "once", "ledger",
    "frame", "commit", "to", "a", "verify", "Grüße", "naïve", "日本語", "data", "is", "not", "lost",
    "fsync", "order"
  };

  private Corpus() {}

  /**
   * Returns the standard corpus: every hostile case once, then 20 ordinary random messages of 1
   * KB–300 KB.
   *
   * @param includeHuge whether to add {@code huge-attachment}, a ~20 MB base64 attachment
   */
  public static List<CorpusMessage> standard(long seed, boolean includeHuge) {
    Random random = new Random(seed);
    List<CorpusMessage> corpus = new ArrayList<>();
    corpus.add(
        message(
            "c01-from-lines",
            "\r\n",
            headers("From lines", seed),
            "",
            "From here the mbox separator must be quoted",
            ">From already quoted once",
            ">>From quoted twice",
            "From",
            " From with a leading space",
            "From: looks like a header",
            "end"));
    corpus.add(
        message(
            "c02-utf8-headers",
            "\n",
            "From: Jörg Müller <jörg@例え.jp>",
            "To: test@example.org",
            "Subject: Grüße aus Köln – 日本語",
            "Date: Thu, 01 Jan 2026 00:00:00 +0000",
            "Message-ID: <utf8-" + seed + "@example.org>",
            "",
            "Raw UTF-8 in the headers, not RFC 2047 encoded."));
    corpus.add(
        raw(
            "c03-latin1-header",
            concat(
                utf8("From: a@example.org\nSubject: caf"),
                new byte[] {(byte) 0xE9, (byte) 0xFF},
                utf8("\n\nA raw 8-bit (ISO-8859-1) byte in a header.\n"))));
    corpus.add(
        message(
            "c04-bare-cr",
            "\r\n",
            headers("bare CR", seed),
            "",
            "before\rafter a bare CR inside a line",
            "\r",
            "line after a line that is only CR"));
    corpus.add(
        raw(
            "c05-cr-before-crlf",
            utf8(
                headersText("CR before CRLF", seed, "\r\n")
                    + "\r\nline ending CR CR LF\r\r\nnext\r\n")));
    corpus.add(
        message(
            "c06-lf-only",
            "\n",
            headers("LF only", seed),
            "",
            "A maildir file with LF line endings, the normal case.",
            "",
            "Second paragraph."));
    corpus.add(
        message(
            "c07-mixed-endings",
            "\r\n",
            headers("mixed", seed),
            "",
            "crlf line\nlf line\r\nanother crlf line\n\nlf blank line above"));
    corpus.add(
        raw(
            "c08-nul-bytes",
            concat(
                utf8(headersText("NUL bytes", seed, "\r\n") + "\r\nbefore"),
                new byte[] {0, 0, 'x', 0},
                utf8("after\r\n\0\r\n"))));
    corpus.add(
        message(
            "c09-long-line",
            "\n",
            headers("200 KB line", seed),
            "",
            randomText(random, 200 * 1024, false),
            "short line after"));
    corpus.add(
        raw(
            "c10-no-final-newline",
            utf8(headersText("no final newline", seed, "\n") + "\nlast line has no newline")));
    corpus.add(
        raw(
            "c11-ends-with-bare-cr",
            utf8(headersText("ends with bare CR", seed, "\r\n") + "\r\nlast line ends in CR\r")));
    corpus.add(
        message(
            "c12-dot-lines",
            "\r\n",
            headers("dot lines", seed),
            "",
            ".leading dot",
            "..two leading dots",
            ".",
            "..",
            "...",
            ". space",
            "between",
            "."));
    corpus.add(
        message(
            "c13-dot-lines-lf",
            "\n",
            headers("dot lines LF", seed),
            "",
            ".",
            ".leading",
            "From .",
            "."));
    corpus.add(raw("c14-empty-body", utf8(headersText("empty body", seed, "\r\n") + "\r\n")));
    corpus.add(raw("c15-headers-only", utf8(headersText("headers only", seed, "\n"))));
    if (includeHuge) {
      corpus.add(hugeAttachment(random, seed));
    }
    for (int i = 1; i <= 20; i++) {
      // Log-uniform between 1 KB and 300 KB: many small, some large, like a real mailbox.
      int size = (int) Math.round(1024 * Math.pow(300, random.nextDouble()));
      corpus.add(ordinary(random, String.format(Locale.ROOT, "r%02d-random-%d", i, seed), size, i));
    }
    return List.copyOf(corpus);
  }

  /**
   * Returns {@code count} ordinary messages (names {@code bulk-000001}…) of 0.5–1.5 × {@code
   * avgSize} bytes, alternating CRLF and LF endings; for crash and volume tests.
   */
  public static List<CorpusMessage> bulk(long seed, int count, int avgSize) {
    if (count < 0 || avgSize < 512) {
      throw new IllegalArgumentException("count >= 0 and avgSize >= 512 required");
    }
    Random random = new Random(seed);
    List<CorpusMessage> messages = new ArrayList<>(count);
    for (int i = 1; i <= count; i++) {
      int size = (int) (avgSize * (0.5 + random.nextDouble()));
      messages.add(ordinary(random, String.format(Locale.ROOT, "bulk-%06d", i), size, i));
    }
    return messages;
  }

  /**
   * Returns what Dovecot 2.3 (maildir) sends for a stored file in reply to RETR, after
   * dot-unstuffing and without the terminating ".CRLF". Verified for the whole {@link #standard}
   * corpus by {@code DovecotServerIT}:
   *
   * <ul>
   *   <li>every LF not preceded by CR becomes CRLF;
   *   <li>an existing CRLF is kept, and so is a bare CR (also CR CR LF stays CR CR LF);
   *   <li>a file that does not end with LF gets CRLF appended (a file ending in a bare CR ends CR
   *       CR LF);
   *   <li>NUL and 8-bit bytes are sent unchanged; nothing else is added or removed.
   * </ul>
   */
  public static byte[] expectedWireBytes(byte[] stored) {
    ByteArrayOutputStream wire = new ByteArrayOutputStream(stored.length + stored.length / 32 + 2);
    for (int i = 0; i < stored.length; i++) {
      byte b = stored[i];
      if (b == '\n' && (i == 0 || stored[i - 1] != '\r')) {
        wire.write('\r');
      }
      wire.write(b);
    }
    if (stored.length == 0 || stored[stored.length - 1] != '\n') {
      wire.write('\r');
      wire.write('\n');
    }
    return wire.toByteArray();
  }

  /**
   * Returns the size Dovecot 2.3 reports for a stored file in LIST (and STAT): the length of {@link
   * #expectedWireBytes} minus the CRLF that Dovecot appends to a file without a final LF, which
   * LIST does not count. Verified by {@code DovecotServerIT}.
   */
  public static long expectedListSize(byte[] stored) {
    long size = expectedWireBytes(stored).length;
    boolean finalNewline = stored.length > 0 && stored[stored.length - 1] == '\n';
    return finalNewline ? size : size - 2;
  }

  private static CorpusMessage ordinary(Random random, String name, int size, int index) {
    String eol = index % 2 == 1 ? "\r\n" : "\n";
    StringBuilder text = new StringBuilder(size + 200);
    text.append("From: Sender ")
        .append(index)
        .append(" <sender")
        .append(index)
        .append("@example.org>")
        .append(eol);
    text.append("To: archive@example.org").append(eol);
    text.append("Subject: ").append(randomText(random, 20 + random.nextInt(40), false)).append(eol);
    text.append("Date: Mon, 02 Feb 2026 10:")
        .append(String.format(Locale.ROOT, "%02d:%02d", index % 60, random.nextInt(60)))
        .append(" +0100")
        .append(eol);
    text.append("Message-ID: <").append(name).append("@example.org>").append(eol);
    text.append("MIME-Version: 1.0").append(eol);
    text.append("Content-Type: text/plain; charset=utf-8").append(eol);
    text.append("Content-Transfer-Encoding: 8bit").append(eol);
    text.append(eol);
    // Sizes count UTF-8 bytes, not chars: the words include multi-byte characters.
    long bytes = text.toString().getBytes(StandardCharsets.UTF_8).length;
    while (bytes < size) {
      String line = randomText(random, 10 + random.nextInt(90), true) + eol;
      text.append(line);
      bytes += line.getBytes(StandardCharsets.UTF_8).length;
    }
    return new CorpusMessage(name, text.toString().getBytes(StandardCharsets.UTF_8));
  }

  private static CorpusMessage hugeAttachment(Random random, long seed) {
    byte[] payload = new byte[15 * 1024 * 1024]; // 20 MiB once base64-encoded
    random.nextBytes(payload);
    ByteArrayOutputStream out = new ByteArrayOutputStream(21 * 1024 * 1024 + 4096);
    String head =
        headersText("20 MB attachment", seed, "\r\n")
            + "MIME-Version: 1.0\r\n"
            + "Content-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n"
            + "--b1\r\nContent-Type: text/plain\r\n\r\nSee attachment.\r\n"
            + "--b1\r\nContent-Type: application/octet-stream\r\n"
            + "Content-Transfer-Encoding: base64\r\n"
            + "Content-Disposition: attachment; filename=\"random.bin\"\r\n\r\n";
    out.writeBytes(utf8(head));
    out.writeBytes(Base64.getMimeEncoder(76, new byte[] {'\r', '\n'}).encode(payload));
    out.writeBytes(utf8("\r\n--b1--\r\n"));
    return new CorpusMessage("c16-huge-attachment", out.toByteArray());
  }

  /**
   * Returns words of {@link #WORDS}; with {@code hostile}, some lines start with "From " or ".".
   */
  private static String randomText(Random random, int length, boolean hostile) {
    StringBuilder text = new StringBuilder(length + 16);
    if (hostile) {
      int roll = random.nextInt(40);
      if (roll == 0) {
        text.append("From ");
      } else if (roll == 1) {
        text.append('.');
      } else if (roll == 2) {
        text.append(">From ");
      }
    }
    while (text.length() < length) {
      text.append(WORDS[random.nextInt(WORDS.length)]).append(' ');
    }
    return text.toString().stripTrailing();
  }

  private static String[] headers(String subject, long seed) {
    return headersText(subject, seed, "\n").split("\n");
  }

  private static String headersText(String subject, long seed, String eol) {
    String id = subject.replaceAll("[^A-Za-z0-9]", "-");
    return "From: Corpus <corpus@example.org>"
        + eol
        + "To: archive@example.org"
        + eol
        + "Subject: "
        + subject
        + eol
        + "Date: Thu, 01 Jan 2026 12:00:00 +0000"
        + eol
        + "Message-ID: <"
        + id
        + "-"
        + seed
        + "@example.org>"
        + eol;
  }

  private static CorpusMessage message(String name, String eol, Object... parts) {
    StringBuilder text = new StringBuilder();
    for (Object part : parts) {
      if (part instanceof String[] lines) {
        for (String line : lines) {
          text.append(line).append(eol);
        }
      } else {
        text.append(part).append(eol);
      }
    }
    return new CorpusMessage(name, text.toString().getBytes(StandardCharsets.UTF_8));
  }

  private static CorpusMessage raw(String name, byte[] content) {
    return new CorpusMessage(name, content);
  }

  private static byte[] utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] part : parts) {
      out.writeBytes(part);
    }
    return out.toByteArray();
  }
}
