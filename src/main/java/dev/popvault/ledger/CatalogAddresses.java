package dev.popvault.ledger;

/** The To and Cc headers read back from one archived message (either may be null). */
public record CatalogAddresses(long messageRowId, String to, String cc) {}
