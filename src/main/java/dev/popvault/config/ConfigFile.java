package dev.popvault.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.exc.StreamReadException;
import com.fasterxml.jackson.dataformat.toml.TomlFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads the accounts file (TOML): a {@code [defaults]} table and one table per account, whose keys
 * are the long option names of {@code popvault archive} ({@code url}, {@code password-command},
 * {@code delete}, …). Every value remembers its file and line, so that later validation errors can
 * name them. A file that holds a {@code password} must not be readable by group or others.
 */
public final class ConfigFile {
  /** Names the table that holds values shared by all accounts. */
  public static final String DEFAULTS = "defaults";

  /** Names the origin of values typed on the command line. */
  public static final String COMMAND_LINE = "command line";

  /** Lists the keys an account or the defaults may set: the long option names they stand for. */
  public static final Set<String> KEYS =
      Set.of(
          "url",
          "password",
          "password-file",
          "password-command",
          "token-command",
          "auth",
          "archive-dir",
          "ledger",
          "codec",
          "delete",
          "ca-file",
          "fingerprint",
          "allow-plaintext",
          "connect-timeout",
          "timeout",
          "batch-size");

  private final Path file;
  private final Map<String, Setting> defaults;
  private final Map<String, Map<String, Setting>> accounts;

  private ConfigFile(
      Path file, Map<String, Setting> defaults, Map<String, Map<String, Setting>> accounts) {
    this.file = file;
    this.defaults = Collections.unmodifiableMap(defaults);
    this.accounts = Collections.unmodifiableMap(accounts);
  }

  /**
   * Returns {@code $XDG_CONFIG_HOME/popvault/config.toml}, or {@code
   * ~/.config/popvault/config.toml}.
   */
  public static Path defaultPath(Map<String, String> env) {
    return UserPaths.of(env).configHome().resolve(Path.of("popvault", "config.toml"));
  }

  /** Returns an empty configuration (no file). */
  public static ConfigFile empty() {
    return new ConfigFile(null, new LinkedHashMap<>(), new LinkedHashMap<>());
  }

