package dev.popvault.core;

import dev.popvault.archive.Codec;
import dev.popvault.archive.EncodedMessage;
import dev.popvault.archive.FrameMessages;
import dev.popvault.ledger.CatalogEntry;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The {@code export} use case: writes the messages a search found to an mbox file (plain or
 * compressed), a Maildir, or one {@code .eml} file per message. Every message is checked against
 * its SHA-256 as it is read, and only a message that read back whole is written: a damaged copy is
 * reported, never exported in part. Files are created 0600 and directories 0700 (mail is private);
 * nothing that exists is overwritten.
 */
public final class ExportMessages {
  /** Where the messages go. */
  public enum Format {
    /** One mbox file in mboxrd form (the archive's own form), compressed by the chosen codec. */
    MBOX,
    /** A Maildir: each message the exact bytes the server sent, in {@code new/}. */
    MAILDIR,
    /** A directory of {@code ACCOUNT-UIDL.eml} files, each the exact bytes the server sent. */
    EML
  }

  /**
   * What an export did: messages written, those already at the destination (Maildir, .eml) under
   * the same name, their bytes, and the ones not written because their copy did not read back.
   */
  public record Report(long written, long present, long bytes, List<String> damaged) {}

  private ExportMessages() {}

  /**
   * Exports {@code hits}; for {@link Format#MBOX} {@code target} is a file that must not exist,
   * compressed by the codec named {@code codecName} (null: the one its suffix names, else none);
   * else it is a directory (created if missing).
   *
   * @throws PopvaultException 64 for an unknown codec or an existing mbox file
   */
  public static Report export(
      List<CatalogSearch.Hit> hits,
      Format format,
      Path target,
      String codecName,
      Consumer<String> progress) {
    Codec codec = codec(codecName, target);
    try {
      Writer writer =
          switch (format) {
            case MBOX -> new MboxWriter(target, codec);
            case MAILDIR -> new DirectoryWriter(target, true);
            case EML -> new DirectoryWriter(target, false);
          };
      List<String> damaged = new ArrayList<>();
      try (writer) {
        Map<ArchivePlace, List<CatalogEntry>> byPlace = new LinkedHashMap<>();
        for (CatalogSearch.Hit h : hits) {
          byPlace.computeIfAbsent(h.place(), p -> new ArrayList<>()).add(h.entry());
        }
        int frames = 0;
        for (Map.Entry<ArchivePlace, List<CatalogEntry>> place : byPlace.entrySet()) {
          frames +=
              ArchivedReads.forEach(
                  place.getKey().archiveDir(),
                  place.getValue(),
                  writer::write,
                  (entry, why) ->
                      damaged.add(
                          entry.stored().account() + " " + entry.stored().uidl() + ": " + why));
        }
        writer.finish();
        progress.accept(
            "export: read " + hits.size() + " message(s) from " + frames + " archive frame(s)");
      }
      return new Report(writer.written, writer.present, writer.bytes, damaged);
    } catch (IOException e) {
      throw Failures.ofIo(e);
    }
  }

  private abstract static class Writer implements AutoCloseable {
    long written;
    long present;
    long bytes;

    abstract void write(CatalogEntry entry, EncodedMessage encoded, FrameMessages frame)
        throws IOException;

    void finish() throws IOException {}

    @Override
    public void close() throws IOException {}
  }

  /**
   * Appends each message's stored form to one mbox file: first into a spool file beside it, and
   * only once it read back whole (SHA-256) from the spool to the mbox, so a damaged copy leaves no
   * part of itself behind.
   */
  private static final class MboxWriter extends Writer {
    private final Path target;
    private final Path spool;
    private final OutputStream out;

