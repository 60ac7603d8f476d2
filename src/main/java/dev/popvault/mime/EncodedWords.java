package dev.popvault.mime;

import java.nio.charset.Charset;
import java.util.Arrays;
import java.util.Base64;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Decodes RFC 2047 encoded-words ({@code =?charset?B|Q?text?=}) in an unfolded header value.
 *
 * <p>Written here rather than taken from jakarta.mail's MimeUtility.decodeText, which looks up a
 * stream-provider service (a class-path scan) for every encoded word: on a mailbox of small
 * messages that lookup alone was a fifth of archiving's CPU. MimeUtility stays the reference: the
 * property tests compare the two.
 *
 * <p>Lenient in the way header readers must be: a word that does not parse, names an unknown
 * charset or holds invalid Base64/Q text is left as it was; whitespace between two adjacent
 * encoded-words is dropped (RFC 2047 §6.2); an RFC 2231 language suffix ({@code charset*lang}) is
 * ignored.
 */
final class EncodedWords {
  /** Bounds the charset cache, so hostile headers naming endless charsets cannot grow it. */
  private static final int MAX_CACHED_CHARSETS = 64;

  private static final Map<String, Optional<Charset>> CHARSETS = new ConcurrentHashMap<>();

  private EncodedWords() {}

  /** Returns {@code value} with every well-formed encoded-word replaced by its text. */
  static String decode(String value) {
    int start = value.indexOf("=?");
    if (start < 0) {
      return value;
    }
    StringBuilder out = new StringBuilder(value.length());
    int copied = 0;
    boolean afterWord = false;
    while (start >= 0) {
      int q1 = value.indexOf('?', start + 2);
      if (q1 < 0 || q1 + 2 >= value.length() || value.charAt(q1 + 2) != '?') {
        start = value.indexOf("=?", start + 2);
        continue;
      }
      int end = value.indexOf("?=", q1 + 3);
      if (end < 0) {
        break;
      }
      String text =
          decodeWord(value.substring(start + 2, q1), value.charAt(q1 + 1), value, q1 + 3, end);
      if (text == null) {
        start = value.indexOf("=?", start + 2);
        continue;
      }
      if (!(afterWord && isBlank(value, copied, start))) {
        out.append(value, copied, start);
      }
      out.append(text);
      copied = end + 2;
      afterWord = true;
      start = value.indexOf("=?", copied);
    }
    out.append(value, copied, value.length());
    return out.toString();
  }

  private static boolean isBlank(String s, int from, int to) {
    for (int i = from; i < to; i++) {
      char c = s.charAt(i);
      if (c != ' ' && c != '\t' && c != '\r' && c != '\n') {
        return false;
      }
    }
    return true;
  }

  /** Returns the decoded text of one word, or null if it cannot be decoded. */
  private static String decodeWord(String charsetName, char encoding, String s, int from, int to) {
    Charset charset = charset(charsetName);
    if (charset == null) {
      return null;
    }
    byte[] bytes;
    switch (encoding) {
      case 'B', 'b' -> {
        try {
          bytes = Base64.getDecoder().decode(s.substring(from, to));
        } catch (IllegalArgumentException e) {
          return null;
        }
      }
      case 'Q', 'q' -> bytes = decodeQ(s, from, to);
      default -> {
        return null;
      }
    }
    return bytes == null ? null : new String(bytes, charset);
  }

  /** Decodes RFC 2047 "Q" text; returns null on a bad escape or a non-ASCII character. */
  private static byte[] decodeQ(String s, int from, int to) {
    byte[] out = new byte[to - from];
    int n = 0;
    for (int i = from; i < to; i++) {
      char c = s.charAt(i);
      if (c == '_') {
        out[n++] = ' ';
      } else if (c == '=') {
        int hi = i + 2 < to ? Character.digit(s.charAt(i + 1), 16) : -1;
        int lo = hi >= 0 ? Character.digit(s.charAt(i + 2), 16) : -1;
        if (lo < 0) {
          return null;
        }
        out[n++] = (byte) (hi << 4 | lo);
        i += 2;
      } else if (c > 0x20 && c < 0x7F) {
        out[n++] = (byte) c;
      } else {
        return null;
      }
    }
    return Arrays.copyOf(out, n);
  }

  /** Returns the charset named in a word (RFC 2231 language suffix ignored), or null if unknown. */
  private static Charset charset(String name) {
    int star = name.indexOf('*');
    String key = (star >= 0 ? name.substring(0, star) : name).toLowerCase(Locale.ROOT);
    Optional<Charset> cached = CHARSETS.get(key);
    if (cached == null) {
      // Unknown names are cached too: each miss would otherwise scan the charset providers again.
      try {
        cached = Optional.of(Charset.forName(key));
      } catch (IllegalArgumentException e) {
        // Illegal or unsupported name, or empty.
        cached = Optional.empty();
      }
      if (CHARSETS.size() < MAX_CACHED_CHARSETS) {
        CHARSETS.put(key, cached);
      }
    }
    return cached.orElse(null);
  }
}
