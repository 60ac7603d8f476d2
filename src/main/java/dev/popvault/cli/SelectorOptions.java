package dev.popvault.cli;

import dev.popvault.config.Age;
import dev.popvault.config.ByteSize;
import dev.popvault.config.ConfigException;
import dev.popvault.core.Selection;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Option;

/**
 * The message selectors shared by {@code list}, {@code delete} and {@code archive}: {@code --uidl}
 * and {@code --number} name messages; the others filter, and all that are given must hold.
 */
final class SelectorOptions {
  private static final Pattern NUMBER = Pattern.compile("(\\d{1,9})(?::(.+))?");

  @Option(
      names = "--uidl",
      paramLabel = "UIDL",
      description = "Select the message with this UIDL (repeatable).")
  List<String> uidls = new ArrayList<>();

  @Option(
      names = "--number",
      paramLabel = "N[:UIDL]",
      description =
          "Select message N of this session (repeatable). With :UIDL, as list shows it, the run"
              + " stops (exit 65) if message N now has another UIDL: the mailbox changed.")
  List<String> numbers = new ArrayList<>();

  @Option(
      names = "--larger-than",
      paramLabel = "SIZE",
      description = "Select messages larger than SIZE: bytes, or 500k, 10M, 1G (1000s), 10MiB.")
  String largerThan;

  @Option(
      names = "--older-than",
      paramLabel = "AGE",
      description =
          "Select messages whose Date header is older than AGE: 90d, 12h, 6w, 2y, or a date"
              + " (2024-01-31). A message without a readable Date is not selected.")
  String olderThan;

  @Option(
      names = "--archived-before",
      paramLabel = "AGE",
      description = "Select messages first archived here more than AGE ago (as --older-than).")
  String archivedBefore;

  @Option(
      names = "--from",
      paramLabel = "TEXT",
      description = "Select messages whose decoded From header contains TEXT (any case).")
  String from;

  @Option(
      names = "--subject",
      paramLabel = "TEXT",
      description = "Select messages whose decoded Subject header contains TEXT (any case).")
  String subject;

  /**
   * Builds the selection; ages count back from {@code clock}'s now.
   *
   * @throws ConfigException (a usage error) naming the option whose value is wrong
   */
  Selection selection(Clock clock) throws ConfigException {
    Map<Integer, String> byNumber = new LinkedHashMap<>();
    for (String text : numbers) {
      Matcher m = NUMBER.matcher(text.strip());
      if (!m.matches() || Integer.parseInt(m.group(1)) < 1) {
        throw usage("--number", "'" + text + "' is not a message number (N or N:UIDL)");
      }
      byNumber.put(Integer.parseInt(m.group(1)), m.group(2));
    }
    Set<String> byUidl = new HashSet<>();
    for (String uidl : uidls) {
      if (uidl.isBlank()) {
        throw usage("--uidl", "a UIDL cannot be empty");
      }
      byUidl.add(uidl);
    }
    Instant now = clock.instant();
    ZoneId zone = ZoneId.systemDefault();
    try {
      return new Selection(
          byUidl,
          byNumber,
          largerThan == null ? -1 : size(),
          olderThan == null ? null : age("--older-than", olderThan, now, zone),
          archivedBefore == null ? null : age("--archived-before", archivedBefore, now, zone),
          text("--from", from),
          text("--subject", subject));
    } catch (IllegalArgumentException e) {
      throw new ConfigException(e.getMessage(), true);
    }
  }

  private long size() throws ConfigException {
    try {
      return ByteSize.parse(largerThan);
    } catch (IllegalArgumentException e) {
      throw usage("--larger-than", e.getMessage());
    }
  }

  private static Instant age(String option, String text, Instant now, ZoneId zone)
      throws ConfigException {
    try {
      return Age.before(text, now, zone);
    } catch (IllegalArgumentException e) {
      throw usage(option, e.getMessage());
    }
  }

  private static String text(String option, String value) throws ConfigException {
    if (value != null && value.isBlank()) {
      throw usage(option, "the text to look for cannot be empty");
    }
    return value;
  }

  private static ConfigException usage(String option, String problem) {
    return new ConfigException(option + ": " + problem, true);
  }
}
