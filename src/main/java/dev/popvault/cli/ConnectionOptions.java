package dev.popvault.cli;

import dev.popvault.config.ConfigFile.Setting;
import dev.popvault.pop3.Pop3Settings;
import java.nio.file.Path;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * How to reach and log in to a server: the options shared by every command that talks POP3 to an
 * account ({@code archive}, {@code verify --repair}). Each overrides the accounts file's key of the
 * same name.
 */
final class ConnectionOptions {
  @Option(
      names = "--password-file",
      paramLabel = "FILE",
      description = "Read the password from the first line of FILE.")
  Path passwordFile;

  @Option(
      names = "--password-command",
      paramLabel = "CMD",
      description = "Run CMD (no shell; quotes group words) and use the first line it prints.")
  String passwordCommand;

  @Option(
      names = "--token-command",
      paramLabel = "CMD",
      description =
          "With --auth xoauth2 or oauthbearer: run CMD; its first output line is the access token.")
  String tokenCommand;

  @Option(
      names = "--auth",
      paramLabel = "METHOD",
      description =
          "auto (SASL PLAIN if offered, else USER/PASS; default), user, apop, plain, xoauth2, oauthbearer.")
  String auth;

  @Option(
      names = "--ca-file",
      paramLabel = "PEM",
      description = "Trust the CA certificate(s) in PEM instead of the system trust store.")
  Path caFile;

  @Option(
      names = "--fingerprint",
      paramLabel = "SHA256",
      description = "Trust exactly the server certificate with this SHA-256 fingerprint.")
  String fingerprint;

  @Option(
      names = "--allow-plaintext",
      negatable = true,
      description =
          "Allow pop3:// without STLS: the password then crosses the network in clear text.")
  Boolean allowPlaintext;

  @Option(names = "--connect-timeout", paramLabel = "SECONDS", description = "Default: 30.")
  Integer connectTimeout;

  @Option(
      names = "--timeout",
      paramLabel = "SECONDS",
      description =
          "Give up when the server does not answer a command for this long. Default: 120.")
  Integer readTimeout;

  @Option(
      names = "--pipeline-window",
      hidden = true,
      defaultValue = "" + Pop3Settings.DEFAULT_PIPELINE_WINDOW)
  int pipelineWindow;

  /**
   * Adds the options given on the command line to {@code layer}, under their accounts-file keys.
   */
  void addTo(Map<String, Setting> layer) {
    AccountSetup.put(layer, "password-file", passwordFile);
    AccountSetup.put(layer, "password-command", passwordCommand);
    AccountSetup.put(layer, "token-command", tokenCommand);
    AccountSetup.put(layer, "auth", auth);
    AccountSetup.put(layer, "ca-file", caFile);
    AccountSetup.put(layer, "fingerprint", fingerprint);
    AccountSetup.put(layer, "allow-plaintext", allowPlaintext);
    AccountSetup.put(
        layer, "connect-timeout", connectTimeout == null ? null : connectTimeout.longValue());
    AccountSetup.put(layer, "timeout", readTimeout == null ? null : readTimeout.longValue());
  }
}
