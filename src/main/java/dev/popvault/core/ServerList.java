package dev.popvault.core;

import dev.popvault.ledger.ArchivedKey;
import dev.popvault.ledger.MailDates;
import dev.popvault.mime.HeaderSummary;
import dev.popvault.pop3.Pop3Client;
import dev.popvault.pop3.Pop3Log;
import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The {@code list} use case: what the server holds, without downloading it. One session lists UIDL
 * and LIST, reads each message's header section with {@code TOP n 0} through the pipelined command
 * window (RFC 1939: TOP marks nothing as seen), and joins what the ledger knows and what the
 * account's deletion policy makes due ({@link Retention}); then QUIT. Nothing is fetched, written
 * or deleted.
 *
 * <p>Memory: in server order the rows stream to the caller as the replies arrive; a sort holds one
 * small row per message (or only {@code limit} of them), never a message body (headers are read
 * through {@link MailboxHeaders}).
 */
public final class ServerList {
  /** What this machine knows of a listed message. */
  public enum State {
    /** Not in the ledger: the next archive run fetches it. */
    NEW,
    /** Not in the ledger and larger than the account's {@code max-size}: archive runs skip it. */
    TOO_BIG,
    /**
     * Not archived here, but another tool downloaded it ({@code popvault adopt}): archive runs do
     * not fetch it, and popvault never deletes it (M10).
     */
    ADOPTED,
    /** In the ledger: archived here (see {@link Row#archivedAt()}). */
    ARCHIVED,
    /**
     * Archived, and due for deletion by the account's policy ({@code delete}, {@code keep-days}):
     * the next archive run deletes it once its copy reads back intact (the deletion rule).
     */
    DUE
  }

  /** How rows are ordered. */
  public enum Order {
    NUMBER(Comparator.comparingInt(Row::number)),
    SIZE(Comparator.comparingLong(Row::size)),
    DATE(Comparator.comparing(Row::dateMillis, Comparator.nullsFirst(Comparator.naturalOrder()))),
    FROM(Comparator.comparing(Row::from, Comparator.nullsFirst(String.CASE_INSENSITIVE_ORDER))),
    SUBJECT(
        Comparator.comparing(Row::subject, Comparator.nullsFirst(String.CASE_INSENSITIVE_ORDER)));

    private final Comparator<Row> comparator;

    Order(Comparator<Row> comparator) {
      // Ties keep server order, so a listing sorts the same way every time.
      this.comparator = comparator.thenComparingInt(Row::number);
    }
  }

  /**
   * One listed message. The header fields are null when the server does not offer TOP or the
   * message lacks them; {@code dateMillis} is the Date header read as an instant (null when absent
   * or unreadable); {@code archivedAt} is when it was first archived here (null when new).
   */
  public record Row(
      int number,
      String uidl,
      long size,
      String date,
      Long dateMillis,
      String from,
      String subject,
      State state,
      Instant archivedAt) {}

  /**
   * What the session found, besides the rows: every listed message counted, whatever the limit.
   *
   * @param due how many of the archived ones are due for deletion (see {@link State#DUE})
   */
  public record Summary(
      String account, int messages, long bytes, int archived, int due, boolean headers) {}

  private final ArchiveSettings settings;
  private final Clock clock;
  private final Pop3Log log;
  private final Consumer<String> notices;
  private final Consumer<String> info;

  ServerList(
      ArchiveSettings settings,
      Clock clock,
      Pop3Log log,
      Consumer<String> notices,
      Consumer<String> info) {
    this.settings = settings;
    this.clock = clock;
    this.log = log;
    this.notices = notices;
    this.info = info;
  }

