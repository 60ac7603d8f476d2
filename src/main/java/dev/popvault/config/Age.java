package dev.popvault.config;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Ages as people write them, turned into the instant they point back to: {@code 90d} (days; a bare
 * number is days too), {@code 12h}, {@code 6w}, {@code 2y} (365 days each), or a date {@code
 * 2024-01-31} (its start, in the local time zone). "Older than 90d" then means "before now minus 90
 * days".
 */
public final class Age {
  /** The accepted forms, for error messages and help. */
  public static final String FORMS = "a number with h, d, w or y (90d), or a date (2024-01-31)";

  private static final Pattern FORM = Pattern.compile("(\\d+)\\s*([hdwy]?)");

  private Age() {}

  /**
   * Returns the instant {@code text} points back to from {@code now}.
   *
   * @throws IllegalArgumentException with a message for users if the text is not an age
   */
  public static Instant before(String text, Instant now, ZoneId zone) {
    String form = text.strip().toLowerCase(Locale.ROOT);
    Matcher m = FORM.matcher(form);
    if (m.matches()) {
      long count;
      try {
        count = Long.parseLong(m.group(1));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("'" + text + "' is too long an age");
      }
      Duration unit =
          switch (m.group(2)) {
            case "h" -> Duration.ofHours(1);
            case "w" -> Duration.ofDays(7);
            case "y" -> Duration.ofDays(365);
            default -> Duration.ofDays(1);
          };
      if (count > 1_000_000) {
        throw new IllegalArgumentException("'" + text + "' is too long an age");
      }
      return now.minus(unit.multipliedBy(count));
    }
    try {
      return LocalDate.parse(form).atStartOfDay(zone).toInstant();
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException("'" + text + "' is not an age (" + FORMS + ")");
    }
  }
}
