package dev.popvault.core;

import dev.popvault.archive.ArchiveCorruptException;
import dev.popvault.archive.UnsafePathException;
import dev.popvault.config.ConfigException;
import dev.popvault.imap.ImapException;
import dev.popvault.ledger.LedgerException;
import dev.popvault.pop3.Pop3Exception;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;

/**
 * Maps failures to exit codes and one-line messages: the one mapping for the whole program (the
 * command line's exception handler and each account of a multi-account run use it), so that the
 * same cause always gives the same code. Returns null for anything unexpected (an unchecked
 * exception that is not a {@link PopvaultException}, an Error): that is a bug and must keep its
 * trace.
 */
public final class Failures {
  private Failures() {}

  /**
   * Words an I/O failure that ended a run for the user: the map's translation, else exit 74 with
   * the failure's own text (an I/O error is never a bug).
   */
  static PopvaultException ofIo(IOException e) {
    PopvaultException known = translate(e);
    return known != null ? known : new PopvaultException(ExitCode.IO_ERROR, e.toString(), e);
  }

  /**
   * Words a runtime failure when the map knows it; otherwise returns it as is (a bug keeps its
   * trace).
   */
  static RuntimeException ofRuntime(RuntimeException e) {
    PopvaultException known = translate(e);
    return known != null ? known : e;
  }

  /** Translates a known failure into a {@link PopvaultException}, or returns null for a bug. */
  public static PopvaultException translate(Throwable t) {
    if (t instanceof PopvaultException p) {
      return p;
    }
    if (t instanceof Pop3Exception e) {
      return new PopvaultException(exitCode(e), e.getMessage(), e);
    }
    if (t instanceof LedgerException e) {
      int code =
          switch (e.kind()) {
            case LOCKED -> ExitCode.TEMPORARY;
            case NEWER_SCHEMA, CORRUPT, CONFLICT -> ExitCode.DATA_ERROR;
            case IO -> ExitCode.IO_ERROR;
          };
      return new PopvaultException(code, e.getMessage(), e);
    }
    if (t instanceof UnsafePathException e) {
      // Not an I/O failure to retry: the layout on disk must change before popvault writes there.
      return new PopvaultException(ExitCode.CONFIG, e.getMessage(), e);
    }
    if (t instanceof ArchiveCorruptException e) {
      return new PopvaultException(ExitCode.DATA_ERROR, e.getMessage(), e);
    }
    if (t instanceof ImapException e) {
      int code =
          switch (e.kind()) {
            case UNAVAILABLE -> ExitCode.UNAVAILABLE;
            case AUTHENTICATION, TLS -> ExitCode.NO_PERMISSION;
            case REFUSED -> ExitCode.DATA_ERROR;
          };
      return new PopvaultException(code, e.getMessage(), e);
    }
    if (t instanceof ConfigException e) {
      return new PopvaultException(e.usage() ? ExitCode.USAGE : ExitCode.CONFIG, e.getMessage(), e);
    }
    if (t instanceof IOException e) {
      return new PopvaultException(ExitCode.IO_ERROR, "local I/O error: " + describe(e), e);
    }
    return null;
  }

  /**
   * Returns the exit code of a POP3 failure. A response code that says when to retry (RFC 2449, RFC
   * 3206) wins over the kind, on whatever command it came: {@code [IN-USE]}, {@code [LOGIN-DELAY]}
   * and {@code [SYS/TEMP]} are temporary (75, cron tries again), {@code [SYS/PERM]} means the
   * server cannot serve this mailbox (69). {@code [AUTH]}, no code, or a code without that meaning
   * leave it to the kind: a refused credential stays 77.
   */
  static int exitCode(Pop3Exception e) {
    return switch (e.responseCode()) {
      case IN_USE, LOGIN_DELAY, SYS_TEMP -> ExitCode.TEMPORARY;
      case SYS_PERM -> ExitCode.UNAVAILABLE;
      case NONE, AUTH, UTF8, OTHER ->
          switch (e.kind()) {
            case UNAVAILABLE -> ExitCode.UNAVAILABLE;
            case CONNECTION_LOST, TIMEOUT -> ExitCode.TEMPORARY;
            case TLS, PLAINTEXT_REFUSED, AUTH -> ExitCode.NO_PERMISSION;
            case PROTOCOL -> ExitCode.PROTOCOL;
          };
    };
  }

  /** Describes a local I/O failure in one line, naming the file and the reason. */
  static String describe(IOException e) {
    if (e instanceof AccessDeniedException a) {
      return "permission denied: " + a.getFile();
    }
    if (e instanceof NotDirectoryException n) {
      return "not a directory: " + n.getFile();
    }
    if (e instanceof NoSuchFileException n) {
      return "no such file or directory: " + n.getFile();
    }
    if (e instanceof FileSystemException f) {
      String reason = f.getReason() == null ? f.getClass().getSimpleName() : f.getReason();
      return reason + (f.getFile() == null ? "" : ": " + f.getFile());
    }
    String message = e.getMessage();
    return message == null ? e.getClass().getSimpleName() : message.replaceAll("\\p{Cntrl}", " ");
  }

  /**
   * Throws {@code failure} as what it is (an IOException, an unchecked exception or an Error), or
   * wrapped with {@code what} if it is another checked exception; for failures carried across
   * threads.
   */
  static void rethrow(Throwable failure, String what) throws IOException {
    if (failure instanceof IOException io) {
      throw io;
    }
    if (failure instanceof RuntimeException runtime) {
      throw runtime;
    }
    if (failure instanceof Error error) {
      throw error;
    }
    throw new IllegalStateException(what, failure);
  }
}
