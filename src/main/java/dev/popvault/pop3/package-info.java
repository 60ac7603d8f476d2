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
 *       dev.popvault.pop3.Pop3Log}.
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
