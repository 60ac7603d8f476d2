package dev.popvault.archive;

import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.Objects;

/** Builds archive paths: {@code <archiveDir>/<account>/<YYYY>/<YYYY-MM><suffix>}. */
public final class ArchiveLayout {
  private static final int MAX_NAME = 255;

  private ArchiveLayout() {}

  /**
   * Returns the archive file for messages archived at {@code when}, by its UTC month.
   *
   * @param accountDirName a name as returned by {@link #safeDirName}; anything else is refused, so
   *     a caller cannot escape {@code archiveDir}
   * @throws IllegalArgumentException if {@code accountDirName} is not a safe directory name or the
   *     year of {@code when} is outside 0000–9999
   */
  public static Path fileFor(Path archiveDir, String accountDirName, Codec codec, Instant when) {
    Objects.requireNonNull(archiveDir, "archiveDir");
    return archiveDir.resolve(relativeFileFor(accountDirName, codec, when));
  }

  /**
   * Returns {@link #fileFor}'s file relative to the archive directory: {@code
   * <account>/<YYYY>/<YYYY-MM><suffix>}, to be reached through an {@link ArchiveRoot}.
   *
   * @throws IllegalArgumentException as for {@link #fileFor}
   */
  public static Path relativeFileFor(String accountDirName, Codec codec, Instant when) {
    Objects.requireNonNull(codec, "codec");
    Objects.requireNonNull(when, "when");
    if (!accountDirName.equals(safeDirName(accountDirName))) {
      throw new IllegalArgumentException("not a safe directory name: " + accountDirName);
    }
    ZonedDateTime t = when.atZone(ZoneOffset.UTC);
    int year = t.getYear();
    if (year < 0 || year > 9999) {
      throw new IllegalArgumentException("year out of range: " + year);
    }
    String yyyy = String.format("%04d", year);
    String month = String.format("%s-%02d", yyyy, t.getMonthValue());
    return Path.of(accountDirName, yyyy, month + codec.fileSuffix());
  }

  /**
   * Turns an account name (e.g. "alice@mail.example.com") into a safe single directory name. Keeps
   * {@code [A-Za-z0-9@._+-]}, replaces every other character with '_' and prefixes a leading '.'
   * with '_', so the result never contains '/' or '\\' and is never hidden, "." or "..".
   *
   * @throws IllegalArgumentException if the name is "", "." or "..", or longer than 255 characters
   */
  public static String safeDirName(String accountName) {
    Objects.requireNonNull(accountName, "accountName");
    if (accountName.isEmpty() || accountName.equals(".") || accountName.equals("..")) {
      throw new IllegalArgumentException("not usable as a directory name: '" + accountName + "'");
    }
    StringBuilder b = new StringBuilder(accountName.length() + 1);
    accountName.codePoints().forEach(cp -> b.append(isSafe(cp) ? (char) cp : '_'));
    if (b.charAt(0) == '.') {
      b.insert(0, '_');
    }
    if (b.length() > MAX_NAME) {
      throw new IllegalArgumentException(
          "account name too long for a directory name: " + accountName.length() + " characters");
    }
    return b.toString();
  }

  private static boolean isSafe(int cp) {
    return (cp >= 'A' && cp <= 'Z')
        || (cp >= 'a' && cp <= 'z')
        || (cp >= '0' && cp <= '9')
        || cp == '@'
        || cp == '.'
        || cp == '_'
        || cp == '+'
        || cp == '-';
  }
}
