// Writes schema3.ledger with popvault at commit 8597efd (ledger schema 3); see README.md here.
// Every table gets rows; the Date headers cover a parsable one, a comment, an obsolete zone, the
// epoch, an unparsable one and none, so that migration 4's back-fill has something to do.
import dev.popvault.ledger.*;
import java.nio.file.*;
import java.time.Instant;
import java.util.List;

byte[] sha(String s) throws Exception {
  return java.security.MessageDigest.getInstance("SHA-256").digest(s.getBytes("UTF-8"));
}
NewMessage msg(String uidl, long size, long off, long len, long rawFrom, boolean noNl, String id,
    String date, String from, String subject, Instant at) throws Exception {
  return new NewMessage(uidl, size, len + 3, sha(uidl + size), off, len, rawFrom, noNl, id, date,
      from, subject, at);
}
Instant t0 = Instant.parse("2024-01-02T03:04:05.678Z");
Path out = Path.of(System.getProperty("out"));
Files.deleteIfExists(out);
try (Ledger l = Ledger.open(out)) {
  long alice = l.createAccount("alice", "pop.example.org", 995, "alice");
  long bob = l.createAccount("bob", "mail.example.net", 110, "bob@example.net");
  long r1 = l.beginRun(alice, t0);
  ArchiveFileRow fa = l.archiveFile(alice, "alice/2024/2024-01.mbox.zst", "zst");
  l.commitFrame(fa.id(), r1, 0, 100, List.of(
      msg("a1", 1000, 0, 40, -1, false, "<a1@example.org>", "Tue, 3 Jun 2008 11:05:30 +0200 (CEST)",
          "Ann <ann@example.org>", "Hello", t0),
      msg("a2", 2000, 40, 50, 3, true, "<a2@example.org>", "3 Jun 08 11:05 EST", "=?utf-8?q?B=C3=A9a?=",
          "Grüße", t0.plusMillis(1))));
  l.commitFrame(fa.id(), r1, 100, 60, List.of(
      msg("a3", 3000, 0, 30, -1, false, null, "not a date", null, null, t0.plusSeconds(1))));
  l.commitFrame(fa.id(), r1, 160, 70, List.of(
      msg("a4", 4000, 0, 20, -1, false, "<a4@example.org>", "Thu, 01 Jan 1970 00:00:00 -0000",
          "c@example.org", "Epoch", t0.plusSeconds(2)),
      msg("a5", 5000, 20, 25, -1, false, "<a5@example.org>", null, "d@example.org", "No date",
          t0.plusSeconds(2))));
  l.endRun(r1, new RunOutcome(t0.plusSeconds(3), "ok", 0, 5, 0, 0, 230, null));
  l.markDeleted(alice, List.of(new ArchivedKey("a1", 1000), new ArchivedKey("a3", 3000)),
      t0.plusSeconds(4));
  long r2 = l.beginRun(alice, t0.plusSeconds(60));
  l.markVerified(List.of(1L), t0.plusSeconds(61));
  // Frame 3 was damaged and a4/a5 are gone from the server: a5 is repaired into a new frame, a4 is
  // lost. The rename of the rewrite is left pending, so replacement and aside stay set.
  l.replaceFile(new FileReplacement(fa.id(), r2, "alice/2024/2024-01.mbox.zst.new",
      "alice/2024/2024-01.mbox.zst.damaged-20240102T030505Z", 205, t0.plusSeconds(62),
      List.of(new FileReplacement.KeptFrame(1, 0), new FileReplacement.KeptFrame(2, 100)),
      List.of(new FileReplacement.AddedFrame(160, 45, List.of(new FileReplacement.RepairedMessage(
          sha("a55000"), msg("a5", 5000, 0, 25, -1, false, null, "Fri, 05 Jan 2024 10:00:00 GMT",
          null, null, t0))))),
      List.of(new FileReplacement.MessageKey("a4", 4000, sha("a44000")))), t0.plusSeconds(63));
  l.endRun(r2, new RunOutcome(t0.plusSeconds(64), "failed", 65, 0, 0, 0, 0, "1 message lost"));
  long r3 = l.beginRun(bob, t0.plusSeconds(120));
  ArchiveFileRow fb = l.archiveFile(bob, "bob/2024/2024-01.mbox.xz", "xz");
  l.archiveFile(bob, "bob/2024/2024-02.mbox.xz", "xz");
  l.commitFrame(fb.id(), r3, 0, 90, List.of(
      msg("b1", 100, 0, 60, -1, false, "<b1@example.net>", "Mon, 1 Jan 2024 00:00:00 GMT",
          "Eve <eve@example.net>", "Bob's mail", t0.plusSeconds(121)),
      msg("b2", 200, 60, 10, -1, false, null, null, null, null, t0.plusSeconds(121)),
      msg("b3", 300, 70, 5, -1, true, "<b3@example.net>", "Thu, 01 Jan 1970 00:00:00 -0000",
          "Old <old@example.net>", "Epoch", t0.plusSeconds(121))));
  l.beginRename(bob, "robert", "bob", "robert");
  // Run r3 is left without an end, as a killed run is.
}
System.out.println("wrote " + out);
/exit
