package dev.popvault.testsupport;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;

/**
 * A disk that does not give back what was written, for testing verify-by-re-read (M1, M4) without a
 * hook in the product. When a {@link FakeMailbox} receives the trigger command, it waits until the
 * ledger has committed at least {@code afterCommitted} messages, then swaps every archive file of
 * the ledger: the path is atomically given a new file holding only the file's committed bytes,
 * while popvault's open channel keeps writing to the replaced one. Every later write still
 * "succeeds"; the re-read of a frame written since finds it missing. Fires once.
 */
public final class LyingDisk implements FakeMailbox.CommandObserver {
  private final String trigger;
  private final Path archiveDir;
  private final long afterCommitted;
  private volatile boolean fired;

  private LyingDisk(String trigger, Path archiveDir, long afterCommitted) {
    this.trigger = trigger;
    this.archiveDir = archiveDir;
    this.afterCommitted = afterCommitted;
  }

  /**
   * Lies from the moment the server receives {@code commandLine} (e.g. {@code "RETR 4"}), once the
   * ledger in {@code archiveDir} holds {@code afterCommitted} messages.
   */
  public static LyingDisk at(String commandLine, Path archiveDir, long afterCommitted) {
    return new LyingDisk(commandLine, archiveDir, afterCommitted);
  }

  /** Tells whether the swap happened. */
  public boolean fired() {
    return fired;
  }

  @Override
  public void before(String line, String uidl, long size) throws Exception {
    if (fired || !line.equals(trigger)) {
      return;
    }
    Path ledger = archiveDir.resolve("ledger.db");
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (LedgerProbe.number(ledger, "select count(*) from message") < afterCommitted) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("the ledger never held " + afterCommitted + " messages");
      }
      Thread.sleep(2);
    }
    List<String> rows =
        LedgerProbe.column(ledger, "select path || char(9) || committed_length from archive_file");
    for (String row : rows) {
      String[] parts = row.split("\t");
      swap(archiveDir.resolve(parts[0]), Long.parseLong(parts[1]));
    }
    fired = true;
  }

  /**
   * Atomically replaces {@code file} by a new file holding its first {@code committed} bytes: the
   * path never disappears, and popvault's open channel goes on writing to the replaced (now
   * nameless) file.
   */
  private static void swap(Path file, long committed) throws IOException {
    byte[] prefix;
    try (InputStream in = Files.newInputStream(file)) {
      prefix = in.readNBytes((int) committed);
    }
    Path fresh = file.resolveSibling(file.getFileName() + ".lie");
    Files.write(fresh, prefix);
    Files.setPosixFilePermissions(fresh, PosixFilePermissions.fromString("rw-------"));
    Files.move(fresh, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }
}
