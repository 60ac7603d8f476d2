package dev.popvault.core;

import dev.popvault.config.ConfigException;
import dev.popvault.config.ImapUrl;
import dev.popvault.config.PasswordSource;
import dev.popvault.imap.ImapException;
import dev.popvault.imap.ImapUploader;
import dev.popvault.ledger.CatalogEntry;
import dev.popvault.ledger.Ledger;
import dev.popvault.ledger.LedgerException;
import dev.popvault.pop3.Pop3Exception;
import dev.popvault.pop3.TlsTrust;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Date;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The {@code upload} use case: copies the archived messages a query selects to an IMAP folder, each
 * exactly once. Each message is first read back from the archive into a private spool file (checked
 * against its SHA-256; a damaged copy is never uploaded), then the ledger records the upload as
 * 'appending' (committed), then the APPEND is sent with the spool's exact bytes, the Date header as
 * INTERNALDATE (else when it was archived), and then the ledger records it 'done' with the server's
 * APPENDUID. A crash anywhere in between leaves 'appending': the next run looks for the message in
 * the folder (Message-ID, then size and SHA-256) and appends it only if it is not there. A message
 * whose bytes are already in the folder from another account is not sent twice.
 */
public final class UploadMessages {
  /** Where to upload and how to log in there. */
  public record Destination(
      ImapUrl url,
      TlsTrust trust,
      boolean allowPlaintext,
      PasswordSource secret,
      boolean oauth,
      Duration connectTimeout,
      Duration timeout) {}

  /** How long a password or token command may run. */
  private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(60);

  /**
   * Builds the destination from what the command line gives: the URL, trust (CA file or pin),
   * whether plaintext is allowed, the password sources or token command, the auth method ({@code
   * auto}/{@code user}/{@code plain} log in with a password; {@code xoauth2} and {@code
   * oauthbearer} with an OAuth2 token over XOAUTH2), and timeouts in seconds.
   *
   * @throws PopvaultException 64 for a malformed URL or contradictory options
   */
  public static Destination destination(
      String url,
      Path caFile,
      String fingerprint,
      boolean allowPlaintext,
      Path passwordFile,
      String passwordCommand,
      String tokenCommand,
      String auth,
      long connectTimeoutSeconds,
      long timeoutSeconds) {
    try {
      ImapUrl parsed = ImapUrl.parse(url);
      boolean oauth = "xoauth2".equals(auth) || "oauthbearer".equals(auth);
      if (oauth && tokenCommand == null) {
        throw new PopvaultException(ExitCode.USAGE, "--auth " + auth + " needs --token-command");
      }
      if (!oauth && tokenCommand != null) {
        throw new PopvaultException(
            ExitCode.USAGE, "--token-command needs --auth xoauth2 (or oauthbearer)");
      }
      PasswordSource secret =
          oauth
              ? PasswordSource.tokenCommand(tokenCommand, COMMAND_TIMEOUT)
              : PasswordSource.choose(
                  null,
                  passwordFile,
                  passwordCommand,
                  COMMAND_TIMEOUT,
                  System.getenv(),
                  System.console(),
                  PasswordSource.promptFor(parsed.user(), parsed.host(), null));
      TlsTrust trust;
      try {
        trust = new TlsTrust(caFile, fingerprint);
      } catch (IllegalArgumentException e) {
        throw new PopvaultException(ExitCode.USAGE, e.getMessage());
      }
      return new Destination(
          parsed,
          trust,
          allowPlaintext,
          secret,
          oauth,
          Duration.ofSeconds(connectTimeoutSeconds),
          Duration.ofSeconds(timeoutSeconds));
    } catch (ConfigException e) {
      throw new PopvaultException(ExitCode.USAGE, e.getMessage(), e);
    }
  }

  /** One message placed: where it came from and where it went (uid null without UIDPLUS). */
  public record Placed(String account, String uidl, String folder, Long uid, boolean found) {}

  /** What an upload did. */
  public record Report(
      int selected,
      int uploaded,
      int found,
      int alreadyThere,
      int sameBytes,
      long bytes,
      List<Placed> placed,
      List<String> damaged,
      List<String> refused) {}

  private UploadMessages() {}

