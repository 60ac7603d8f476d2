package dev.popvault.archive;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * Test model of the mboxrd rules, written line by line and without streaming, so the streaming
 * encoder is checked against an independent statement of the format. Also holds awkward inputs.
 */
final class Mboxrd {
  static final Instant T0 = Instant.parse("2024-02-29T13:05:09Z");

  private Mboxrd() {}

  static byte[] b(String s) {
    return s.getBytes(StandardCharsets.ISO_8859_1);
  }

  /**
   * Returns what one message's content looks like in the mbox (without separator and blank line).
   */
  static byte[] stored(byte[] input) {
    List<byte[]> lines = new ArrayList<>();
    int start = 0;
    for (int i = 0; i < input.length; i++) {
      if (input[i] == '\n') {
        lines.add(Arrays.copyOfRange(input, start, i + 1));
        start = i + 1;
      }
    }
    if (start < input.length) {
      lines.add(Arrays.copyOfRange(input, start, input.length));
    }
    boolean raw = false;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] line : lines) {
      int n = line.length;
      boolean lf = line[n - 1] == '\n';
      boolean crlf = lf && n >= 2 && line[n - 2] == '\r';
      if (lf && !crlf) {
        raw = true;
      }
      int contentEnd = !lf ? n : (crlf && !raw ? n - 2 : n - 1);
      String content = new String(line, 0, contentEnd, StandardCharsets.ISO_8859_1);
      if (content.matches("(?s)^>*From .*")) {
        out.write('>');
      }
      out.write(line, 0, contentEnd);
      out.write('\n');
    }
    return out.toByteArray();
  }

  /** Returns the whole mbox entry of one message received at {@code t}. */
  static byte[] entry(byte[] input, Instant t) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(b("From MAILER-DAEMON " + MboxrdEncoder.asctime(t) + "\n"));
    out.writeBytes(stored(input));
    out.write('\n');
    return out.toByteArray();
  }

  /** Returns inputs that stress every rule; each is named for failure messages. */
  static List<Object[]> awkward() {
    List<Object[]> l = new ArrayList<>();
    l.add(new Object[] {"from lines", b("From x\r\nFrom: a\r\n\r\nFrom x y\r\nbody From x\r\n")});
    l.add(new Object[] {"quoted from", b(">From x\r\n>>From y\r\n>>>From z\r\n")});
    l.add(new Object[] {"no space", b(">>From\r\nFrom\r\n>From\r\nFromx\r\n>\r\n>>\r\n")});
    l.add(new Object[] {"partial from at end", b("x\r\n>>Fro")});
    l.add(new Object[] {"from at end no newline", b("x\r\nFrom ")});
    l.add(new Object[] {"gt at end", b("x\r\n>>>")});
    l.add(new Object[] {"bare cr", b("a\rb\r\nc\r\r\n\rFrom x\r\n")});
    l.add(new Object[] {"bare lf", b("a\nb\nFrom c\n\n")});
    l.add(new Object[] {"crlf then bare lf", b("a\r\nb\r\nc\nd\r\ne\n>From f\r\ng\r")});
    l.add(new Object[] {"cr cr lf", b("\r\r\n\r\r\r\n")});
    l.add(new Object[] {"nul bytes", b("a\0b\r\n\0\0\r\n\0")});
    l.add(new Object[] {"no final newline", b("Subject: x\r\n\r\nabc")});
    l.add(new Object[] {"ends with bare cr", b("Subject: x\r\n\r\nabc\r")});
    l.add(new Object[] {"only cr", b("\r")});
    l.add(new Object[] {"only lf", b("\n")});
    l.add(new Object[] {"only crlf", b("\r\n")});
    l.add(new Object[] {"empty", new byte[0]});
    l.add(
        new Object[] {
          "8-bit and utf-8",
          concat("Subject: Grüße\r\n\r\n".getBytes(StandardCharsets.UTF_8), allBytes(), b("\r\n"))
        });
    l.add(
        new Object[] {"200 KB line", concat(b("From "), repeat("ab>From \r", 200_000), b("\r\n"))});
    return l;
  }

  static byte[] allBytes() {
    byte[] a = new byte[256];
    for (int i = 0; i < 256; i++) {
      a[i] = (byte) i;
    }
    return a;
  }

  static byte[] repeat(String s, int length) {
    byte[] unit = b(s);
    byte[] a = new byte[length];
    for (int i = 0; i < length; i++) {
      a[i] = unit[i % unit.length];
    }
    return a;
  }

  static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    return out.toByteArray();
  }

  /** Returns a random message over the bytes that matter to the format. */
  static byte[] random(Random r, int maxLength) {
    byte[] alphabet = b("\r\n\r\n>>>From x\0\u00ff");
    byte[] a = new byte[r.nextInt(maxLength + 1)];
    for (int i = 0; i < a.length; i++) {
      a[i] = alphabet[r.nextInt(alphabet.length)];
    }
    return a;
  }
}
