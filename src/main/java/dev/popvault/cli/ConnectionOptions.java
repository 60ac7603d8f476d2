package dev.popvault.cli;

import dev.popvault.pop3.Pop3Settings;
import picocli.CommandLine.ITypeConverter;
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
      defaultValue = "" + Pop3Settings.DEFAULT_PIPELINE_WINDOW,
      converter = PositiveWindow.class)
  int pipelineWindow;

  /** Refuses a window below 1 as a usage error (64), like every other number typed. */
  static final class PositiveWindow implements ITypeConverter<Integer> {
    @Override
    public Integer convert(String text) {
      try {
        int n = Integer.parseInt(text.strip());
        if (n >= 1) {
          return n;
        }
      } catch (NumberFormatException e) {
        // worded below
      }
      throw new SettingOptions.BadValue("--pipeline-window must be a positive whole number");
    }
  }
}
