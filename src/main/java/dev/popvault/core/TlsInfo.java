package dev.popvault.core;

import dev.popvault.pop3.TlsProvider;

/** What the commands may say about the TLS implementation, without reaching into pop3. */
public final class TlsInfo {
  private TlsInfo() {}

  /** Returns the TLS provider a connection would use, in one line (for {@code --version}). */
  public static String describe() {
    return TlsProvider.describe();
  }
}
