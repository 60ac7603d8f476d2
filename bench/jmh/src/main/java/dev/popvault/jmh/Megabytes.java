package dev.popvault.jmh;

import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Counts input megabytes (10^6 bytes) processed; JMH reports the counter as a rate, so the
 * secondary result "megabytes" reads as MB/s of input, comparable across input sizes.
 */
@State(Scope.Thread)
@AuxCounters(AuxCounters.Type.OPERATIONS)
public class Megabytes {
  /** Megabytes of input processed in the current iteration. */
  public double megabytes;

  /** Resets the counter at each iteration; JMH does not. */
  @Setup(Level.Iteration)
  public void reset() {
    megabytes = 0;
  }
}
