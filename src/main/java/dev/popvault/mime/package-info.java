/**
 * Extracts catalog fields (Message-ID, Date, From, Subject) from message headers with jakarta.mail.
 * Depends on nothing else of popvault; never alters message bytes.
 */
package dev.popvault.mime;
