package dev.popvault.core;

import dev.popvault.archive.ArchiveFile;
import dev.popvault.archive.ArchiveLayout;
import dev.popvault.archive.ArchiveRoot;
import dev.popvault.archive.Codec;
import dev.popvault.archive.EncodedMessage;
import dev.popvault.archive.Frame;
import dev.popvault.archive.FrameWriter;
import dev.popvault.ledger.ArchiveFileRow;
import dev.popvault.ledger.Ledger;
import dev.popvault.ledger.MessageRow;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.function.Consumer;

/**
 * The frame pipeline's store over an account's archive files: the file for each month (by {@link
 * ArchiveLayout}), its ledger row created before its first byte (so recovery knows it), frames
 * appended through the archive root (M9) and committed to the ledger under this run.
 */
final class ArchiveFrames implements FramePipeline.Store, AutoCloseable {
  private final ArchiveRoot root;
  private final Ledger ledger;
  private final long accountId;
  private final long runId;
  private final String dirName;
  private final Codec codec;
  private final Consumer<String> notices;
  private final Consumer<String> info;
  private ArchiveFile file;
  private ArchiveFileRow fileRow;

  ArchiveFrames(
      ArchiveRoot root,
      Ledger ledger,
      long accountId,
      long runId,
      String dirName,
      Codec codec,
      Consumer<String> notices,
      Consumer<String> info) {
    this.root = root;
    this.ledger = ledger;
    this.accountId = accountId;
    this.runId = runId;
    this.dirName = dirName;
    this.codec = codec;
    this.notices = notices;
    this.info = info;
  }

  @Override
  public boolean switchesFileAt(Instant now) {
    return fileRow == null || !fileRow.relativePath().equals(relativeFileFor(now).toString());
  }

  @Override
  public FramePipeline.OpenFrame begin(Instant now) throws IOException {
    if (switchesFileAt(now)) {
      open(relativeFileFor(now));
    }
    return new Writing(file.beginFrame(), fileRow);
  }

  private Path relativeFileFor(Instant now) {
    return ArchiveLayout.relativeFileFor(dirName, codec, now);
  }

  private void open(Path relativePath) throws IOException {
    close();
    // M9: a link leading outside is refused before the ledger learns of the file.
    root.file(relativePath);
    // The row exists (committed length 0) before the file gets its first byte.
    fileRow = ledger.archiveFile(accountId, relativePath.toString(), codec.cliName());
    file = ArchiveFile.openForAppend(root, relativePath, codec, fileRow.committedLength());
    if (file.truncatedBytes() > 0) {
      notices.accept("cut " + file.truncatedBytes() + " uncommitted bytes from " + file.path());
    }
  }

  /** Closes the current file; the pipeline has settled its frames first. */
  @Override
  public void close() throws IOException {
    if (file != null) {
      ArchiveFile closing = file;
      file = null;
      closing.close();
    }
  }

  /** A frame of the current file, committed under its file row. */
  private final class Writing implements FramePipeline.OpenFrame {
    private final FrameWriter frame;
    private final ArchiveFileRow row;

    Writing(FrameWriter frame, ArchiveFileRow row) {
      this.frame = frame;
      this.row = row;
    }

    @Override
    public EncodedMessage append(InputStream body, Instant receivedAt) throws IOException {
      return frame.append(body, receivedAt);
    }

    @Override
    public void finish() throws IOException {
      frame.finish();
    }

    @Override
    public Frame verify() throws IOException {
      return frame.verify();
    }

    @Override
    public void commit(Frame verified, List<MessageRow> rows) throws IOException {
      ledger.commitFrame(row.id(), runId, verified.offset(), verified.length(), rows);
      info.accept(
          "committed "
              + rows.size()
              + " messages: frame at offset "
              + verified.offset()
              + " ("
              + verified.length()
              + " bytes) of "
              + row.relativePath());
    }

    @Override
    public void abort() throws IOException {
      frame.abort();
    }
  }
}
