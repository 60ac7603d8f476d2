package dev.popvault.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * Names a mailbox as {@code pop3s://user@host[:port]} (implicit TLS, default port 995) or {@code
 * pop3://user@host[:port]} (STLS, default port 110). A password in the URL is refused: URLs end up
 * in argv, shell history and crontabs.
 *
 * @param implicitTls true for {@code pop3s://}
 * @param user the login name, percent-decoded ({@code alice%40example.com} is {@code
 *     alice@example.com})
 */
public record ServerUrl(boolean implicitTls, String user, String host, int port) {
  public ServerUrl {
    if (user == null || user.isEmpty()) {
      throw new IllegalArgumentException("user must not be empty");
    }
    if (host == null || host.isEmpty()) {
      throw new IllegalArgumentException("host must not be empty");
    }
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("port out of range: " + port);
    }
  }

  /** Parses a server URL, naming what is wrong in the exception message. */
  public static ServerUrl parse(String text) throws ConfigException {
    URI uri;
    try {
      uri = new URI(text);
    } catch (URISyntaxException e) {
      String problem = authorityProblem(text);
      throw new ConfigException(
          "invalid server URL '" + text + "': " + (problem != null ? problem : e.getReason()));
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    boolean implicitTls;
    int defaultPort;
    switch (scheme) {
      case "pop3s" -> {
        implicitTls = true;
        defaultPort = 995;
      }
      case "pop3" -> {
        implicitTls = false;
        defaultPort = 110;
      }
      default ->
          throw new ConfigException(
              "invalid server URL '"
                  + text
                  + "': use pop3s://USER@HOST[:PORT] or pop3://USER@HOST[:PORT]");
    }
    String rawUserInfo = uri.getRawUserInfo();
    if (uri.getHost() == null && authorityProblem(text) != null) {
      // java.net.URI then reads the whole authority as a name, with no user: say what is wrong.
      throw new ConfigException("invalid server URL '" + text + "': " + authorityProblem(text));
    }
    if (rawUserInfo == null || rawUserInfo.isEmpty()) {
      throw new ConfigException("invalid server URL '" + text + "': no user (pop3s://USER@HOST)");
    }
    if (rawUserInfo.contains(":")) {
      throw new ConfigException(
          "refusing a password in the server URL (it would be visible in ps and shell history);"
              + " use --password-file, --password-command or POPVAULT_PASSWORD");
    }
    if (uri.getHost() == null) {
      throw new ConfigException("invalid server URL '" + text + "': no host");
    }
    if (uri.getRawPath() != null && !uri.getRawPath().isEmpty() && !uri.getRawPath().equals("/")) {
      throw new ConfigException(
          "invalid server URL '" + text + "': unexpected path " + uri.getRawPath());
    }
    String user = URLDecoder.decode(rawUserInfo.replace("+", "%2B"), StandardCharsets.UTF_8);
    if (user.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
      throw new ConfigException("invalid server URL '" + text + "': control character in the user");
    }
    String host = uri.getHost();
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    int port = uri.getPort() == -1 ? defaultPort : uri.getPort();
    if (port < 1 || port > 65535) {
      throw new ConfigException(
          "invalid server URL '" + text + "': port " + port + " out of range");
    }
    return new ServerUrl(implicitTls, user, host, port);
  }

  /**
   * Names what is wrong with the part between "://" and the path ({@code USER@HOST[:PORT]}), in the
   * words a user needs; null when that part looks right (other checks then apply).
   */
  static String authorityProblem(String text) {
    int start = text.indexOf("://");
    if (start < 0) {
      return null;
    }
    String scheme = text.substring(0, start);
    String rest = text.substring(start + 3);
    int slash = rest.indexOf('/');
    String authority = slash < 0 ? rest : rest.substring(0, slash);
    String example = scheme + "://USER@HOST";
    if (authority.isEmpty()) {
      return "no user and no host (" + example + ")";
    }
    int at = authority.lastIndexOf('@');
    if (at < 0) {
      return "no user (" + example + ")";
    }
    if (at == 0) {
      return "empty user before '@' (" + example + ")";
    }
    String hostPort = authority.substring(at + 1);
    if (hostPort.isEmpty()) {
      return "no host after '" + authority + "' (" + example + ")";
    }
    int colon =
        hostPort.startsWith("[")
            ? hostPort.indexOf(':', hostPort.indexOf(']'))
            : hostPort.lastIndexOf(':');
    if (colon >= 0) {
      String port = hostPort.substring(colon + 1);
      if (port.isEmpty() || !port.chars().allMatch(Character::isDigit)) {
        return "port '" + port + "' is not a number (" + example + ":PORT)";
      }
      if (colon == 0) {
        return "no host before ':" + port + "' (" + example + ")";
      }
    }
    return null;
  }

  /**
   * Returns the default account name, {@code user@host}, used for the archive directory and the
   * ledger.
   */
  public String accountName() {
    return user + "@" + host;
  }
}