    MboxWriter(Path target, Codec codec) throws IOException {
      this.target = target;
      Path dir = target.toAbsolutePath().getParent();
      Files.createDirectories(dir);
      FileChannel channel;
      try {
        channel =
            FileChannel.open(
                target,
                java.util.Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      } catch (FileAlreadyExistsException e) {
        throw new PopvaultException(
            ExitCode.USAGE, target + " exists already; export writes a new mbox file");
      }
      this.out =
          codec.compressor(
              new java.io.BufferedOutputStream(Channels.newOutputStream(channel), 1 << 16));
      this.spool =
          Files.createTempFile(
              dir,
              ".popvault-export-",
              ".spool",
              PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    }

    @Override
    void write(CatalogEntry entry, EncodedMessage encoded, FrameMessages frame) throws IOException {
      try (InputStream in = frame.storedMessage(encoded)) {
        Files.copy(in, spool, StandardCopyOption.REPLACE_EXISTING);
      }
      Files.copy(spool, out);
      written++;
      bytes += encoded.wireLength();
    }

    @Override
    void finish() throws IOException {
      out.close();
      try (FileChannel c = FileChannel.open(target, StandardOpenOption.WRITE)) {
        c.force(true);
      }
    }

    @Override
    public void close() throws IOException {
      try {
        out.close();
      } finally {
        Files.deleteIfExists(spool);
      }
    }
  }

  /**
   * Writes each message's exact bytes to its own file: into a temporary name first, renamed into
   * place once it read back whole. Maildir: {@code tmp/} then {@code new/}; .eml: a hidden name in
   * the directory. A file of the same name is left alone and counted as already there.
   */
  private static final class DirectoryWriter extends Writer {
    private final Path dir;
    private final boolean maildir;

    DirectoryWriter(Path dir, boolean maildir) throws IOException {
      this.dir = dir;
      this.maildir = maildir;
      createPrivate(dir);
      if (maildir) {
        for (String sub : List.of("tmp", "new", "cur")) {
          createPrivate(dir.resolve(sub));
        }
      }
    }

    @Override
    void write(CatalogEntry entry, EncodedMessage encoded, FrameMessages frame) throws IOException {
      String name =
          maildir
              ? maildirName(entry)
              : safe(entry.stored().account()) + "-" + safe(entry.stored().uidl()) + ".eml";
      Path finalPath = maildir ? dir.resolve("new").resolve(name) : dir.resolve(name);
      if (Files.exists(finalPath) || maildir && seenInCur(name)) {
        present++;
        return;
      }
      Path temporary =
          maildir ? dir.resolve("tmp").resolve(name) : dir.resolve("." + name + ".tmp");
      try (InputStream in = frame.message(encoded);
          FileChannel channel =
              FileChannel.open(
                  temporary,
                  java.util.Set.of(
                      StandardOpenOption.CREATE,
                      StandardOpenOption.TRUNCATE_EXISTING,
                      StandardOpenOption.WRITE),
                  PosixFilePermissions.asFileAttribute(
                      PosixFilePermissions.fromString("rw-------")))) {
        in.transferTo(Channels.newOutputStream(channel));
        channel.force(true);
      } catch (IOException | RuntimeException e) {
        Files.deleteIfExists(temporary);
        throw e;
      }
      Files.move(temporary, finalPath, StandardCopyOption.ATOMIC_MOVE);
      written++;
      bytes += encoded.wireLength();
    }

    private boolean seenInCur(String name) throws IOException {
      try (var files = Files.newDirectoryStream(dir.resolve("cur"), name + "*")) {
        return files.iterator().hasNext();
      }
    }

    /** Stable across exports, so a second export of the same messages adds nothing. */
    private static String maildirName(CatalogEntry entry) {
      return entry.archivedAt().getEpochSecond()
          + "."
          + HexFormat.of().formatHex(entry.stored().sha256(), 0, 8)
          + ".popvault";
    }
  }

  private static Codec codec(String name, Path target) {
    if (name != null) {
      try {
        return Codec.parse(name);
      } catch (IllegalArgumentException e) {
        throw new PopvaultException(ExitCode.USAGE, e.getMessage());
      }
    }
    String file = target.getFileName() == null ? "" : target.getFileName().toString();
    for (Codec c : Codec.values()) {
      String suffix = c.fileSuffix().substring(".mbox".length());
      if (!suffix.isEmpty() && file.endsWith(suffix)) {
        return c;
      }
    }
    return Codec.NONE;
  }

  private static void createPrivate(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      Files.createDirectories(
          dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    }
  }

  /** A file-name-safe form of untrusted text (an account name or UIDL). */
  static String safe(String s) {
    StringBuilder b = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      b.append(
          c >= 'a' && c <= 'z'
                  || c >= 'A' && c <= 'Z'
                  || c >= '0' && c <= '9'
                  || "-_+@".indexOf(c) >= 0
                  || c == '.' && i > 0
              ? c
              : '_');
    }
    return b.toString();
  }
}
