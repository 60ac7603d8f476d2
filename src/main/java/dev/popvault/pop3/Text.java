package dev.popvault.pop3;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Makes untrusted server text safe to put in one-line messages and logs. */
final class Text {
  /** Longest quoted server text in messages and logs. */
  static final int MAX_QUOTED = 200;

  private Text() {}

  /**
   * Splits {@code text} at runs of spaces after stripping it, like {@code text.strip().split(" +")}
   * but without compiling a regular expression for every listing line.
   */
  static String[] words(String text) {
    String s = text.strip();
    List<String> words = new ArrayList<>(4);
    int i = 0;
    while (true) {
      int space = s.indexOf(' ', i);
      if (space < 0) {
        words.add(s.substring(i));
        return words.toArray(new String[0]);
      }
      words.add(s.substring(i, space));
      i = space + 1;
      while (i < s.length() && s.charAt(i) == ' ') {
        i++;
      }
    }
  }

  /** Replaces control characters with '?' and truncates to {@value #MAX_QUOTED} characters. */
  static String sanitize(String text) {
    if (text == null) {
      return "";
    }
    int n = Math.min(text.length(), MAX_QUOTED);
    StringBuilder sb = new StringBuilder(n + 3);
    for (int i = 0; i < n; i++) {
      char c = text.charAt(i);
      sb.append(c < 0x20 || (c >= 0x7F && c <= 0x9F) ? '?' : c);
    }
    if (text.length() > MAX_QUOTED) {
      sb.append("...");
    }
    return sb.toString();
  }

  /**
   * Returns whether {@code text} contains {@code secret} as a word: not preceded nor followed by a
   * letter or digit. A server that quotes the PASS line back matches; a password that merely shares
   * letters with the server's words does not (a one-letter password is a letter of many words, and
   * those words must stay readable).
   */
  static boolean repeatsAsWord(String text, char[] secret) {
    if (text == null || secret == null || secret.length == 0) {
      return false;
    }
    for (int i = 0; i + secret.length <= text.length(); i++) {
      if (regionMatches(text, i, secret)
          && (i == 0 || !Character.isLetterOrDigit(text.charAt(i - 1)))
          && (i + secret.length == text.length()
              || !Character.isLetterOrDigit(text.charAt(i + secret.length)))) {
        return true;
      }
    }
    return false;
  }

  private static boolean regionMatches(String text, int from, char[] secret) {
    for (int j = 0; j < secret.length; j++) {
      if (text.charAt(from + j) != secret[j]) {
        return false;
      }
    }
    return true;
  }

  /** Formats a duration as seconds for messages: "120 s", "0.3 s". */
  static String seconds(Duration d) {
    long ms = d.toMillis();
    if (ms % 1000 == 0) {
      return (ms / 1000) + " s";
    }
    return (ms / 1000.0) + " s";
  }
}
