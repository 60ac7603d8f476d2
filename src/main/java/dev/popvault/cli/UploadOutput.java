package dev.popvault.cli;

import dev.popvault.core.UploadMessages;
import java.io.PrintWriter;

/** Prints where an upload put each message, and what it did in all. */
final class UploadOutput {
  private UploadOutput() {}

  static void print(
      UploadMessages.Report r,
      boolean dryRun,
      PrintWriter out,
      PrintWriter err,
      CommonOptions common) {
    for (UploadMessages.Placed p : r.placed()) {
      out.println(
          p.account()
              + " "
              + p.uidl()
              + (dryRun ? " would go to " : " -> ")
              + p.folder()
              + (p.uid() == null ? "" : " UID " + p.uid())
              + (p.found() ? " (found there after an interrupted run)" : ""));
    }
    out.flush();
    for (String d : r.damaged()) {
      common.notice(err, "not uploaded (damaged copy; popvault verify --repair): " + d);
    }
    for (String refused : r.refused()) {
      common.notice(err, "not uploaded (the server refused it): " + refused);
    }
    common.notice(
        err,
        (dryRun ? "would upload " + r.placed().size() : "uploaded " + r.uploaded())
            + " of "
            + r.selected()
            + " selected message(s)"
            + (dryRun ? "" : " (" + ListingOutput.humanSize(r.bytes()) + ")")
            + (r.found() > 0 ? "; " + r.found() + " found there after an interrupted run" : "")
            + (r.alreadyThere() > 0 ? "; " + r.alreadyThere() + " uploaded before" : "")
            + (r.sameBytes() > 0
                ? "; " + r.sameBytes() + " already there from another account"
                : "")
            + (r.damaged().isEmpty() ? "" : "; " + r.damaged().size() + " damaged")
            + (r.refused().isEmpty() ? "" : "; " + r.refused().size() + " refused"));
  }
}
