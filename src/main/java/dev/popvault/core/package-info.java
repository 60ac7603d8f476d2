/**
 * Composes the leaves into popvault's jobs: the archive run (lock, recover, plan, fetch, verify,
 * commit, delete) and the verify audit, plus the one mapping from failures to exit codes. May use
 * pop3, archive, ledger, mime and config; never picocli or the terminal.
 */
package dev.popvault.core;
