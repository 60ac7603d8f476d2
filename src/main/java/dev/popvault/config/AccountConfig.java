package dev.popvault.config;

import dev.popvault.config.ConfigFile.Value;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Holds one account's effective settings, merged from layers (built-in defaults, the file's {@code
 * [defaults]}, the account's table, the command line; later layers win) and validated, with each
 * value's origin kept for {@code config check} and for error messages. Which keys exist, their
 * types and defaults come from {@link Setting}; the rules between settings live here.
 *
 * @param nameGiven true if the account was named (an accounts-file table, {@code --account}); false
 *     if {@code name} was derived from the URL ({@code user@host})
 * @param values every per-account setting ({@link Setting#perAccount()}) that has a value, typed as
 *     {@link Setting#read} returns it
 * @param origins where each effective key came from: "FILE:LINE", "command line" (absent: default)
 */
public record AccountConfig(
    String name,
    boolean nameGiven,
    ServerUrl url,
    Map<Setting, Object> values,
    Map<String, String> origins) {

  private static final Set<String> PASSWORD_KEYS =
      Set.of("password", "password-file", "password-command");

  /**
   * Merges layers (lowest first) and validates the result.
   *
   * @param name the account's table name; null means "derive from the URL" ({@code user@host}); the
   *     {@code account} key of a command-line layer wins over both
   * @param defaultArchiveDir used when no layer sets {@code archive-dir}
   */
  public static AccountConfig resolve(
      String name, List<Map<String, Value>> layers, Path defaultArchiveDir) throws ConfigException {
    Map<String, Value> merged = new LinkedHashMap<>();
    // The password sources are one choice: the highest layer that names any of them decides alone,
    // so that --password-file on the command line replaces a password-command from the file
    // instead of clashing.
    int passwordLayer = -1;
    for (int i = 0; i < layers.size(); i++) {
      if (layers.get(i).keySet().stream().anyMatch(PASSWORD_KEYS::contains)) {
        passwordLayer = i;
      }
    }
    for (int i = 0; i < layers.size(); i++) {
      for (Value v : layers.get(i).values()) {
        boolean ours = Setting.byKey(v.key()).map(Setting::perAccount).orElse(false);
        if ((ours || v.key().equals(Setting.ACCOUNT.key()))
            && (!PASSWORD_KEYS.contains(v.key()) || i == passwordLayer)) {
          merged.put(v.key(), v);
        }
      }
    }
    Value urlValue = merged.get(Setting.URL.key());
    if (urlValue == null) {
      throw new ConfigException("account " + (name == null ? "" : name + " ") + "has no url");
    }
    UserPaths paths = UserPaths.system();
    Map<Setting, Object> values = new EnumMap<>(Setting.class);
    Map<String, String> origins = new LinkedHashMap<>();
    for (Setting setting : Setting.values()) {
      Value given = merged.get(setting.key());
      if (setting.perAccount() && given != null) {
        values.put(setting, setting.read(given, paths));
        origins.put(setting.key(), given.where());
      } else if (setting.perAccount() && setting.defaultValue() != null) {
        values.put(setting, setting.defaultValue());
      }
    }
    values.putIfAbsent(Setting.ARCHIVE_DIR, defaultArchiveDir);
    checkPasswordSources(merged);
    checkAuth(merged, values);
    checkNoUidl(merged, values);
    if (values.containsKey(Setting.FINGERPRINT) && values.containsKey(Setting.CA_FILE)) {
      throw merged.get("fingerprint").error("and ca-file exclude each other; give one");
    }
    ServerUrl url = (ServerUrl) values.get(Setting.URL);
    // The command line's --account wins over the table's name; without either, the URL names it.
    Value nameValue = merged.get(Setting.ACCOUNT.key());
    String accountName =
        nameValue != null
            ? (String) Setting.ACCOUNT.read(nameValue, paths)
            : name != null ? name : url.accountName();
    checkName(accountName, nameValue != null ? nameValue : name != null ? null : urlValue);
    return new AccountConfig(
        accountName,
        nameValue != null || name != null,
        url,
        Collections.unmodifiableMap(values),
        Collections.unmodifiableMap(origins));
  }

  private static void checkPasswordSources(Map<String, Value> merged) throws ConfigException {
    long sources = PASSWORD_KEYS.stream().filter(merged::containsKey).count();
    if (sources > 1) {
      throw new ConfigException(
          merged.get("password-command") != null
              ? merged.get("password-command").where()
                  + ": give only one of password, password-file, password-command"
              : "give only one of password, password-file, password-command");
    }
  }

  /** OAuth2 logs in with an access token, so it needs the command that prints one. */
  private static void checkAuth(Map<String, Value> merged, Map<Setting, Object> values)
      throws ConfigException {
    Object auth = values.get(Setting.AUTH);
    boolean oauth = auth.equals("xoauth2") || auth.equals("oauthbearer");
    if (!oauth && values.containsKey(Setting.TOKEN_COMMAND)) {
      // Never ignored in silence: with another method the token would not be used at all.
      Value given = merged.get(Setting.TOKEN_COMMAND.key());
      String why =
          " is used only with auth xoauth2 or oauthbearer (auth is "
              + auth
              + "): add --auth xoauth2 (or oauthbearer), or drop it";
      throw given.fromCommandLine()
          ? new ConfigException("--token-command" + why, true)
          : new ConfigException(given.where() + ": token-command" + why);
    }
    if (oauth && !values.containsKey(Setting.TOKEN_COMMAND)) {
      Value given = merged.get(Setting.AUTH.key());
      String why = " needs a token-command (a command that prints the OAuth2 access token)";
      throw given.fromCommandLine()
          ? new ConfigException("--auth " + auth + why, true)
          : new ConfigException(given.where() + ": auth " + auth + why);
    }
  }

  /**
   * Without UIDL a key is only a stand-in (see {@code no-uidl}): such a run never deletes, so a
   * deletion policy beside it is a contradiction to point out, not to ignore.
   */
  private static void checkNoUidl(Map<String, Value> merged, Map<Setting, Object> values)
      throws ConfigException {
    if (!Boolean.TRUE.equals(values.get(Setting.NO_UIDL))) {
      return;
    }
    for (Setting policy : new Setting[] {Setting.DELETE, Setting.KEEP_DAYS}) {
      Value given = merged.get(policy.key());
      if (given != null && !Boolean.FALSE.equals(values.get(policy))) {
        String why = " cannot go with no-uidl, which never deletes";
        throw given.fromCommandLine()
            ? new ConfigException("--" + policy.key() + why, true)
            : new ConfigException(given.where() + ": " + policy.key() + why);
      }
    }
  }

  /**
   * Refuses a name that cannot name the account's archive directory: empty, "." or "..", or too
   * long once made safe (the rule of {@code archive.ArchiveLayout.safeDirName}, checked here so
   * that an accepted name always has a directory).
   *
   * @param origin the setting the name came from ({@code account}, {@code url}), or null for a
   *     table of the accounts file
   */
  private static void checkName(String name, Value origin) throws ConfigException {
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
    return origins.containsKey(Setting.CODEC.key());
  }

  /** Lists the effective settings as {@code key = value # origin} lines, secrets masked. */
  public List<String> describe() {
    List<String> lines = new ArrayList<>();
    lines.add("[" + name + "]");
    for (Setting setting : Setting.values()) {
      Object value = values.get(setting);
      if (value == null) {
        continue;
      }
      String shown =
          setting.secret()
              ? "********"
              : value instanceof ServerUrl u
                  ? (u.implicitTls() ? "pop3s://" : "pop3://")
                      + u.user()
                      + "@"
                      + u.host()
                      + ":"
                      + u.port()
                  : value.toString();
      lines.add(
          setting.key()
              + " = "
              + shown
              + "    # "
              + origins.getOrDefault(setting.key(), "default"));
    }
    return lines;
  }

  /** Returns the password written in the accounts file (discouraged), or null. */
  public String password() {
    return (String) values.get(Setting.PASSWORD);
  }

  public Path passwordFile() {
    return (Path) values.get(Setting.PASSWORD_FILE);
  }

  public String passwordCommand() {
    return (String) values.get(Setting.PASSWORD_COMMAND);
  }

  public String tokenCommand() {
    return (String) values.get(Setting.TOKEN_COMMAND);
  }

  /** Returns one of auto, user, apop, plain, xoauth2, oauthbearer. */
  public String auth() {
    return (String) values.get(Setting.AUTH);
  }

  public Path archiveDir() {
    return (Path) values.get(Setting.ARCHIVE_DIR);
  }

  /** Returns the ledger, or null for the default ({@code archive-dir/ledger.db}). */
  public Path ledger() {
    return (Path) values.get(Setting.LEDGER);
  }

  /** Returns one of zstd, gzip, xz, none (zstd by default; see {@link #codecGiven()}). */
  public String codec() {
    return (String) values.get(Setting.CODEC);
  }

  public boolean delete() {
    return (Boolean) values.get(Setting.DELETE);
  }

  /** Returns the days a message stays on the server after it was archived, or null (no limit). */
  public Integer keepDays() {
    return (Integer) values.get(Setting.KEEP_DAYS);
  }

  /** Messages larger than this stay on the server; null: no limit. */
  public Long maxSize() {
    return (Long) values.get(Setting.MAX_SIZE);
  }

  /** At most this many messages are fetched in a run; null: no limit. */
  public Integer maxMessages() {
    return (Integer) values.get(Setting.MAX_MESSAGES);
  }

  /** At most this many bytes (LIST sizes) are fetched in a run; null: no limit. */
  public Long maxBytes() {
    return (Long) values.get(Setting.MAX_BYTES);
  }

  /** Key messages by a hash of their headers: for servers without UIDL; never deletes. */
  public boolean noUidl() {
    return Boolean.TRUE.equals(values.get(Setting.NO_UIDL));
  }

  /** Log in again while each session brings new messages. */
  public boolean untilDone() {
    return Boolean.TRUE.equals(values.get(Setting.UNTIL_DONE));
  }

  /** QUIT and log in again after this many messages fetched; null: one session. */
  public Integer checkpoint() {
    return (Integer) values.get(Setting.CHECKPOINT);
  }

  public Path caFile() {
    return (Path) values.get(Setting.CA_FILE);
  }

  public String fingerprint() {
    return (String) values.get(Setting.FINGERPRINT);
  }

  public boolean allowPlaintext() {
    return (Boolean) values.get(Setting.ALLOW_PLAINTEXT);
  }

  public int connectTimeout() {
    return (Integer) values.get(Setting.CONNECT_TIMEOUT);
  }

  public int timeout() {
    return (Integer) values.get(Setting.TIMEOUT);
  }

  public int batchSize() {
    return (Integer) values.get(Setting.BATCH_SIZE);
  }

  @Override
  public String toString() {
    return "AccountConfig[" + name + "]";
  }
}
