package dev.popvault.core;

import dev.popvault.ledger.CatalogFilter;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The query language of {@code search} and {@code export}: terms separated by spaces, every term
 * must hold. A term is a word or a "quoted phrase" (matched against From, To, Cc, Subject and
 * Message-ID), or FIELD:VALUE with FIELD one of {@code from to cc subject} (words or a phrase in
 * that header), {@code message-id} (exact, angle brackets optional), {@code uidl}, {@code account}
 * (exact), {@code after} and {@code before} (a date YYYY-MM-DD in {@code zone}: Date header on or
 * after that day's start, or before it). A word ending in {@code *} matches every word it begins.
 * Matching ignores case and accents; words are split at punctuation, so {@code
 * from:alice@example.org} matches those three words in a row.
 */
public final class CatalogQuery {
  private static final Map<String, String> TEXT_FIELDS =
      Map.of("from", "from_addr", "to", "to_addr", "cc", "cc_addr", "subject", "subject");
  private static final String FIELDS =
      "from, to, cc, subject, message-id, uidl, account, after, before";

  private final List<String> match = new ArrayList<>();
  private Long fromMillis;
  private Long untilMillis;
  private String account;
  private String uidl;
  private String messageId;

  private CatalogQuery() {}

  /**
   * Parses the query given as command-line arguments; each argument may hold several terms.
   *
   * @throws PopvaultException 64 naming what is wrong
   */
  public static CatalogQuery parse(List<String> arguments, ZoneId zone) {
    CatalogQuery q = new CatalogQuery();
    for (String argument : arguments) {
      for (String term : terms(argument)) {
        q.add(term, zone);
      }
    }
    return q;
  }

  /** The ledger filter this query amounts to, narrowed to {@code account} when it is not null. */
  public CatalogFilter filter(String placeAccount) {
    if (placeAccount != null && account != null && !placeAccount.equals(account)) {
      return null;
    }
    return new CatalogFilter(
        match.isEmpty() ? null : String.join(" AND ", match),
        fromMillis,
        untilMillis,
        account != null ? account : placeAccount,
        uidl,
        messageId);
  }

  /** The account the query names with {@code account:}, or null. */
  public String account() {
    return account;
  }

  private void add(String term, ZoneId zone) {
    int colon = term.indexOf(':');
    String field = colon > 0 ? term.substring(0, colon).toLowerCase(Locale.ROOT) : null;
    if (field != null && !field.contains("\"") && !isKnown(field) && !field.contains("<")) {
      throw new PopvaultException(
          ExitCode.USAGE, "unknown search field '" + field + ":' (fields: " + FIELDS + ")");
    }
    if (field == null || !isKnown(field)) {
      match.add(phrase(term));
      return;
    }
    String value = unquote(term.substring(colon + 1));
    if (value.isEmpty()) {
      throw new PopvaultException(ExitCode.USAGE, "search field '" + field + ":' needs a value");
    }
    switch (field) {
      case "after" -> fromMillis = day(value, zone, field);
      case "before" -> untilMillis = day(value, zone, field);
      case "account" -> account = once(account, value, field);
      case "uidl" -> uidl = once(uidl, value, field);
      case "message-id" ->
          messageId = once(messageId, value.startsWith("<") ? value : "<" + value + ">", field);
      default -> match.add("{" + TEXT_FIELDS.get(field) + "} : " + phrase(value));
    }
  }

  private static boolean isKnown(String field) {
    return TEXT_FIELDS.containsKey(field)
        || List.of("message-id", "uidl", "account", "after", "before").contains(field);
  }

  private static String once(String before, String value, String field) {
    if (before != null) {
      throw new PopvaultException(
          ExitCode.USAGE, "search field '" + field + ":' may be given only once");
    }
    return value;
  }

  private static long day(String value, ZoneId zone, String field) {
    try {
      return LocalDate.parse(value).atStartOfDay(zone).toInstant().toEpochMilli();
    } catch (DateTimeParseException e) {
      throw new PopvaultException(
          ExitCode.USAGE, field + ":" + value + " is not a date (YYYY-MM-DD, e.g. 2024-01-31)");
    }
  }

  /**
   * An FTS5 phrase for {@code text}: quoted (so punctuation and FTS5 operators are plain text),
   * with a trailing {@code *} kept as a prefix search.
   */
  private static String phrase(String text) {
    String value = unquote(text);
    boolean prefix = value.endsWith("*") && !text.endsWith("\"");
    if (prefix) {
      value = value.substring(0, value.length() - 1);
    }
    if (value.isBlank()) {
      throw new PopvaultException(ExitCode.USAGE, "empty search term '" + text + "'");
    }
    return "\"" + value.replace("\"", "\"\"") + "\"" + (prefix ? " *" : "");
  }

  private static String unquote(String s) {
    return s.length() >= 2 && s.startsWith("\"") && s.endsWith("\"")
        ? s.substring(1, s.length() - 1)
        : s;
  }

  /** Splits at spaces outside double quotes; the quotes stay (they mark a phrase). */
  static List<String> terms(String argument) {
    List<String> terms = new ArrayList<>();
    StringBuilder term = new StringBuilder();
    boolean quoted = false;
    for (int i = 0; i < argument.length(); i++) {
      char c = argument.charAt(i);
      if (c == '"') {
        quoted = !quoted;
      }
      if (Character.isWhitespace(c) && !quoted) {
        if (term.length() > 0) {
          terms.add(term.toString());
          term.setLength(0);
        }
      } else {
        term.append(c);
      }
    }
    if (quoted) {
      throw new PopvaultException(ExitCode.USAGE, "unbalanced quote in search query: " + argument);
    }
    if (term.length() > 0) {
      terms.add(term.toString());
    }
    return terms;
  }
}
