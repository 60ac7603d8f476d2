package dev.popvault.pop3;

/** Reads the pieces of POP3 status lines and listings. Every input is untrusted server text. */
final class Replies {
  private Replies() {}

  /** Parses a decimal of at most 13 digits in 0..max; anything else is a protocol error. */
  static long parseNumber(String word, long max, String what) throws Pop3Exception {
    if (word.isEmpty() || word.length() > 13) {
      throw protocol("invalid " + what + ": " + Text.sanitize(word));
    }
    long v = 0;
    for (int i = 0; i < word.length(); i++) {
      char c = word.charAt(i);
      if (c < '0' || c > '9') {
        throw protocol("invalid " + what + ": " + Text.sanitize(word));
      }
      v = v * 10 + (c - '0');
    }
    if (v > max) {
      throw protocol(what + " out of range: " + v);
    }
    return v;
  }

  /** Returns a PROTOCOL exception with {@code message}. */
  static Pop3Exception protocol(String message) {
    return new Pop3Exception(Pop3Exception.Kind.PROTOCOL, message);
  }

  /** Returns whether {@code line} is a positive status ("+OK" alone or followed by a space). */
  static boolean isOk(String line) {
    return line.startsWith("+OK") && (line.length() == 3 || line.charAt(3) == ' ');
  }

  /** Returns whether {@code line} is a negative status ("-ERR" alone or followed by a space). */
  static boolean isErr(String line) {
    return line.startsWith("-ERR") && (line.length() == 4 || line.charAt(4) == ' ');
  }

  /** Returns the text after a status indicator of {@code n} chars, without the separating space. */
  static String after(String line, int n) {
    if (line.length() <= n) {
      return "";
    }
    return line.charAt(n) == ' ' ? line.substring(n + 1) : line.substring(n);
  }
}