  /** Passes a message through to the spool and notes whether it holds a NUL byte on the way. */
  private static final class NulWatch extends java.io.FilterInputStream {
    boolean sawNul;

    NulWatch(InputStream in) {
      super(in);
    }

    @Override
    public int read() throws IOException {
      int b = in.read();
      sawNul |= b == 0;
      return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      int n = in.read(b, off, len);
      for (int i = off; i < off + n && !sawNul; i++) {
        sawNul = b[i] == 0;
      }
      return n;
    }
  }

  /**
   * Uploads what {@code query} selects in {@code places} to {@code to}; with {@code dryRun} only
   * says what it would upload, without connecting.
   */
  public static Report upload(
      List<ArchivePlace> places,
      CatalogQuery query,
      Destination to,
      boolean seen,
      boolean dryRun,
      ProgressListener progress,
      Consumer<String> notices,
      Clock clock) {
    CatalogSearch.Result found =
        CatalogSearch.find(places, query, null, Integer.MAX_VALUE, notices);
    String destination = to.url().canonical();
    Map<ArchivePlace, List<CatalogSearch.Hit>> byPlace = new LinkedHashMap<>();
    for (CatalogSearch.Hit h : found.hits()) {
      byPlace.computeIfAbsent(h.place(), p -> new ArrayList<>()).add(h);
    }
    Run run = new Run(to, destination, seen, dryRun, progress, notices, clock);
    run.selected = found.hits().size();
    try {
      for (Map.Entry<ArchivePlace, List<CatalogSearch.Hit>> place : byPlace.entrySet()) {
        run.place(place.getKey(), place.getValue());
      }
    } catch (LedgerException | ImapException e) {
      throw Failures.translate(e);
    } catch (IOException e) {
      throw Failures.ofIo(e);
    } finally {
      run.close();
      progress.finished();
    }
    return new Report(
        run.selected,
        run.uploaded,
        run.found,
        run.alreadyThere,
        run.sameBytes,
        run.bytes,
        run.placed,
        run.damaged,
        run.refused);
  }

  /** The state of one upload run across places; holds the IMAP session once it is opened. */
  private static final class Run {
    private final Destination to;
    private final String destination;
    private final boolean seen;
    private final boolean dryRun;
    private final ProgressListener progress;
    private final Consumer<String> notices;
    private final Clock clock;
    private ImapUploader uploader;
    private Long uidValidity;
    int selected;
    int uploaded;
    int found;
    int alreadyThere;
    int sameBytes;
    long bytes;
    final List<Placed> placed = new ArrayList<>();
    final List<String> damaged = new ArrayList<>();
    final List<String> refused = new ArrayList<>();

    Run(
        Destination to,
        String destination,
        boolean seen,
        boolean dryRun,
        ProgressListener progress,
        Consumer<String> notices,
        Clock clock) {
      this.to = to;
      this.destination = destination;
      this.seen = seen;
      this.dryRun = dryRun;
      this.progress = progress;
      this.notices = notices;
      this.clock = clock;
    }

    void place(ArchivePlace place, List<CatalogSearch.Hit> hits)
        throws LedgerException, ImapException, IOException {
      try (Ledger ledger = Ledger.open(place.ledger())) {
        Map<Long, String> states = ledger.uploadStates(destination);
        Set<String> digests = ledger.uploadedDigests(destination);
        HexFormat hex = HexFormat.of();
        List<CatalogEntry> todo = new ArrayList<>();
        long todoBytes = 0;
        for (CatalogSearch.Hit h : hits) {
          CatalogEntry e = h.entry();
          if ("done".equals(states.get(e.id()))) {
            alreadyThere++;
          } else if (digests.contains(hex.formatHex(e.stored().sha256()))) {
            // The same bytes went there from another account: one copy is enough.
            sameBytes++;
            if (!dryRun) {
              ledger.finishUpload(e.id(), destination, null, null, clock.instant());
            }
          } else {
            todo.add(e);
            todoBytes += e.stored().wireLength();
            digests.add(hex.formatHex(e.stored().sha256()));
          }
        }
        if (dryRun) {
          for (CatalogEntry e : todo) {
            placed.add(
                new Placed(
                    e.stored().account(), e.stored().uidl(), to.url().folder(), null, false));
          }
          return;
        }
        if (todo.isEmpty()) {
          return;
        }
        progress.planned(todo.size(), todoBytes);
        connect();
        Path spool = spoolIn(place.archiveDir());
        try {
          ArchivedReads.forEach(
              place.archiveDir(),
              todo,
              (entry, encoded, frame) -> {
                boolean nul;
                try (NulWatch in = new NulWatch(frame.message(encoded))) {
                  Files.copy(in, spool, StandardCopyOption.REPLACE_EXISTING);
                  nul = in.sawNul;
                }
                send(ledger, entry, spool, states.get(entry.id()), nul);
              },
              (entry, why) ->
                  damaged.add(entry.stored().account() + " " + entry.stored().uidl() + ": " + why));
        } finally {
          Files.deleteIfExists(spool);
        }
      }
    }

