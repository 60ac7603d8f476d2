/**
 * Our IMAP upload client on angus-mail's IMAP provider: log in (password or XOAUTH2) over TLS, open
 * or create a folder, APPEND exact bytes with a date and flags (UIDPLUS's APPENDUID when offered),
 * and find a message again by Message-ID, size and SHA-256 after a crash.
 */
package dev.popvault.imap;
