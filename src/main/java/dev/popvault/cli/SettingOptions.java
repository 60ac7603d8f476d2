package dev.popvault.cli;

import static dev.popvault.config.Setting.ACCOUNT;
import static dev.popvault.config.Setting.ALLOW_PLAINTEXT;
import static dev.popvault.config.Setting.ARCHIVE_DIR;
import static dev.popvault.config.Setting.AUTH;
import static dev.popvault.config.Setting.CA_FILE;
import static dev.popvault.config.Setting.CONFIG;
import static dev.popvault.config.Setting.CONNECT_TIMEOUT;
import static dev.popvault.config.Setting.FINGERPRINT;
import static dev.popvault.config.Setting.LEDGER;
import static dev.popvault.config.Setting.PASSWORD_COMMAND;
import static dev.popvault.config.Setting.PASSWORD_FILE;
import static dev.popvault.config.Setting.QUIET;
import static dev.popvault.config.Setting.TIMEOUT;
import static dev.popvault.config.Setting.TOKEN_COMMAND;
import static dev.popvault.config.Setting.VERBOSE;

import dev.popvault.config.ConfigException;
import dev.popvault.config.ConfigFile;
import dev.popvault.config.ConfigFile.Value;
import dev.popvault.config.Setting;
import dev.popvault.config.UserPaths;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import picocli.CommandLine.IModelTransformer;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.TypeConversionException;

/**
 * Generates a command's options from the settings registry ({@link Setting}) and reads back what
 * was given. It is a picocli model transformer, so the options exist alike for parsing, {@code
 * --help}, the man pages and shell completion. A command names it in {@code modelTransformer} and
 * lists its settings by implementing {@link Taker}.
 */
final class SettingOptions implements IModelTransformer {
  /** Every command that reads the accounts file takes these. */
  static final Set<Setting> COMMON = EnumSet.of(CONFIG, ARCHIVE_DIR, LEDGER, QUIET, VERBOSE);

  /** How to trust and wait for a server. */
  static final Set<Setting> TRUST =
      EnumSet.of(CA_FILE, FINGERPRINT, ALLOW_PLAINTEXT, CONNECT_TIMEOUT, TIMEOUT);

  /** How to log in, and under which account name. */
  static final Set<Setting> LOGIN =
      EnumSet.of(PASSWORD_FILE, PASSWORD_COMMAND, TOKEN_COMMAND, AUTH, ACCOUNT);

  /** Implemented by the commands that take settings as options. */
  interface Taker {
    /** Lists the settings this command takes; each must be valid on the command line. */
    Set<Setting> settings();
  }

  /** Returns the union of setting groups. */
  @SafeVarargs
  static Set<Setting> of(Set<Setting>... groups) {
    EnumSet<Setting> all = EnumSet.noneOf(Setting.class);
    for (Set<Setting> group : groups) {
      all.addAll(group);
    }
    return Collections.unmodifiableSet(all);
  }

  @Override
  public CommandSpec transform(CommandSpec spec) {
    if (spec.userObject() instanceof Taker taker) {
      for (Setting setting : Setting.values()) {
        if (taker.settings().contains(setting)) {
          spec.addOption(option(setting));
        }
      }
    }
    return spec;
  }

  private static OptionSpec option(Setting setting) {
    if (!setting.scope().onCommandLine()) {
      throw new IllegalStateException(setting.key() + " is not valid on the command line");
    }
    String name = "--" + setting.key();
    OptionSpec.Builder option =
        setting.shortName() == null
            ? OptionSpec.builder(name)
            : OptionSpec.builder(setting.shortName(), name);
    option.description(setting.help().replace("`", "") + ".");
    switch (setting.type()) {
      case FLAG -> option.type(Boolean.class).arity("0").negatable(setting.negatable());
      case COUNT -> option.type(boolean[].class).arity("0");
      case NUMBER ->
          option.type(Long.class).paramLabel(setting.label()).converters(t -> checked(setting, t));
      default ->
          option
              .type(String.class)
              .paramLabel(setting.label())
              .converters(t -> checked(setting, t));
    }
    return option.build();
  }

  /**
   * Converts and checks a value typed for {@code setting} while the command line is parsed, so that
   * every command refuses a bad value alike (exit 64) before it does anything, with the words the
   * accounts file gets (where the same mistake is 78).
   */
  private static Object checked(Setting setting, String text) {
    Object value = text;
    if (setting.type() == Setting.Type.NUMBER) {
      try {
        value = Long.valueOf(text.strip());
      } catch (NumberFormatException e) {
        throw new BadValue("--" + setting.key() + " must be a positive whole number");
      }
    }
    try {
      setting.read(new Value(setting.key(), value, ConfigFile.COMMAND_LINE), UserPaths.system());
    } catch (ConfigException e) {
      throw new BadValue(e.getMessage());
    } catch (IllegalArgumentException e) {
      // A path the platform cannot name (a NUL byte, ...).
      throw new BadValue("--" + setting.key() + " is not usable: '" + text + "'");
    }
    return value;
  }

  /** A bad value typed on the command line; its message is the whole line to print. */
  static final class BadValue extends TypeConversionException {
    private static final long serialVersionUID = 1L;

    BadValue(String message) {
      super(message);
    }
  }

  /** Returns the value given on the command line for {@code setting}, or null. */
  static Object given(CommandSpec spec, Setting setting) {
    OptionSpec option = spec.findOption("--" + setting.key());
    return option == null ? null : option.getValue();
  }

  /**
   * Returns the values given on the command line as a layer over the accounts file, keyed like the
   * file (String, Long or Boolean, as TOML gives them); {@code -v} is left out.
   */
  static Map<String, Value> layer(CommandSpec spec) {
    Map<String, Value> layer = new LinkedHashMap<>();
    for (Setting setting : Setting.values()) {
      Object value = given(spec, setting);
      if (value != null && setting.type() != Setting.Type.COUNT) {
        layer.put(setting.key(), new Value(setting.key(), value, ConfigFile.COMMAND_LINE));
      }
    }
    return layer;
  }
}
