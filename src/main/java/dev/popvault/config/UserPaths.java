package dev.popvault.config;

import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;

/**
 * Finds the user's home and XDG base directories, and expands {@code ~} in paths the user wrote.
 * The one place popvault decides where "home" is: every default location and every {@code ~} goes
 * through here.
 *
 * <p>Home is {@code $HOME}, as in a shell; the JVM's {@code user.home} (read from the password
 * database, not the environment) is only the fallback when {@code HOME} is unset or empty, so
 * {@code HOME=/srv/backup popvault …} writes under /srv/backup. An XDG variable counts only when it
 * holds an absolute path (the XDG Base Directory specification says to ignore relative ones).
 */
public final class UserPaths {
  private final Map<String, String> env;
  private final String fallbackHome;

  private UserPaths(Map<String, String> env, String fallbackHome) {
    this.env = Map.copyOf(Objects.requireNonNull(env, "env"));
    this.fallbackHome = fallbackHome;
  }

  /** Returns the paths of this process: its environment, with {@code user.home} as fallback. */
  public static UserPaths system() {
    return of(System.getenv());
  }

  /** Returns the paths for {@code env}, with this JVM's {@code user.home} as fallback. */
  public static UserPaths of(Map<String, String> env) {
    return of(env, System.getProperty("user.home"));
  }

  /** Returns the paths for {@code env}, with {@code fallbackHome} used when HOME is unset. */
  public static UserPaths of(Map<String, String> env, String fallbackHome) {
    return new UserPaths(env, fallbackHome);
  }

  /**
   * Returns the home directory: {@code $HOME}, or the fallback if it is unset or empty.
   *
   * @throws IllegalStateException if neither is known
   */
  public Path home() {
    String home = env.get("HOME");
    if (home == null || home.isEmpty()) {
      home = fallbackHome;
    }
    if (home == null || home.isEmpty()) {
      throw new IllegalStateException("HOME is not set and the user's home directory is unknown");
    }
    return Path.of(home);
  }

  /**
   * Returns {@code text} as a path, with a leading {@code ~} or {@code ~/} replaced by {@link
   * #home()}. Other forms ({@code ~user/…}, a {@code ~} inside the path) are taken literally.
   */
  public Path expand(String text) {
    Objects.requireNonNull(text, "text");
    if (text.equals("~")) {
      return home();
    }
    if (text.startsWith("~/")) {
      String rest = text.substring(2);
      return rest.isEmpty() ? home() : home().resolve(rest);
    }
    return Path.of(text);
  }

  /** Returns {@code $XDG_DATA_HOME}, or {@code ~/.local/share}. */
  public Path dataHome() {
    return xdg("XDG_DATA_HOME", ".local", "share");
  }

  /** Returns {@code $XDG_CONFIG_HOME}, or {@code ~/.config}. */
  public Path configHome() {
    return xdg("XDG_CONFIG_HOME", ".config");
  }

  /** Returns {@code $XDG_CACHE_HOME}, or {@code ~/.cache}. */
  public Path cacheHome() {
    return xdg("XDG_CACHE_HOME", ".cache");
  }

  private Path xdg(String variable, String first, String... more) {
    String value = env.get(variable);
    if (value != null && !value.isEmpty() && Path.of(value).isAbsolute()) {
      return Path.of(value);
    }
    return home().resolve(Path.of(first, more));
  }
}
