package dev.popvault.ledger;

import jakarta.mail.internet.MailDateFormat;
import java.text.ParseException;
import java.util.Date;

/**
 * Reads a stored Date header as epoch milliseconds for {@code message.date_ms}: the one parser used
 * both when a message is inserted and by migration 4's back-fill, so old and new rows agree.
 *
 * <p>The meaning is jakarta.mail's lenient RFC 5322 parser: it accepts what real mail carries
 * (comments, obsolete zone names, two-digit years, no day name) and rolls out-of-range fields over
 * (31 Feb is 2 Mar); a missing zone is read as UTC. Most mail carries the plain form {@code [Day,
 * ]D Mon YYYY HH:MM[:SS] ±HHMM [(comment)]} with every field in range; that form is read by a
 * scanner of its own, which gives the same instant (MailDatesTest compares the two on generated
 * dates), and costs a run neither {@code Calendar} nor the JIT work of compiling it for every
 * message. Anything else goes to {@code MailDateFormat}. Not thread-safe: one instance per caller
 * (the ledger is synchronized). Public so that what the server lists ({@code list}) is dated as the
 * catalog is.
 */
public final class MailDates {
  private static final String MONTHS = "JanFebMarAprMayJunJulAugSepOctNovDec";
  private static final String DAYS = "MonTueWedThuFriSatSun";

  private MailDateFormat format;

  /** Returns the header's instant in epoch milliseconds, or null if it is null or unparsable. */
  public Long epochMillis(String date) {
    if (date == null || date.isBlank()) {
      return null;
    }
    long plain = plainForm(date);
    if (plain != NOT_PLAIN) {
      return plain;
    }
    try {
      if (format == null) {
        format = new MailDateFormat();
      }
      Date d = format.parse(date);
      return d == null ? null : d.getTime();
    } catch (ParseException | RuntimeException e) {
      // Untrusted header text: anything the parser cannot read is simply undated.
      return null;
    }
  }

  /** What {@link #plainForm} returns for text it leaves to {@code MailDateFormat}. */
  static final long NOT_PLAIN = Long.MIN_VALUE;

  /**
   * Reads {@code [Day, ]D Mon YYYY HH:MM[:SS] ±HHMM [(comment)]} with single spaces (more before
   * the day of month), every field in range and a year from 1900 to 9999; returns {@link
   * #NOT_PLAIN} for anything else, including a day name that is not one of the seven.
   */
  static long plainForm(String s) {
    Cursor c = new Cursor(s);
    if (c.letterAt(0)) {
      if (!isOneOf(DAYS, c.word3()) || !c.take(',')) {
        return NOT_PLAIN;
      }
      c.spaces(1);
    }
    c.spaces(0);
    int day = c.digits(1, 2);
    if (day < 1 || !c.take(' ')) {
      return NOT_PLAIN;
    }
    String monthName = c.word3();
    if (!isOneOf(MONTHS, monthName) || !c.take(' ')) {
      return NOT_PLAIN;
    }
    int month = MONTHS.indexOf(monthName) / 3 + 1;
    int year = c.digits(4, 4);
    if (year < 1900 || !c.take(' ')) {
      return NOT_PLAIN;
    }
    int hour = c.digits(2, 2);
    if (hour < 0 || hour > 23 || !c.take(':')) {
      return NOT_PLAIN;
    }
    int minute = c.digits(2, 2);
    if (minute < 0 || minute > 59) {
      return NOT_PLAIN;
    }
    int second = 0;
    if (c.take(':')) {
      second = c.digits(2, 2);
      if (second < 0 || second > 59) {
        return NOT_PLAIN;
      }
    }
    if (!c.take(' ')) {
      return NOT_PLAIN;
    }
    int sign = c.take('+') ? 1 : c.take('-') ? -1 : 0;
    int zone = c.digits(4, 4);
    if (sign == 0 || zone < 0 || zone / 100 > 23 || zone % 100 > 59 || !c.commentOrEnd()) {
      return NOT_PLAIN;
    }
    if (day > daysIn(month, year)) {
      return NOT_PLAIN;
    }
    long seconds =
        daysSinceEpoch(year, month, day) * 86_400L + hour * 3600L + minute * 60L + second;
    return (seconds - sign * ((zone / 100) * 3600L + (zone % 100) * 60L)) * 1000L;
  }

  /** True if {@code word} is one of the three-letter names run together in {@code names}. */
  private static boolean isOneOf(String names, String word) {
    int at = word.length() == 3 ? names.indexOf(word) : -1;
    return at >= 0 && at % 3 == 0;
  }

  private static int daysIn(int month, int year) {
    return switch (month) {
      case 2 -> (year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)) ? 29 : 28;
      case 4, 6, 9, 11 -> 30;
      default -> 31;
    };
  }

  /** Days from 1970-01-01 to the given proleptic Gregorian date (Howard Hinnant's algorithm). */
  private static long daysSinceEpoch(int year, int month, int day) {
    long y = month <= 2 ? year - 1 : year;
    long era = Math.floorDiv(y, 400);
    long yearOfEra = y - era * 400;
    long dayOfYear = (153L * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
    long dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear;
    return era * 146_097 + dayOfEra - 719_468;
  }

  /** A read position in the header text; every method leaves it unchanged when it fails. */
  private static final class Cursor {
    private final String s;
    private int i;

    Cursor(String s) {
      this.s = s;
    }

    boolean letterAt(int at) {
      return at < s.length() && Character.isLetter(s.charAt(at));
    }

    boolean take(char ch) {
      if (i < s.length() && s.charAt(i) == ch) {
        i++;
        return true;
      }
      return false;
    }

    /** Skips spaces, at least {@code min} of them. */
    void spaces(int min) {
      int start = i;
      while (i < s.length() && s.charAt(i) == ' ') {
        i++;
      }
      if (i - start < min) {
        i = start;
      }
    }

    /** The next three characters (advancing past them), or "" when fewer are left. */
    String word3() {
      if (i + 3 > s.length()) {
        return "";
      }
      i += 3;
      return s.substring(i - 3, i);
    }

    /** Reads {@code min} to {@code max} ASCII digits as a number, or returns -1. */
    int digits(int min, int max) {
      int start = i;
      int value = 0;
      while (i < s.length() && i - start < max && s.charAt(i) >= '0' && s.charAt(i) <= '9') {
        value = value * 10 + (s.charAt(i++) - '0');
      }
      if (i - start < min) {
        i = start;
        return -1;
      }
      return value;
    }

    /** True at the end, or before one final {@code " (comment)"} without nested parentheses. */
    boolean commentOrEnd() {
      if (i == s.length()) {
        return true;
      }
      if (!s.startsWith(" (", i) || s.charAt(s.length() - 1) != ')') {
        return false;
      }
      String inner = s.substring(i + 2, s.length() - 1);
      return inner.indexOf('(') < 0 && inner.indexOf(')') < 0 && inner.indexOf('\\') < 0;
    }
  }
}
