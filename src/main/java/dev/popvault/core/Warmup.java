package dev.popvault.core;

import dev.popvault.archive.ArchiveFile;
import dev.popvault.archive.ArchiveReader;
import dev.popvault.archive.Codec;
import dev.popvault.archive.EncodedMessage;
import dev.popvault.archive.Frame;
import dev.popvault.archive.FrameWriter;
import dev.popvault.ledger.Ledger;
import dev.popvault.mime.HeaderSummary;
import dev.popvault.pop3.TlsProvider;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.time.Instant;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * Exercises the code paths of a typical run (ledger with its native SQLite library, every codec,
 * TLS trust store, header parsing) in a throw-away directory, so that the build can record a
 * class-data-sharing archive of the classes a real run loads. Touches nothing outside {@code
 * scratch}.
 */
public final class Warmup {
  private Warmup() {}

  /** Runs the exercise inside {@code scratch}, which it deletes afterwards. */
  public static void exercise(Path scratch) throws IOException, GeneralSecurityException {
    try {
      try (Ledger ledger = Ledger.open(scratch.resolve("ledger.db"))) {
        long account = ledger.account("warmup", "localhost", 995, "warmup");
        ledger.archivedKeys(account);
      }
      byte[] message = "Subject: warmup\r\n\r\nFrom here\r\n".getBytes(StandardCharsets.US_ASCII);
      for (Codec codec : Codec.values()) {
        Path file = scratch.resolve("warmup" + codec.fileSuffix());
        Frame frame;
        try (ArchiveFile archive = ArchiveFile.openForAppend(file, codec, 0)) {
          FrameWriter writer = archive.beginFrame();
          writer.append(new ByteArrayInputStream(message), Instant.EPOCH);
          frame = writer.finishAndVerify();
        }
        EncodedMessage encoded = frame.messages().get(0);
        try (InputStream in =
            ArchiveReader.openMessage(file, codec, frame.offset(), frame.length(), encoded)) {
          in.readAllBytes();
        }
      }
      HeaderSummary.parse(message, message.length);
      TlsProvider.exercise();
    } finally {
      try (Stream<Path> files = Files.walk(scratch)) {
        for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(p);
        }
      }
    }
  }
}
