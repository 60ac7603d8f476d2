package dev.popvault.core;

import dev.popvault.pop3.Listing;
import dev.popvault.pop3.Pop3Client;
import java.io.IOException;
import java.util.concurrent.Callable;

/**
 * Opens the POP3 session (connect, log in, list the mailbox) on a thread of its own while the run
 * opens the ledger and recovers archive files: the two take about as long, and a run that finds
 * nothing new is mostly these two. Nothing is sent that changes the mailbox: DELE comes only after
 * {@link #await}, from the run's own thread.
 *
 * <p>{@link #close} never blocks: a session that arrives after it (or was never taken) is closed
 * without QUIT, so the server discards it.
 */
final class SessionOpener implements AutoCloseable {
  /** A logged-in session and the mailbox listing it obtained. */
  record Session(Pop3Client client, Listing listing) {}

  private Session session;
  private Throwable failure;
  private boolean done;
  private boolean taken;
  private boolean closed;

  private SessionOpener() {}

  /** Starts {@code open} on a new daemon thread. */
  static SessionOpener start(Callable<Session> open) {
    SessionOpener opener = new SessionOpener();
    Thread thread = new Thread(() -> opener.run(open), "popvault-connect");
    thread.setDaemon(true);
    thread.start();
    return opener;
  }

  private void run(Callable<Session> open) {
    Session opened = null;
    Throwable failed = null;
    try {
      opened = open.call();
    } catch (Throwable e) {
      failed = e;
    }
    synchronized (this) {
      if (closed) {
        if (opened != null) {
          opened.client().close();
        }
        return;
      }
      session = opened;
      failure = failed;
      done = true;
      notifyAll();
    }
  }

  /**
   * Waits for the session; the caller owns (and closes) its client from then on.
   *
   * @throws IOException or the unchecked exception that opening the session threw
   */
  synchronized Session await() throws IOException {
    boolean interrupted = false;
    try {
      while (!done) {
        try {
          wait();
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
    taken = true;
    if (failure != null) {
      Failures.rethrow(failure, "opening the POP3 session failed");
    }
    return session;
  }

  /** Closes a session nobody took, now or when it arrives. */
  @Override
  public synchronized void close() {
    closed = true;
    if (done && !taken && session != null) {
      session.client().close();
    }
  }
}
