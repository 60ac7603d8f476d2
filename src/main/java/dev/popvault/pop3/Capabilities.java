package dev.popvault.pop3;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.OptionalInt;
import java.util.Set;

/**
 * One answer to CAPA (RFC 2449): the sanitised lines and the upper-cased capability names (first
 * word of each line). Immutable; built from untrusted server text and only ever compared against.
 *
 * @param lines the CAPA lines, sanitised, in the server's order
 * @param names the first word of each line, upper-cased
 */
record Capabilities(List<String> lines, Set<String> names) {
  /** What a server that answers CAPA with -ERR (or was not asked yet) offers. */
  static final Capabilities NONE = new Capabilities(List.of(), Set.of());

  Capabilities {
    lines = List.copyOf(lines);
    names = Set.copyOf(names);
  }

  /** Returns the capabilities listed by {@code sanitisedLines}. */
  static Capabilities of(List<String> sanitisedLines) {
    Set<String> names = new LinkedHashSet<>();
    for (String line : sanitisedLines) {
      String[] words = Text.words(line);
      if (!words[0].isEmpty()) {
        names.add(words[0].toUpperCase(Locale.ROOT));
      }
    }
    return new Capabilities(sanitisedLines, names);
  }

  /** Returns whether the capability {@code name} (upper case) is listed. */
  boolean offers(String name) {
    return names.contains(name);
  }

  /** Returns whether a {@code SASL} line lists {@code mechanism} (case-insensitive). */
  boolean offersSasl(String mechanism) {
    for (String line : lines) {
      String[] words = Text.words(line);
      if (words.length > 0 && words[0].equalsIgnoreCase("SASL")) {
        for (int i = 1; i < words.length; i++) {
          if (words[i].equalsIgnoreCase(mechanism)) {
            return true;
          }
        }
      }
    }
    return false;
  }

  /**
   * Returns the login methods listed, for messages: USER when listed, then each mechanism of the
   * SASL lines, upper-cased, in the server's order.
   */
  List<String> loginMethods() {
    List<String> methods = new ArrayList<>();
    if (offers("USER")) {
      methods.add("USER");
    }
    for (String line : lines) {
      String[] words = Text.words(line);
      if (words[0].equalsIgnoreCase("SASL")) {
        for (int i = 1; i < words.length; i++) {
          methods.add(words[i].toUpperCase(Locale.ROOT));
        }
      }
    }
    return methods;
  }

  /**
   * Returns the login delay in seconds (RFC 2449 LOGIN-DELAY) announced in {@code latest}, else in
   * {@code earlier}; empty when neither gives a plain number of at most nine digits.
   */
  static OptionalInt loginDelaySeconds(Capabilities latest, Capabilities earlier) {
    for (Capabilities capa : List.of(latest, earlier)) {
      for (String line : capa.lines) {
        String[] words = Text.words(line);
        if (words.length >= 2
            && words[0].equalsIgnoreCase("LOGIN-DELAY")
            && !words[1].isEmpty()
            && words[1].length() <= 9
            && words[1].chars().allMatch(c -> c >= '0' && c <= '9')) {
          return OptionalInt.of(Integer.parseInt(words[1]));
        }
      }
    }
    return OptionalInt.empty();
  }

  /**
   * Describes the login delay announced (RFC 2449 LOGIN-DELAY) in {@code latest}, else in {@code
   * earlier}; a generic phrase when neither gives a plain number of at most nine digits.
   */
  static String loginDelay(Capabilities latest, Capabilities earlier) {
    for (Capabilities capa : List.of(latest, earlier)) {
      for (String line : capa.lines) {
        String[] words = Text.words(line);
        if (words.length >= 2
            && words[0].equalsIgnoreCase("LOGIN-DELAY")
            && words[1].chars().allMatch(c -> c >= '0' && c <= '9')
            && words[1].length() <= 9) {
          return "one login every " + words[1] + " s";
        }
      }
    }
    return "a new login only after a delay";
  }
}
