package dev.popvault.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import picocli.codegen.docgen.manpage.ManPageGenerator;

/**
 * Writes the AsciiDoc that the man pages of src/main/man include (synopsis, options, arguments,
 * commands), generated from the command model. A build step, run by exec:java at prepare-package
 * from the test classes (so it is not in the runtime jar): {@code ManPageSources OUTDIR}.
 *
 * <p>picocli writes a parameter label such as {@code N[:UIDL]} as {@code _N[:UIDL]_}, which
 * Asciidoctor reads as an attribute list in front of italic text and so swallows part of the
 * synopsis; the brackets inside labels are written as {@code {startsb}}/{@code {endsb}} instead,
 * which Asciidoctor turns back into brackets after it has found the italics.
 */
public final class ManPageSources {
  private static final Pattern BRACKETED_LABEL = Pattern.compile("_([^_\\s\\[]*)\\[([^]_\\s]*)]");

  private ManPageSources() {}

  public static void main(String[] args) throws IOException {
    if (args.length != 1) {
      throw new IllegalArgumentException("usage: ManPageSources OUTDIR");
    }
    Path outdir = Path.of(args[0]);
    Files.createDirectories(outdir);
    int status =
        ManPageGenerator.generateManPage(
            outdir.toFile(), null, new boolean[0], false, Main.newCommandLine().getCommandSpec());
    if (status != 0) {
      throw new IllegalStateException("picocli's man page generator exited " + status);
    }
    List<Path> pages;
    try (Stream<Path> files = Files.list(outdir)) {
      pages = files.filter(p -> p.toString().endsWith(".adoc")).toList();
    }
    for (Path page : pages) {
      String adoc = Files.readString(page, StandardCharsets.UTF_8);
      Files.writeString(page, escapeLabelBrackets(adoc), StandardCharsets.UTF_8);
    }
  }

  /** Replaces the square brackets inside italic labels ({@code _N[:UIDL]_}) by attributes. */
  static String escapeLabelBrackets(String adoc) {
    return BRACKETED_LABEL.matcher(adoc).replaceAll("_$1{startsb}$2{endsb}");
  }
}
