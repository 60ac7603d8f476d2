package dev.popvault.ledger;

/**
 * What {@link Ledger#search} looks for; every part that is not null must hold.
 *
 * @param match an FTS5 query over the header columns {@code from_addr}, {@code to_addr}, {@code
 *     cc_addr}, {@code subject}, {@code message_id}
 * @param fromMillis the Date header at or after this instant (undated messages never match)
 * @param untilMillis the Date header before this instant
 * @param account the account's name
 * @param uidl the message's UIDL
 * @param messageId the Message-ID, exact, with its angle brackets
 */
public record CatalogFilter(
    String match,
    Long fromMillis,
    Long untilMillis,
    String account,
    String uidl,
    String messageId) {}
