/**
 * Writes and reads the mail archive: mboxrd encoding and decoding, the compression codecs,
 * append-only archive files made of independent compressed frames, verify-by-reread after every
 * frame, and readers that give back each message's original bytes.
 *
 * <p>Exactness is the contract of this package: {@link
 * dev.popvault.archive.ArchiveReader#openMessage} returns, byte for byte, what {@link
 * dev.popvault.archive.FrameWriter#append} was given, and checks its length and SHA-256 while doing
 * so. Bytes read back from an archive file are untrusted: decoders bound every read by the lengths
 * the caller recorded and report malformed data as {@link
 * dev.popvault.archive.ArchiveCorruptException}, never as a crash.
 *
 * <p>Every write below the archive directory goes through {@link dev.popvault.archive.ArchiveRoot}
 * (M9): no symbolic link leads it outside, directories are 0700 and files 0600; refusals are {@link
 * dev.popvault.archive.UnsafePathException}.
 *
 * <p>Memory does not grow with message or mailbox size: messages are streamed through fixed
 * buffers.
 *
 * <p>This package must not depend on any other popvault package ({@code pop3}, {@code ledger},
 * {@code core}, {@code cli}, {@code config}); {@code core} composes it with them. It uses only the
 * JDK, commons-compress, zstd-jni and org.tukaani:xz.
 */
package dev.popvault.archive;
