/**
 * Speaks POP3 to one server: transport, TLS (implicit and STLS), CAPA, authentication (USER/PASS,
 * APOP, SASL PLAIN, XOAUTH2), STAT/LIST/UIDL/TOP/RETR/DELE/RSET/NOOP/QUIT and RFC 2449 pipelining.
 *
 * <p>Contracts that hold for everything in this package:
 *
 * <ul>
 *   <li>Every byte from the server is untrusted: lines are bounded, listings are validated (UIDL
 *       per RFC 1939 §7, duplicates, ranges, sizes) and anything malformed is a {@link
 *       dev.popvault.pop3.Pop3Exception.Kind#PROTOCOL} error, never a crash or unbounded memory.
 *   <li>Message bodies are streamed; memory does not grow with message or mailbox size.
 *   <li>Passwords and tokens never reach exception messages or the {@link
 *       dev.popvault.pop3.Pop3Log}: what the client sends is logged with the secret replaced; what
 *       the server sends is quoted as sent (sanitised), or withheld whole when it repeats the
 *       secret, never partly masked.
 *   <li>UTF-8 mode (RFC 6856) is enabled whenever the server offers it, before any RETR, so that a
 *       server cannot hand over a stand-in for a message with UTF-8 headers.
 *   <li>A {@code -ERR} reply's response code (RFC 2449, RFC 3206) travels in the exception as a
 *       {@link dev.popvault.pop3.ResponseCode}; mapping it to an exit code is {@code core}'s job.
 *   <li>TLS is strict by default and a password is never sent in clear text unless the caller
 *       allowed it explicitly; an offered STLS is always used.
 *   <li>Deletions are committed by the server only on a {@code +OK} to QUIT; {@link
 *       dev.popvault.pop3.Pop3Client#quit()} reports anything else as a failure.
 * </ul>
 *
 * <p>This package must not depend on any other popvault package ({@code archive}, {@code ledger},
 * {@code core}, {@code config}, {@code cli}); {@code core} composes it with the others.
 */
package dev.popvault.pop3;
