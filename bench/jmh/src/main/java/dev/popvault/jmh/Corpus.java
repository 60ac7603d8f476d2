package dev.popvault.jmh;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Generates seeded, mail-like benchmark inputs: the same seed always gives the same bytes, so runs
 * compare like with like.
 */
public final class Corpus {
  private static final String B64 =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

  private final Random random;
  private final String[] vocabulary;

  /** Creates a generator whose output depends only on {@code seed}. */
  public Corpus(long seed) {
    this.random = new Random(seed);
    this.vocabulary = new String[4000];
    for (int i = 0; i < vocabulary.length; i++) {
      int len = 2 + random.nextInt(9);
      StringBuilder w = new StringBuilder(len);
      for (int k = 0; k < len; k++) {
        w.append((char) ('a' + random.nextInt(26)));
      }
      vocabulary[i] = w.toString();
    }
  }

  /**
   * Returns one message body of about {@code size} bytes as a POP3 server sends it before
   * dot-stuffing: a header block, then CRLF lines of 76 characters of words. About one line in 40
   * starts with '.', one in 100 with "From " and one in 200 with ">From ".
   */
  public byte[] messageBody(int size) {
    StringBuilder s = new StringBuilder(size + 200);
    appendHeaders(s, "\r\n");
    s.append("\r\n");
    while (s.length() < size) {
      int kind = random.nextInt(200);
      String start = kind < 5 ? "." : kind < 7 ? "From " : kind == 7 ? ">From " : "";
      s.append(line(start, 76)).append("\r\n");
    }
    return s.toString().getBytes(StandardCharsets.ISO_8859_1);
  }

  /**
   * Returns messages (CRLF lines, as after dot-unstuffing) totalling about {@code totalSize} bytes:
   * headers, 10–160 lines of prose (some quoted with "> "), and in one message of ten a base64
   * attachment of 50–550 lines, like a mailbox of mostly short mail.
   */
  public List<byte[]> messages(int totalSize) {
    List<byte[]> messages = new ArrayList<>();
    long total = 0;
    while (total < totalSize) {
      StringBuilder s = new StringBuilder(8192);
      appendHeaders(s, "\r\n");
      s.append("\r\n");
      int lines = 10 + random.nextInt(150);
      for (int i = 0; i < lines; i++) {
        String start = random.nextInt(30) == 0 ? "> " : random.nextInt(100) == 0 ? "From " : "";
        s.append(line(start, 20 + random.nextInt(57))).append("\r\n");
      }
      if (random.nextInt(10) == 0) {
        s.append("\r\n");
        int b64Lines = 50 + random.nextInt(500);
        for (int i = 0; i < b64Lines; i++) {
          for (int k = 0; k < 76; k++) {
            s.append(B64.charAt(random.nextInt(64)));
          }
          s.append("\r\n");
        }
      }
      byte[] m = s.toString().getBytes(StandardCharsets.ISO_8859_1);
      messages.add(m);
      total += m.length;
    }
    return messages;
  }

  /** Returns {@code body} dot-stuffed and followed by the terminator line ".CRLF" (RFC 1939). */
  public static byte[] dotStuffed(byte[] body) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(body.length + body.length / 40 + 3);
    boolean lineStart = true;
    for (byte b : body) {
      if (lineStart && b == '.') {
        out.write('.');
      }
      out.write(b);
      lineStart = b == '\n';
    }
    out.write('.');
    out.write('\r');
    out.write('\n');
    return out.toByteArray();
  }

  private void appendHeaders(StringBuilder s, String eol) {
    s.append("Return-Path: <").append(word()).append('@').append(word()).append(".example>");
    s.append(eol);
    for (int i = 0; i < 3; i++) {
      s.append("Received: from ").append(word()).append(".example by mx.example with ESMTPS id ");
      s.append(Long.toHexString(random.nextLong())).append(eol);
    }
    s.append("From: ").append(word()).append(" <").append(word()).append("@example.org>");
    s.append(eol).append("To: ").append(word()).append("@example.net").append(eol);
    s.append("Subject: ").append(line("", 40)).append(eol);
    s.append("Date: Mon, 2 Mar 2026 10:1").append(random.nextInt(10)).append(":00 +0000");
    s.append(eol).append("Message-ID: <").append(Long.toHexString(random.nextLong()));
    s.append("@example.org>").append(eol);
    s.append("Content-Type: text/plain; charset=utf-8").append(eol);
  }

  /** Returns {@code start} followed by words up to exactly {@code width} characters. */
  private String line(String start, int width) {
    StringBuilder l = new StringBuilder(width + 12).append(start);
    while (l.length() < width) {
      if (l.length() > start.length()) {
        l.append(' ');
      }
      l.append(word());
    }
    l.setLength(width);
    return l.toString();
  }

  /** Picks a word, frequent ones far more often (roughly Zipf-like, as in natural text). */
  private String word() {
    double r = random.nextDouble();
    return vocabulary[(int) (vocabulary.length * r * r * r)];
  }
}
