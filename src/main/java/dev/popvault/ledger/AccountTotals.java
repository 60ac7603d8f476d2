package dev.popvault.ledger;

import java.time.Instant;

/**
 * What the ledger holds for one account, summed.
 *
 * @param messages messages archived (every archived copy counts once)
 * @param wireBytes their sizes as the server sent them
 * @param deleted of those, messages the server confirmed deleted
 * @param lost messages whose only copy was damaged after they left the server
 * @param unarchivedDeleted messages {@code delete --unarchived-too} removed without a copy here
 * @param files archive files
 * @param firstArchived when the account's first message was archived, or null
 * @param lastLogin the last login to the server, or null
 */
public record AccountTotals(
    long messages,
    long wireBytes,
    long deleted,
    long lost,
    long unarchivedDeleted,
    long files,
    Instant firstArchived,
    Instant lastLogin) {}
