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
 * are the settings of {@link Setting} that the file may hold, each in the tables its scope allows.
 * Every value remembers its file and line, so that later validation errors can name them. A file
 * that holds a secret ({@code password}) must not be readable by group or others.
 */
public final class ConfigFile {
  /** Names the table that holds values shared by all accounts. */
  public static final String DEFAULTS = "defaults";

  /** Names the origin of values typed on the command line. */
  public static final String COMMAND_LINE = "command line";

  /** Lists the keys an account or the defaults may set (from {@link Setting}), in its order. */
  public static final List<String> KEYS = Setting.fileKeys();

  private final Path file;
  private final Map<String, Value> defaults;
  private final Map<String, Map<String, Value>> accounts;

  private ConfigFile(
      Path file, Map<String, Value> defaults, Map<String, Map<String, Value>> accounts) {
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
    Map<String, Value> defaults = new LinkedHashMap<>();
    Map<String, Map<String, Value>> accounts = new LinkedHashMap<>();
    boolean holdsPassword = false;
    List<String> lines;
    try {
      lines = Files.readAllLines(file);
    } catch (NoSuchFileException e) {
      throw new ConfigException("config file " + file + " does not exist");
    } catch (java.nio.charset.MalformedInputException e) {
      throw new ConfigException(
          "config file " + file + " is not a text file (it is not UTF-8); give the accounts file");
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
        Map<String, Value> values = new LinkedHashMap<>();
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
          String key = parser.currentName();
          int keyLine = lineOf(lines, table, key);
          JsonToken token = parser.nextToken();
          String misplaced = misplaced(key, table);
          if (misplaced != null) {
            throw new ConfigException(file + ":" + keyLine + ": " + misplaced);
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
          if (Setting.byKey(key).orElseThrow().secret()) {
            holdsPassword = true;
          }
          values.put(key, new Value(key, value, file + ":" + keyLine));
        }
        if (table.equals(DEFAULTS)) {
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
      int line = e.getLocation() == null ? -1 : e.getLocation().getLineNr();
      int column = e.getLocation() == null ? -1 : e.getLocation().getColumnNr();
      String why =
          e.getOriginalMessage() == null
              ? ""
              : e.getOriginalMessage().lines().findFirst().orElse("");
      throw new ConfigException(
          file
              + (line > 0 ? ", line " + line + (column > 0 ? ", column " + column : "") : "")
              + ": not valid TOML: "
              + plainWords(why));
    } catch (IOException e) {
      throw new ConfigException("cannot read config file " + file + ": " + e.getMessage());
    }
    if (holdsPassword) {
      requirePrivate(file, file + " holds a password but");
    }
    return new ConfigFile(file, defaults, accounts);
  }

  /**
   * Says why {@code key} may not stand in {@code table} (by its {@link Setting.Scope}), or returns
   * null if it may.
   */
  private static String misplaced(String key, String table) {
    Setting setting = Setting.byKey(key).orElse(null);
    String here = "'" + key + "' in [" + table + "]";
    if (setting == null) {
      return "unknown key "
          + here
          + "; known keys: "
          + String.join(", ", KEYS.stream().sorted().toList());
    }
    Setting.Scope scope = setting.scope();
    if (!scope.inDefaults() && !scope.inAccountTable()) {
      return here + ": '" + key + "' is valid only on the command line (--" + key + ")";
    }
    if (table.equals(DEFAULTS) && !scope.inDefaults()) {
      return here + ": '" + key + "' belongs in an account table";
    }
    if (!table.equals(DEFAULTS) && !scope.inAccountTable()) {
      return here + ": '" + key + "' is run-wide: set it in [defaults] or on the command line";
    }
    return null;
  }

  /**
   * Refuses {@code file} when group or others may read it: it holds a secret. The message starts
   * with {@code subject} ("FILE holds a password but", "password file FILE") and says how to fix
   * it.
   */
  static void requirePrivate(Path file, String subject) throws ConfigException {
    Set<PosixFilePermission> mode;
    try {
      mode = Files.getPosixFilePermissions(file);
    } catch (UnsupportedOperationException e) {
      return; // no POSIX modes on this file system: nothing to check
    } catch (NoSuchFileException e) {
      throw new ConfigException(subject + ": no such file");
    } catch (IOException e) {
      throw new ConfigException("cannot check permissions of " + file + ": " + e.getMessage());
    }
    if (mode.contains(PosixFilePermission.GROUP_READ)
        || mode.contains(PosixFilePermission.OTHERS_READ)) {
      throw new ConfigException(
          subject + " is readable by group or others; run: chmod 600 " + file);
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

  public Map<String, Value> defaults() {
    return defaults;
  }

  /** Says what the TOML parser's terse complaints mean, for someone editing the file. */
  private static String plainWords(String parserMessage) {
    if (parserMessage.startsWith("Newline not permitted here")) {
      return "the line ends too early (an unclosed [table] header or \"string\", or a key without"
          + " a value)";
    }
    if (parserMessage.isBlank()) {
      return "syntax error";
    }
    return Character.toLowerCase(parserMessage.charAt(0)) + parserMessage.substring(1);
  }

  /** Returns the account tables in file order. */
  public Map<String, Map<String, Value>> accounts() {
    return accounts;
  }

  /**
   * Holds one value and where it came from ("FILE:LINE" or "command line"), for error messages.
   *
   * @param value a String, Long or Boolean
   */
  public record Value(String key, Object value, String where) {
    /** Tells whether the value was typed on the command line (a mistake in it is a usage error). */
    public boolean fromCommandLine() {
      return where.equals(COMMAND_LINE);
    }

    /** Reports a bad value, naming where it came from; a usage error if from the command line. */
    public ConfigException error(String problem) {
      return fromCommandLine()
          ? new ConfigException("--" + key + " " + problem, true)
          : new ConfigException(where + ": key '" + key + "' " + problem);
    }

    @Override
    public String toString() {
      boolean secret = Setting.byKey(key).map(Setting::secret).orElse(false);
      return secret ? key + "=********" : key + "=" + value;
    }
  }
}