    /** Uploads one message whose verified bytes are in {@code spool}. */
    private void send(Ledger ledger, CatalogEntry entry, Path spool, String state, boolean holdsNul)
        throws IOException {
      long size = entry.stored().wireLength();
      Date internalDate =
          new Date(
              entry.dateMillis() != null ? entry.dateMillis() : entry.archivedAt().toEpochMilli());
      try {
        if ("appending".equals(state)) {
          // An earlier run was stopped between recording the upload and hearing the server confirm
          // it: the message may be there already.
          Long uid =
              uploader.find(
                  entry.stored().messageId(), size, entry.stored().sha256(), internalDate);
          if (uid != null) {
            ledger.finishUpload(entry.id(), destination, uidValidity, uid, clock.instant());
            placed.add(placed(entry, uid, true));
            found++;
            progress.archived(size);
            return;
          }
        }
        if (holdsNul) {
          notices.accept(
              entry.stored().account()
                  + " "
                  + entry.stored().uidl()
                  + ": the message holds NUL bytes, which IMAP cannot give back without its BINARY"
                  + " extension; the server may show them altered (the archive keeps them)");
        }
        ledger.beginUpload(entry.id(), destination, clock.instant());
        ImapUploader.Placed where;
        try (InputStream in = Files.newInputStream(spool)) {
          where = uploader.append(in, size, internalDate, seen);
        }
        ledger.finishUpload(
            entry.id(), destination, where.uidValidity(), where.uid(), clock.instant());
        placed.add(placed(entry, where.uid(), false));
        uploaded++;
        bytes += size;
        progress.archived(size);
      } catch (ImapException e) {
        if (e.kind() != ImapException.Kind.REFUSED) {
          // The connection or the login is gone: stop here; the ledger says what is done, and the
          // next run goes on from there.
          throw Failures.translate(e);
        }
        refused.add(entry.stored().account() + " " + entry.stored().uidl() + ": " + e.getMessage());
      } catch (LedgerException e) {
        throw Failures.translate(e);
      }
    }

    private Placed placed(CatalogEntry entry, Long uid, boolean wasFound) {
      return new Placed(
          entry.stored().account(), entry.stored().uidl(), to.url().folder(), uid, wasFound);
    }

    private void connect() throws ImapException, IOException {
      if (uploader != null) {
        return;
      }
      char[] secret;
      try {
        secret = to.secret().read();
      } catch (ConfigException e) {
        throw Failures.translate(e);
      }
      try {
        ImapUploader.Connection c =
            new ImapUploader.Connection(
                to.url().implicitTls(),
                to.url().host(),
                to.url().port(),
                to.url().user(),
                to.allowPlaintext(),
                to.trust().socketFactory(),
                !to.trust().pinned(),
                to.connectTimeout(),
                to.timeout());
        uploader =
            ImapUploader.open(
                c,
                secret,
                to.oauth(),
                to.url().folder(),
                () -> notices.accept("created folder " + to.url().folder()));
      } catch (Pop3Exception e) {
        throw Failures.translate(e);
      } finally {
        Arrays.fill(secret, '\0');
      }
      uidValidity = uploader.uidValidity();
    }

    /** A private spool file inside the archive directory: mail never goes to a shared /tmp. */
    private static Path spoolIn(Path archiveDir) throws IOException {
      return Files.createTempFile(
          archiveDir,
          ".popvault-upload-",
          ".spool",
          PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    }

    void close() {
      if (uploader != null) {
        uploader.close();
      }
    }
  }
}
