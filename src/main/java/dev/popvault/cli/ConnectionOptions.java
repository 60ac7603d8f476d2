package dev.popvault.cli;

import dev.popvault.pop3.Pop3Settings;
import picocli.CommandLine.Option;

/**
 * Test knobs of the commands that talk POP3 to an account ({@code archive}, {@code verify
 * --repair}); not settings of the registry, hidden from help. The connection settings themselves
 * are generated from the registry ({@link SettingOptions#TRUST}, {@link SettingOptions#LOGIN}).
 */
final class ConnectionOptions {
  @Option(
      names = "--pipeline-window",
      hidden = true,
      defaultValue = "" + Pop3Settings.DEFAULT_PIPELINE_WINDOW)
  int pipelineWindow;
}
