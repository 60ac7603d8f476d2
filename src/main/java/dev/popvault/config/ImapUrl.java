package dev.popvault.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * Names an IMAP folder to upload to: {@code imaps://USER@HOST[:PORT]/FOLDER} (implicit TLS, port
 * 993) or {@code imap://USER@HOST[:PORT]/FOLDER} (STARTTLS, port 143). No folder means INBOX; a
 * folder's path may hold '/' (the server's hierarchy separator is not assumed). A password in the
 * URL is refused, as for POP3 URLs.
 */
public record ImapUrl(boolean implicitTls, String user, String host, int port, String folder) {
  /** Parses the URL, naming what is wrong. */
  public static ImapUrl parse(String text) throws ConfigException {
    URI uri;
    try {
      uri = new URI(text);
    } catch (URISyntaxException e) {
      String problem = ServerUrl.authorityProblem(text);
      throw new ConfigException(
          "invalid IMAP URL '" + text + "': " + (problem != null ? problem : e.getReason()));
    }
    if (uri.getHost() == null && ServerUrl.authorityProblem(text) != null) {
      throw new ConfigException(
          "invalid IMAP URL '" + text + "': " + ServerUrl.authorityProblem(text));
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("imaps") && !scheme.equals("imap")) {
      throw new ConfigException(
          "invalid IMAP URL '" + text + "': use imaps://USER@HOST[:PORT]/FOLDER");
    }
    String userInfo = uri.getRawUserInfo();
    if (userInfo == null || userInfo.isEmpty()) {
      throw new ConfigException(
          "invalid IMAP URL '" + text + "': no user (imaps://USER@HOST/FOLDER)");
    }
    if (userInfo.contains(":")) {
      throw new ConfigException(
          "invalid IMAP URL '"
              + text
              + "': a password does not belong in a URL (use --password-file or"
              + " --password-command)");
    }
    if (uri.getHost() == null || uri.getHost().isEmpty()) {
      throw new ConfigException("invalid IMAP URL '" + text + "': no host");
    }
    boolean implicitTls = scheme.equals("imaps");
    int port = uri.getPort() == -1 ? (implicitTls ? 993 : 143) : uri.getPort();
    String path = uri.getRawPath() == null ? "" : uri.getRawPath();
    String folder = decode(path.startsWith("/") ? path.substring(1) : path);
    return new ImapUrl(
        implicitTls, decode(userInfo), uri.getHost(), port, folder.isEmpty() ? "INBOX" : folder);
  }

  private static String decode(String s) {
    return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
  }

  /** The destination as the ledger records it: scheme, user, host, port and folder. */
  public String canonical() {
    return (implicitTls ? "imaps" : "imap") + "://" + user + "@" + host + ":" + port + "/" + folder;
  }
}
