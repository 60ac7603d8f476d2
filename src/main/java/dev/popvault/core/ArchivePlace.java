package dev.popvault.core;

import java.nio.file.Path;

/**
 * One place archived mail lives: an archive directory and its ledger, optionally narrowed to one
 * account of it (null: every account). The commands that read the archive back ({@code show},
 * {@code search}, {@code export}) look in each place the accounts file and the run settings name.
 */
public record ArchivePlace(Path archiveDir, Path ledger, String account) {}
