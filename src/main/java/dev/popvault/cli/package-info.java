/**
 * The command line (picocli): parses options, calls one core job per command, prints its summary
 * and maps failures to one line and an exit code. Thin by design; may use core and config, plus the
 * leaf settings types core needs.
 */
package dev.popvault.cli;
