package dev.popvault.cli;

import dev.popvault.core.StopRequest;
import sun.misc.Signal;

/**
 * Turns SIGTERM and SIGINT into a clean stop: the first signal asks the run to commit what it
 * verified and exit (75, or 130 for Ctrl-C); a second one exits at once, which is still safe
 * because nothing uncommitted is ever trusted (the next run cuts it).
 */
final class Signals {
  private Signals() {}

  static StopRequest installStopHandlers() {
    StopRequest stop = new StopRequest();
    for (String name : new String[] {"TERM", "INT"}) {
      try {
        Signal.handle(
            new Signal(name),
            signal -> {
              if (stop.requested()) {
                Runtime.getRuntime().halt("INT".equals(name) ? 130 : 75);
              }
              stop.request(name);
            });
      } catch (IllegalArgumentException e) {
        // The signal is unavailable on this platform or reserved by the JVM: keep the default
        // behaviour.
      }
    }
    return stop;
  }
}
