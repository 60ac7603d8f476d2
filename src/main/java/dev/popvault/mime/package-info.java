/**
 * Extracts catalog fields (Message-ID, Date, From, Subject) from message headers, decoding RFC 2047
 * encoded-words. Depends on nothing else of popvault; never alters message bytes.
 */
package dev.popvault.mime;
