package dev.popvault.config;

import java.math.BigDecimal;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Sizes as people write them: {@code 2500} (bytes), {@code 500k}, {@code 10M}, {@code 1.5G} or
 * {@code 10MB} in decimal units, as popvault prints sizes, and {@code 10KiB}, {@code 10MiB}, {@code
 * 1GiB} in binary units. Case does not matter.
 */
public final class ByteSize {
  /** The accepted forms, for error messages and help. */
  public static final String FORMS = "bytes, or a number with k, M, G (1000s) or KiB, MiB, GiB";

  private static final Pattern FORM =
      Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(b|k|kb|m|mb|g|gb|t|tb|kib|mib|gib|tib)?");

  private ByteSize() {}

  /**
   * Reads a size in bytes.
   *
   * @throws IllegalArgumentException with a message for users if the text is not a size
   */
  public static long parse(String text) {
    Matcher m = FORM.matcher(text.strip().toLowerCase(Locale.ROOT));
    if (!m.matches()) {
      throw new IllegalArgumentException("'" + text + "' is not a size (" + FORMS + ")");
    }
    String unit = m.group(2) == null ? "b" : m.group(2);
    long factor =
        switch (unit) {
          case "b" -> 1L;
          case "k", "kb" -> 1000L;
          case "m", "mb" -> 1000L * 1000;
          case "g", "gb" -> 1000L * 1000 * 1000;
          case "t", "tb" -> 1000L * 1000 * 1000 * 1000;
          case "kib" -> 1L << 10;
          case "mib" -> 1L << 20;
          case "gib" -> 1L << 30;
          default -> 1L << 40;
        };
    BigDecimal bytes = new BigDecimal(m.group(1)).multiply(BigDecimal.valueOf(factor));
    if (bytes.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) > 0) {
      throw new IllegalArgumentException("'" + text + "' is too large a size");
    }
    return bytes.longValue();
  }
}
