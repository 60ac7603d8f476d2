package dev.popvault.ledger;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * Describes a verified rewrite of one archive file, to be recorded by {@link Ledger#replaceFile} in
 * one transaction: which frames were copied where, which new frames hold fresh copies of the
 * messages of the dropped (damaged) frames, and which messages could not be recovered at all.
 *
 * @param fileId the archive file being rewritten
 * @param runId the run that made the fresh frames
 * @param replacement relative path of the rewritten file, waiting to be renamed over the file
 * @param aside relative path where the damaged original is kept, or null if there is none
 * @param newLength length of the rewritten file: its committed length after the rename
 * @param verifiedAt when every frame of the rewritten file was read back intact
 * @param kept frames copied unchanged, in file order, with their new offsets
 * @param added new frames, in file order, after the kept ones
 * @param lost messages of dropped frames that have no fresh copy; they move to the lost list
 */
public record FileReplacement(
    long fileId,
    long runId,
    String replacement,
    String aside,
    long newLength,
    Instant verifiedAt,
    List<KeptFrame> kept,
    List<AddedFrame> added,
    List<MessageKey> lost) {
  /** Copies the lists and checks the paths. */
  public FileReplacement {
    ArchiveFileRow.checkRelativePath(replacement);
    if (aside != null) {
      ArchiveFileRow.checkRelativePath(aside);
    }
    Objects.requireNonNull(verifiedAt, "verifiedAt");
    kept = List.copyOf(kept);
    added = List.copyOf(added);
    lost = List.copyOf(lost);
  }

  /** A committed frame copied byte for byte to {@code newOffset} of the rewritten file. */
  public record KeptFrame(long frameId, long newOffset) {}

  /** A new frame of the rewritten file and the messages it holds, in frame order. */
  public record AddedFrame(long offset, long length, List<RepairedMessage> messages) {
    /** Copies the list. */
    public AddedFrame {
      messages = List.copyOf(messages);
    }
  }

  /**
   * A message of a dropped frame, now stored again: {@code oldSha256} identifies its ledger row
   * (with the UIDL and size of {@code fresh}); {@code fresh} says where the new copy lies and what
   * it hashes to (the server's copy may differ from the damaged one). Null catalog fields in {@code
   * fresh} keep the recorded ones; its archive and deletion times are ignored (the recorded ones
   * stay).
   */
  public record RepairedMessage(byte[] oldSha256, MessageRow fresh) {
    /** Copies the digest. */
    public RepairedMessage {
      oldSha256 = Sha256.copyOf(oldSha256);
      Objects.requireNonNull(fresh, "fresh");
    }
  }

  /** Identifies one ledger message row of an account. */
  public record MessageKey(String uidl, long listSize, byte[] sha256) {
    /** Copies the digest. */
    public MessageKey {
      new ArchivedKey(uidl, listSize);
      sha256 = Sha256.copyOf(sha256);
    }
  }
}
