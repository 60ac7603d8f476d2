package dev.popvault.cli;

/**
 * Lists the exit codes of {@link dev.popvault.core.ExitCode} as a compile-time constant, so every
 * command's help can show it. docs/exit-codes.md carries the same table.
 */
final class ExitCodeTable {
  static final String TEXT =
      "   0  success%n"
          + "  64  usage error (bad option or argument, a bad value on the command line)%n"
          + "  65  data error: archive and ledger disagree, ledger from a newer popvault,%n"
          + "      messages lost to a damaged archive (verify --repair lists them)%n"
          + "  69  server unavailable (cannot connect, TLS handshake failed, [SYS/PERM])%n"
          + "  70  internal error (a bug: please report it with the -vv output; out of memory)%n"
          + "  74  local I/O error (disk full, permissions, not a directory)%n"
          + "  75  temporary: lock held by another run, timeout, connection lost, SIGTERM,%n"
          + "      server busy ([IN-USE], [LOGIN-DELAY], [SYS/TEMP])%n"
          + "  76  POP3 protocol error (malformed or unexpected server reply, UTF8 refused)%n"
          + "  77  authentication failed (also: a login method the server does not offer),%n"
          + "      certificate not trusted, or plaintext refused%n"
          + "  78  configuration error (a bad value in the accounts file, bad URL, unreadable%n"
          + "      password source, a password file others can read, a mailbox%n"
          + "      archived under another account name, an unfinished rename, a link%n"
          + "      leading out of the archive directory, another user's file with loose mode)%n"
          + " 130  interrupted by Ctrl-C";

  private ExitCodeTable() {}
}