  /**
   * Parses the file.
   *
   * @throws ConfigException naming file, line and key for syntax errors, unknown keys, nested
   *     tables, and a password in a file readable by others
   */
  public static ConfigFile load(Path file) throws ConfigException {
    Map<String, Setting> defaults = new LinkedHashMap<>();
    Map<String, Map<String, Setting>> accounts = new LinkedHashMap<>();
    boolean holdsPassword = false;
    List<String> lines;
    try {
      lines = Files.readAllLines(file);
    } catch (NoSuchFileException e) {
      throw new ConfigException("config file " + file + " does not exist");
    } catch (IOException e) {
      throw new ConfigException("cannot read config file " + file + ": " + e.getMessage());
    }
    try (JsonParser parser = new TomlFactory().createParser(file.toFile())) {
      expect(parser.nextToken() == JsonToken.START_OBJECT, file, "expected tables");
      while (parser.nextToken() == JsonToken.FIELD_NAME) {
        String table = parser.currentName();
        int tableLine = lineOf(lines, table, null);
        if (parser.nextToken() != JsonToken.START_OBJECT) {
          throw new ConfigException(
              file
                  + ":"
                  + tableLine
                  + ": key '"
                  + table
                  + "' must be inside [defaults] or an account table");
        }
        Map<String, Setting> values = new LinkedHashMap<>();
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
          String key = parser.currentName();
          int keyLine = lineOf(lines, table, key);
          JsonToken token = parser.nextToken();
          if (!KEYS.contains(key)) {
            throw new ConfigException(
                file
                    + ":"
                    + keyLine
                    + ": unknown key '"
                    + key
                    + "' in ["
                    + table
                    + "]; known keys: "
                    + String.join(", ", KEYS.stream().sorted().toList()));
          }
          Object value =
              switch (token) {
                case VALUE_STRING -> parser.getText();
                case VALUE_NUMBER_INT -> parser.getLongValue();
                case VALUE_TRUE -> Boolean.TRUE;
                case VALUE_FALSE -> Boolean.FALSE;
                default ->
                    throw new ConfigException(
                        file
                            + ":"
                            + keyLine
                            + ": key '"
                            + key
                            + "' in ["
                            + table
                            + "] must be a string, a whole number or true/false");
              };
          if (key.equals("password")) {
            holdsPassword = true;
          }
          values.put(key, new Setting(key, value, file + ":" + keyLine));
        }
        if (table.equals(DEFAULTS)) {
          if (values.containsKey("url")) {
            throw new ConfigException(
                values.get("url").where() + ": 'url' belongs in an account table");
          }
          defaults.putAll(values);
        } else {
          if (!values.containsKey("url")) {
            throw new ConfigException(
                file + ":" + tableLine + ": account [" + table + "] has no 'url'");
          }
          accounts.put(table, values);
        }
      }
    } catch (NoSuchFileException e) {
      throw new ConfigException("config file " + file + " does not exist");
    } catch (StreamReadException e) {
      int at = e.getLocation() == null ? -1 : e.getLocation().getLineNr();
      String why =
          e.getOriginalMessage() == null
              ? "syntax error"
              : e.getOriginalMessage().lines().findFirst().orElse("");
      throw new ConfigException(file + (at > 0 ? ":" + at : "") + ": " + why);
    } catch (IOException e) {
      throw new ConfigException("cannot read config file " + file + ": " + e.getMessage());
    }
    if (holdsPassword) {
      requirePrivate(file);
    }
    return new ConfigFile(file, defaults, accounts);
  }

  private static void requirePrivate(Path file) throws ConfigException {
    try {
      Set<PosixFilePermission> mode = Files.getPosixFilePermissions(file);
      if (mode.contains(PosixFilePermission.GROUP_READ)
          || mode.contains(PosixFilePermission.OTHERS_READ)) {
        throw new ConfigException(
            file + " holds a password but is readable by group or others; run: chmod 600 " + file);
      }
    } catch (IOException e) {
      throw new ConfigException("cannot check permissions of " + file + ": " + e.getMessage());
    }
  }

  /**
   * Finds the line (1-based) of a table header, or of a key inside a table, for error messages
   * only: the TOML parser keeps no positions once it has built its tree. Returns 0 when not found
   * (e.g. inline tables).
   */
  static int lineOf(List<String> lines, String table, String key) {
    Pattern header =
        Pattern.compile("^\\s*\\[\\s*\"?" + Pattern.quote(table) + "\"?\\s*]\\s*(#.*)?$");
    Pattern keyLine =
        key == null ? null : Pattern.compile("^\\s*\"?" + Pattern.quote(key) + "\"?\\s*=");
    boolean inTable = false;
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i);
      if (line.stripLeading().startsWith("[")) {
        inTable = header.matcher(line).matches();
        if (inTable && key == null) {
          return i + 1;
        }
      } else if (inTable && keyLine != null && keyLine.matcher(line).find()) {
        return i + 1;
      }
    }
    return 0;
  }

  private static void expect(boolean ok, Path file, String what) throws ConfigException {
    if (!ok) {
      throw new ConfigException(file + ": " + what);
    }
  }

  /** Returns the file this was read from, or null for {@link #empty()}. */
  public Path file() {
    return file;
  }

  public Map<String, Setting> defaults() {
    return defaults;
  }

  /** Returns the account tables in file order. */
  public Map<String, Map<String, Setting>> accounts() {
    return accounts;
  }

  /**
   * Holds one value and where it came from ("FILE:LINE" or "command line"), for error messages.
   *
   * @param value a String, Long or Boolean
   */
  public record Setting(String key, Object value, String where) {
    /** Tells whether the value was typed on the command line (a mistake in it is a usage error). */
    public boolean fromCommandLine() {
      return where.equals(COMMAND_LINE);
    }

    /** Reports a bad value, naming where it came from; a usage error if from the command line. */
    public ConfigException error(String problem) {
      return new ConfigException(where + ": key '" + key + "' " + problem, fromCommandLine());
    }

    @Override
    public String toString() {
      return key.equals("password") ? key + "=********" : key + "=" + value;
    }
  }
}
