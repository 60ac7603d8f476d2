package dev.popvault.ledger;

import java.time.Instant;

/**
 * One archived message as the catalog knows it: where it is and its header fields (untrusted text,
 * any of them may be null), for {@code search} and {@code export}.
 *
 * @param id the message row's id, for {@link Ledger#recordAddresses}
 * @param dateMillis the Date header as epoch milliseconds, or null when absent or unreadable
 * @param cataloged whether To and Cc were read (else the back-fill has yet to read them)
 */
public record CatalogEntry(
    long id,
    StoredMessage stored,
    String date,
    Long dateMillis,
    String from,
    String to,
    String cc,
    String subject,
    Instant archivedAt,
    boolean cataloged) {}