  /**
   * Lists the mailbox and hands the rows that {@code selection} names to {@code sink} in the asked
   * order; at most {@code limit} rows (all when {@code limit} is 0), the first ones of that order.
   * The summary counts every listed message, whatever the selection and limit.
   *
   * @param descending reverses the order
   * @throws PopvaultException for every failure the user can act on; anything else is a bug
   */
  public Summary run(
      Selection selection, Order order, boolean descending, int limit, Consumer<Row> sink) {
    if (limit < 0) {
      throw new IllegalArgumentException("limit must not be negative: " + limit);
    }
    try (MailboxSession mailbox = MailboxSession.open(settings, clock, log, notices, info)) {
      Map<ArchivedKey, Instant> archived = mailbox.ledger().firstArchived(mailbox.accountId());
      java.util.function.Predicate<String> adopted =
          mailbox.ledger().adoptedUidls(mailbox.accountId());
      MailboxSession.Connected session = mailbox.await();
      try (Pop3Client client = session.client()) {
        MailboxListing listing = session.listing();
        selection.checkNumbers(listing);
        boolean headers = MailboxHeaders.available(client);
        if (selection.needsHeaders() && !headers) {
          throw new PopvaultException(
              ExitCode.UNAVAILABLE,
              "the server does not offer TOP, so "
                  + String.join(" and ", selection.headerOptions())
                  + " cannot be checked");
        }
        Comparator<Row> comparator = descending ? order.comparator.reversed() : order.comparator;
        RowSink rows =
            order == Order.NUMBER && !descending
                ? new Streaming(sink, limit)
                : new Sorting(sink, limit, comparator);
        List<MailboxListing.Listed> wanted = new ArrayList<>();
        for (MailboxListing.Listed entry : listing.entries()) {
          if (selection.matchesListing(entry.number(), entry.key(), archived.get(entry.key()))) {
            wanted.add(entry);
          }
        }
        if (rows instanceof Streaming
            && !selection.needsHeaders()
            && limit > 0
            && wanted.size() > limit) {
          // In server order only the first rows are shown: only they need their headers.
          wanted = wanted.subList(0, limit);
        }
        int archivedCount = 0;
        long bytes = 0;
        for (MailboxListing.Listed entry : listing.entries()) {
          bytes += entry.key().listSize();
          if (archived.containsKey(entry.key())) {
            archivedCount++;
          }
        }
        Set<ArchivedKey> due =
            settings.delete()
                ? Retention.due(listing, archived, settings.keep(), clock.instant())
                : Set.of();
        Rows builder = new Rows(listing, archived, due, settings.limits(), adopted);
        if (headers) {
          List<Integer> numbers = new ArrayList<>(wanted.size());
          for (MailboxListing.Listed entry : wanted) {
            numbers.add(entry.number());
          }
          MailboxHeaders.read(
              client,
              numbers,
              (number, summary) -> {
                Row row = builder.row(number, summary);
                if (selection.matchesHeaders(summary, row.dateMillis())) {
                  rows.accept(row);
                }
              });
        } else {
          for (MailboxListing.Listed entry : wanted) {
            rows.accept(builder.row(entry.number(), HeaderSummary.empty()));
          }
        }
        client.quit();
        rows.finish();
        return new Summary(
            mailbox.accountName(), listing.size(), bytes, archivedCount, due.size(), headers);
      }
    } catch (IOException e) {
      throw Failures.ofIo(e);
    } catch (RuntimeException e) {
      throw Failures.ofRuntime(e);
    }
  }

  /** Turns a listed message and its headers into a row. */
  private static final class Rows {
    private final MailboxListing listing;
    private final Map<ArchivedKey, Instant> archived;
    private final Set<ArchivedKey> due;
    private final RunLimits limits;
    private final java.util.function.Predicate<String> adopted;
    // The ledger's own reading of Date, so that list and the catalog agree on every date.
    private final MailDates dates = new MailDates();

    Rows(
        MailboxListing listing,
        Map<ArchivedKey, Instant> archived,
        Set<ArchivedKey> due,
        RunLimits limits,
        java.util.function.Predicate<String> adopted) {
      this.listing = listing;
      this.archived = archived;
      this.due = due;
      this.limits = limits;
      this.adopted = adopted;
    }

    Row row(int number, HeaderSummary headers) {
      ArchivedKey key = listing.keyOf(number);
      Instant when = archived.get(key);
      return new Row(
          number,
          key.uidl(),
          key.listSize(),
          headers.date(),
          dates.epochMillis(headers.date()),
          headers.from(),
          headers.subject(),
          state(key, when),
          when);
    }

    private State state(ArchivedKey key, Instant when) {
      if (when == null && adopted.test(key.uidl())) {
        return State.ADOPTED;
      }
      if (when == null) {
        return limits.tooBig(key.listSize()) ? State.TOO_BIG : State.NEW;
      }
      return due.contains(key) ? State.DUE : State.ARCHIVED;
    }
  }

  private interface RowSink {
    void accept(Row row);

    void finish();
  }

  /** Server order: each row goes out as its TOP reply arrives. */
  private static final class Streaming implements RowSink {
    private final Consumer<Row> sink;
    private final int limit;
    private int sent;

    Streaming(Consumer<Row> sink, int limit) {
      this.sink = sink;
      this.limit = limit;
    }

    @Override
    public void accept(Row row) {
      if (limit == 0 || sent < limit) {
        sent++;
        sink.accept(row);
      }
    }

    @Override
    public void finish() {}
  }

  /** Another order: holds the rows (only the best {@code limit} when limited), then sends them. */
  private static final class Sorting implements RowSink {
    private final Consumer<Row> sink;
    private final int limit;
    private final Comparator<Row> order;
    // Limited: a heap whose head is the worst row kept, dropped when a better one arrives.
    private final PriorityQueue<Row> best;
    private final List<Row> all = new ArrayList<>();

    Sorting(Consumer<Row> sink, int limit, Comparator<Row> order) {
      this.sink = sink;
      this.limit = limit;
      this.order = order;
      this.best = limit > 0 ? new PriorityQueue<>(limit + 1, order.reversed()) : null;
    }

    @Override
    public void accept(Row row) {
      if (best == null) {
        all.add(row);
        return;
      }
      best.add(row);
      if (best.size() > limit) {
        best.poll();
      }
    }

    @Override
    public void finish() {
      List<Row> rows = best == null ? all : new ArrayList<>(best);
      rows.sort(order);
      rows.forEach(sink);
    }
  }
}
