package dev.popvault.config;

import dev.popvault.config.ConfigFile.Setting;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Holds one account's effective settings, merged from layers (built-in defaults, the file's {@code
 * [defaults]}, the account's table, the command line; later layers win) and validated, with each
 * value's origin kept for {@code config check} and for error messages.
 *
 * @param nameGiven true if the account was named (an accounts-file table, {@code --account}); false
 *     if {@code name} was derived from the URL ({@code user@host})
 * @param password a password written in the accounts file (discouraged), or null
 * @param auth one of auto, user, apop, plain, xoauth2, oauthbearer
 * @param codec one of zstd, gzip, xz, none (zstd by default; see {@link #codecGiven()})
 * @param origins where each effective key came from: "FILE:LINE", "command line" or "default"
 */
public record AccountConfig(
    String name,
    boolean nameGiven,
    ServerUrl url,
    String password,
    Path passwordFile,
    String passwordCommand,
    String tokenCommand,
    String auth,
    Path archiveDir,
    Path ledger,
    String codec,
    boolean delete,
    Path caFile,
    String fingerprint,
    boolean allowPlaintext,
    int connectTimeout,
    int timeout,
    int batchSize,
    Map<String, String> origins) {

  private static final Set<String> PASSWORD_KEYS =
      Set.of("password", "password-file", "password-command");
  private static final List<String> AUTH_METHODS =
      List.of("auto", "user", "apop", "plain", "xoauth2", "oauthbearer");
  private static final List<String> CODECS = List.of("zstd", "gzip", "xz", "none");
  private static final Pattern FINGERPRINT = Pattern.compile("[0-9a-fA-F]{64}");

  /** Caps timeouts below what a socket timeout in milliseconds can hold (24 days). */
  private static final int MAX_TIMEOUT = 24 * 24 * 3600;

  /**
   * Merges layers (lowest first) and validates the result.
   *
   * @param name the account's name; null means "derive from the URL" ({@code user@host})
   * @param defaultArchiveDir used when no layer sets {@code archive-dir}
   */
  public static AccountConfig resolve(
      String name, List<Map<String, Setting>> layers, Path defaultArchiveDir)
      throws ConfigException {
    Map<String, Setting> merged = new LinkedHashMap<>();
    // The password sources are one choice: the highest layer that names any of them decides alone,
    // so that
    // --password-file on the command line replaces a password-command from the file instead of
    // clashing.
    int passwordLayer = -1;
    for (int i = 0; i < layers.size(); i++) {
      if (layers.get(i).keySet().stream().anyMatch(PASSWORD_KEYS::contains)) {
        passwordLayer = i;
      }
    }
    for (int i = 0; i < layers.size(); i++) {
      for (Setting s : layers.get(i).values()) {
        if (!PASSWORD_KEYS.contains(s.key()) || i == passwordLayer) {
          merged.put(s.key(), s);
        }
      }
    }
    Reader r = new Reader(merged);
    Setting urlSetting = merged.get("url");
    if (urlSetting == null) {
      throw new ConfigException("account " + (name == null ? "" : name + " ") + "has no url");
    }
    ServerUrl url;
    try {
      url = ServerUrl.parse(r.string("url"));
    } catch (ConfigException e) {
      throw new ConfigException(urlSetting.where() + ": " + e.getMessage());
    }
    long sources = PASSWORD_KEYS.stream().filter(merged::containsKey).count();
    if (sources > 1) {
      throw new ConfigException(
          merged.get("password-command") != null
              ? merged.get("password-command").where()
                  + ": give only one of password, password-file, password-command"
              : "give only one of password, password-file, password-command");
    }
    String auth = r.choice("auth", AUTH_METHODS, "auto");
    String tokenCommand = r.string("token-command");
    if (auth.equals("xoauth2") && tokenCommand == null) {
      throw new ConfigException(
          "account " + url.accountName() + ": auth xoauth2 needs a token-command");
    }
    Map<String, String> origins = new LinkedHashMap<>();
    merged.forEach((key, setting) -> origins.put(key, setting.where()));
    Path archiveDir = r.path("archive-dir");
    String fingerprint = r.fingerprint("fingerprint");
    if (fingerprint != null && merged.containsKey("ca-file")) {
      throw merged.get("fingerprint").error("and 'ca-file' exclude each other; give one");
    }
    // The command line's --account wins over the table's name; without either, the URL names it.
    Setting nameSetting = merged.get("account");
    String accountName =
        nameSetting != null ? r.text("account") : name != null ? name : url.accountName();
    checkName(accountName, nameSetting != null ? nameSetting : name != null ? null : urlSetting);
    origins.remove("account");
    return new AccountConfig(
        accountName,
        nameSetting != null || name != null,
        url,
        r.string("password"),
        r.path("password-file"),
        r.string("password-command"),
        tokenCommand,
        auth,
        archiveDir != null ? archiveDir : defaultArchiveDir,
        r.path("ledger"),
        r.choice("codec", CODECS, "zstd"),
        r.bool("delete", false),
        r.path("ca-file"),
        fingerprint,
        r.bool("allow-plaintext", false),
        r.positive("connect-timeout", 30, MAX_TIMEOUT),
        r.positive("timeout", 120, MAX_TIMEOUT),
        r.positive("batch-size", 500, Integer.MAX_VALUE),
        origins);
  }

  /**
   * Refuses a name that cannot name the account's archive directory: empty, "." or "..", or too
   * long once made safe (the rule of {@code archive.ArchiveLayout.safeDirName}, checked here so
   * that an accepted name always has a directory).
   *
   * @param origin the setting the name came from ({@code account}, {@code url}), or null for a
   *     table of the accounts file
   */
  private static void checkName(String name, Setting origin) throws ConfigException {
    String why = null;
    if (name.isEmpty() || name.equals(".") || name.equals("..")) {
      why = "'" + name + "' is not usable as a directory name";
    } else if (name.codePointCount(0, name.length()) + (name.startsWith(".") ? 1 : 0) > 255) {
      why = "longer than 255 characters";
    }
    if (why != null) {
      throw origin == null
          ? new ConfigException("bad account name: " + why)
          : new ConfigException(
              origin.where() + ": bad account name: " + why, origin.fromCommandLine());
    }
  }

  /** Tells whether some layer (the accounts file or the command line) chose the codec. */
  public boolean codecGiven() {
    return origins.containsKey("codec");
  }

  /** Lists the effective settings as {@code key = value # origin} lines, secrets masked. */
  public List<String> describe() {
    List<String> lines = new ArrayList<>();
    lines.add("[" + name + "]");
    String scheme = url.implicitTls() ? "pop3s://" : "pop3://";
    lines.add(line("url", scheme + url.user() + "@" + url.host() + ":" + url.port()));
    if (password != null) {
      lines.add(line("password", "********"));
    }
    add(lines, "password-file", passwordFile);
    add(lines, "password-command", passwordCommand);
    add(lines, "token-command", tokenCommand);
    add(lines, "auth", auth);
    add(lines, "archive-dir", archiveDir);
    add(lines, "ledger", ledger);
    add(lines, "codec", codec);
    add(lines, "delete", delete);
    add(lines, "ca-file", caFile);
    add(lines, "fingerprint", fingerprint);
    add(lines, "allow-plaintext", allowPlaintext);
    add(lines, "connect-timeout", connectTimeout);
    add(lines, "timeout", timeout);
    add(lines, "batch-size", batchSize);
    return lines;
  }

  private void add(List<String> lines, String key, Object value) {
    if (value != null) {
      lines.add(line(key, value));
    }
  }

  private String line(String key, Object value) {
    return key + " = " + value + "    # " + origins.getOrDefault(key, "default");
  }

  @Override
  public String toString() {
    return "AccountConfig[" + name + "]";
  }

  /** Reads typed values out of merged settings, naming the origin in every error. */
  private record Reader(Map<String, Setting> settings) {
    /** Reads a string that may be empty. */
    String text(String key) throws ConfigException {
      Setting s = settings.get(key);
      if (s != null && !(s.value() instanceof String)) {
        throw s.error("must be a string");
      }
      return s == null ? null : (String) s.value();
    }

    String string(String key) throws ConfigException {
      Setting s = settings.get(key);
      if (s == null) {
        return null;
      }
      if (!(s.value() instanceof String text) || text.isEmpty()) {
        throw s.error("must be a non-empty string");
      }
      return text;
    }

    Path path(String key) throws ConfigException {
      String text = string(key);
      if (text == null) {
        return null;
      }
      return UserPaths.system().expand(text);
    }

    String choice(String key, List<String> allowed, String fallback) throws ConfigException {
      String text = string(key);
      if (text == null) {
        return fallback;
      }
      String lower = text.toLowerCase(Locale.ROOT);
      if (!allowed.contains(lower)) {
        throw settings.get(key).error("must be one of " + String.join(", ", allowed));
      }
      return lower;
    }

    boolean bool(String key, boolean fallback) throws ConfigException {
      Setting s = settings.get(key);
      if (s == null) {
        return fallback;
      }
      if (!(s.value() instanceof Boolean b)) {
        throw s.error("must be true or false");
      }
      return b;
    }

    int positive(String key, int fallback, int max) throws ConfigException {
      Setting s = settings.get(key);
      if (s == null) {
        return fallback;
      }
      if (!(s.value() instanceof Long n) || n < 1) {
        throw s.error("must be a positive whole number");
      }
      if (n > max) {
        throw s.error("must be at most " + max);
      }
      return n.intValue();
    }

    /** Reads a SHA-256 fingerprint: 64 hex digits, optionally separated by colons. */
    String fingerprint(String key) throws ConfigException {
      String text = string(key);
      if (text != null && !FINGERPRINT.matcher(text.replace(":", "").strip()).matches()) {
        throw settings.get(key).error("must be 64 hex digits, optionally separated by colons");
      }
      return text;
    }
  }
}
