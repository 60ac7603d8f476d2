package dev.popvault.core;

import dev.popvault.archive.ArchiveReader;
import dev.popvault.archive.Codec;
import dev.popvault.archive.EncodedMessage;
import dev.popvault.ledger.Ledger;
import dev.popvault.ledger.StoredMessage;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The {@code show} use case: writes one archived message, found by UIDL or Message-ID, exactly as
 * the server sent it (after dot-unstuffing, CRLF line ends as sent), decompressing only its frame
 * and checking its length and SHA-256 against the ledger as it is read; or in its stored (mboxrd)
 * form, checked the same way afterwards. Reads only: nothing is written but the output.
 */
public final class ShowMessage {
  private ShowMessage() {}

  /**
   * Finds the message and writes it to {@code out}.
   *
   * @param stored write the mboxrd form the archive holds instead of the server's bytes
   * @return the account and UIDL of the message written, for the caller's notices
   * @throws PopvaultException 64 when nothing or several different messages match, 65 when the
   *     archived copy does not read back intact (some bytes may have been written by then)
   */
  public static String write(
      List<ArchivePlace> places, String uidlOrMessageId, boolean stored, OutputStream out) {
    try {
      List<Found> found = new ArrayList<>();
      for (ArchivePlace place : places) {
        if (!Files.exists(place.ledger())) {
          continue;
        }
        try (Ledger ledger = Ledger.open(place.ledger())) {
          for (StoredMessage m : ledger.locate(uidlOrMessageId, place.account())) {
            found.add(new Found(place.archiveDir(), m));
          }
        }
      }
      Found chosen = choose(found, uidlOrMessageId);
      StoredMessage m = chosen.message();
      Path file = chosen.archiveDir().resolve(m.relativePath());
      Codec codec = Codec.parse(m.codec());
      EncodedMessage encoded =
          new EncodedMessage(
              m.offset(),
              m.encodedLength(),
              m.wireLength(),
              m.sha256(),
              m.rawFromLine(),
              m.noFinalNewline());
      if (stored) {
        try (InputStream in =
            ArchiveReader.openStored(file, codec, m.frameOffset(), m.frameLength(), encoded)) {
          in.transferTo(out);
        }
      }
      // The server's bytes, checked against the ledger's length and SHA-256 as they are read; for
      // the stored form the same read is the check.
      try (InputStream in =
          ArchiveReader.openMessage(file, codec, m.frameOffset(), m.frameLength(), encoded)) {
        in.transferTo(stored ? OutputStream.nullOutputStream() : out);
      }
      out.flush();
      return m.account() + " " + m.uidl();
    } catch (IOException e) {
      throw Failures.ofIo(e);
    } catch (RuntimeException e) {
      throw Failures.ofRuntime(e);
    }
  }

  private record Found(Path archiveDir, StoredMessage message) {}

  /** One message, or several copies of the same bytes; else the user must say which. */
  private static Found choose(List<Found> found, String wanted) {
    if (found.isEmpty()) {
      throw new PopvaultException(
          ExitCode.USAGE, "no archived message has the UIDL or Message-ID " + wanted);
    }
    Found first = found.get(0);
    for (Found f : found) {
      if (!Arrays.equals(f.message().sha256(), first.message().sha256())) {
        StringBuilder which = new StringBuilder();
        for (Found g : found) {
          which.append(which.length() == 0 ? "" : ", ").append(g.message().account());
          which.append(" ").append(g.message().uidl());
        }
        throw new PopvaultException(
            ExitCode.USAGE,
            wanted
                + " names "
                + found.size()
                + " different archived messages ("
                + which
                + "); give the account (--account) or the UIDL");
      }
    }
    return first;
  }
}
