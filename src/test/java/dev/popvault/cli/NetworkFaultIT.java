package dev.popvault.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.popvault.testsupport.CliRun;
import dev.popvault.testsupport.Corpus;
import dev.popvault.testsupport.CorpusMessage;
import dev.popvault.testsupport.CuttingProxy;
import dev.popvault.testsupport.DovecotServer;
import dev.popvault.testsupport.LedgerProbe;
import dev.popvault.testsupport.PasswordFiles;
import dev.popvault.testsupport.Pop3Tap;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Network faults (issue 3 item 2): the connection is cut at byte offsets spread over a whole {@code
 * --delete} session, computed from a recorded clean session. The path is client → {@link
 * CuttingProxy} (plain POP3, cut by server→client byte count) → {@link Pop3Tap} (plain → TLS) →
 * Dovecot POP3S, so every offset lands at a known protocol point: mid-greeting, mid-auth, mid-UIDL,
 * mid-RETR, during DELE, right before the QUIT reply. After each cut: the ledger is intact, nothing
 * is gone from the server that the ledger lacks, verify passes, and a clean re-run leaves each
 * message archived exactly once and the server empty. A stalled server hits the read timeout and
 * the error names the stalled command.
 */
class NetworkFaultIT {
  private static final String PASSWORD = "net-pass";
  private static final int MESSAGES = 30;
  private static final int SLOTS = 40;
  private static final int BATCH = 5;
  // Dovecot's own greeting carries an APOP timestamp of varying length; a fixed one makes every
  // session byte-identical, so each offset cuts at exactly the protocol point it names.
  private static final String GREETING = "+OK popvault test greeting, Dovecot behind a tap.";
  private static final List<CorpusMessage> CORPUS = Corpus.bulk(11, MESSAGES, 1000);
  private static final Set<String> NAMES = new HashSet<>();
  private static final Set<String> MULTI_LINE = Set.of("CAPA", "UIDL", "LIST", "RETR", "TOP");

  private static DovecotServer dovecot;
  private static Path passwordFile;
  private static byte[] clean;
  private static List<String> cleanVerbs;
  private static final List<String> results = new ArrayList<>();

  @TempDir static Path serverDir;
  @TempDir static Path work;

  @BeforeAll
  static void start() throws Exception {
    DovecotServer.requireAvailable();
    CORPUS.forEach(m -> NAMES.add(m.name()));
    dovecot = DovecotServer.start(serverDir);
    dovecot.addUser("clean", PASSWORD);
    dovecot.addUser("stallretr", PASSWORD);
    dovecot.addUser("stalluidl", PASSWORD);
    dovecot.addUser("quitcut", PASSWORD);
    for (int i = 0; i < SLOTS; i++) {
      dovecot.addUser(user(i), PASSWORD);
    }
    passwordFile = work.resolve("password");
    PasswordFiles.write(passwordFile, PASSWORD + "\n");
    deliverAll("clean");
    try (Pop3Tap tap =
        Pop3Tap.start(dovecot.pop3sPort(), dovecot.caFile(), true).fixedGreeting(GREETING)) {
      CliRun run = archive("clean", tap.port(), work.resolve("archive-clean"));
      assertThat(run.exitCode()).as(run.describe()).isZero();
      clean = tap.serverTranscript();
      cleanVerbs = tap.verbs();
    }
    assertThat(dovecot.remainingMessages("clean")).isEmpty();
  }

  @AfterAll
  static void stop() throws Exception {
    if (dovecot != null) {
      dovecot.close();
    }
    if (!results.isEmpty()) {
      Path out =
          Path.of(System.getProperty("popvault.basedir", "."), "target", "network-faults.tsv");
      Files.createDirectories(out.getParent());
      Files.write(out, results);
      results.forEach(r -> System.out.println("[NetworkFaultIT] " + r));
    }
  }

  private static String user(int i) {
    return String.format(Locale.ROOT, "n%02d", i);
  }

  private static void deliverAll(String user) {
    for (CorpusMessage m : CORPUS) {
      dovecot.deliver(user, m.name(), m.content());
    }
  }

  private static CliRun archive(String user, int port, Path archiveDir, String... extra) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "archive",
                "pop3://" + user + "@127.0.0.1:" + port,
                // One mailbox behind proxies on changing ports: the same account by name.
                "--account",
                user + "@127.0.0.1",
                "--allow-plaintext",
                "--password-file",
                passwordFile.toString(),
                "--archive-dir",
                archiveDir.toString(),
                "--batch-size",
                Integer.toString(BATCH),
                "--delete"));
    args.addAll(List.of(extra));
    if (!args.contains("--timeout")) {
      args.addAll(List.of("--timeout", "5"));
    }
    return CliRun.of(args.toArray(String[]::new));
  }

  /** A reply in the clean transcript: which command, where it starts and ends. */
  private record Reply(String verb, int index, int start, int end) {}

  /** Splits the clean server transcript into the greeting and one reply per client line. */
  private static List<Reply> replies() {
    String text = new String(clean, StandardCharsets.ISO_8859_1);
    List<Reply> replies = new ArrayList<>();
    int pos = text.indexOf("\r\n") + 2;
    replies.add(new Reply("greeting", 1, 0, pos));
    Map<String, Integer> seen = new LinkedHashMap<>();
    for (String verb : cleanVerbs) {
      int index = seen.merge(verb, 1, Integer::sum);
      int lineEnd = text.indexOf("\r\n", pos) + 2;
      int end = lineEnd;
      if (MULTI_LINE.contains(verb) && text.startsWith("+OK", pos)) {
        end = text.indexOf("\r\n.\r\n", lineEnd - 2) + 5;
      }
      replies.add(new Reply(verb, index, pos, end));
      pos = end;
    }
    assertThat(pos).as("the transcript parses completely: %s", cleanVerbs).isEqualTo(clean.length);
    return replies;
  }

  private static Reply find(List<Reply> replies, String verb, int index) {
    return replies.stream()
        .filter(r -> r.verb().equals(verb) && r.index() == index)
        .findFirst()
        .orElseThrow(() -> new AssertionError("no " + verb + " #" + index + " in " + cleanVerbs));
  }

  /** Offsets (server→client bytes before the cut) and what each one cuts. */
  private static Map<Long, String> offsets() {
    List<Reply> replies = replies();
    Map<Long, String> cuts = new TreeMap<>();
    Reply greeting = find(replies, "greeting", 1);
    cuts.put(0L, "before the greeting");
    cuts.put(1L, "mid-greeting");
    cuts.put((long) greeting.end() / 2, "mid-greeting");
    cuts.put((long) greeting.end() - 1, "greeting without its CRLF");
    for (Reply r : replies) {
      String what = r.verb() + " #" + r.index();
      switch (r.verb()) {
        case "CAPA", "AUTH", "USER", "PASS", "(continuation)", "LIST" -> {
          cuts.putIfAbsent((long) r.start(), "before the " + what + " reply");
          cuts.putIfAbsent((long) (r.start() + r.end()) / 2, "mid " + what + " (auth/plan)");
        }
        case "UIDL" -> {
          cuts.putIfAbsent((long) r.start() + 1, "start of " + what);
          cuts.putIfAbsent((long) (r.start() + r.end()) / 2, "mid-" + what);
          cuts.putIfAbsent((long) r.end() - 1, "end of " + what + " without its final LF");
        }
        default -> {
          // RETR, DELE and QUIT are handled below.
        }
      }
    }
    for (int k : new int[] {1, 3, 5, 6, 10, 11, 15, 20, 25, 30}) {
      Reply r = find(replies, "RETR", k);
      cuts.put((long) (r.start() + r.end()) / 2, "mid-RETR #" + k);
    }
    cuts.put((long) find(replies, "RETR", 6).start(), "after RETR #5 (batch 1 complete)");
    cuts.put((long) find(replies, "RETR", 30).end() - 3, "RETR #30 without its terminator");
    cuts.put((long) find(replies, "DELE", 1).start(), "before the first DELE reply");
    cuts.put((long) find(replies, "DELE", 1).start() + 5, "mid-DELE #1");
    cuts.put((long) find(replies, "DELE", 15).start() + 3, "mid-DELE #15");
    cuts.put((long) find(replies, "DELE", MESSAGES).end() - 1, "last DELE reply without LF");
    Reply quit = find(replies, "QUIT", 1);
    cuts.put((long) quit.start(), "before the QUIT reply");
    cuts.put((long) quit.start() + 3, "mid QUIT reply");
    cuts.put((long) clean.length, "after the whole session");
    return cuts;
  }

  /** Returns how many messages a run cut after {@code offset} server bytes must have committed. */
  private static long expectedCommitted(long offset) {
    long complete =
        replies().stream().filter(r -> r.verb().equals("RETR") && r.end() <= offset).count();
    return complete == MESSAGES ? MESSAGES : complete / BATCH * BATCH;
  }

  private static void assertSafe(String user, Path archiveDir, String context) {
    Path ledger = archiveDir.resolve("ledger.db");
    Set<String> gone = new HashSet<>(NAMES);
    dovecot.remainingMessages(user).forEach(gone::remove);
    if (Files.exists(ledger)) {
      assertThat(LedgerProbe.column(ledger, "PRAGMA integrity_check")).containsExactly("ok");
      assertThat(LedgerProbe.column(ledger, "select uidl from message"))
          .as(context + ": every message gone from the server is in the ledger")
          .containsAll(gone);
      CliRun verify = CliRun.of("verify", "--archive-dir", archiveDir.toString());
      assertThat(verify.exitCode()).as(context + ": " + verify.describe()).isZero();
    } else {
      assertThat(gone).as(context + ": nothing deleted without a ledger").isEmpty();
    }
  }

  private static void completeAndCheck(String user, Path archiveDir, String context) {
    CliRun rerun =
        CliRun.of(
            "archive",
            "pop3://" + user + "@127.0.0.1:" + dovecot.pop3Port(),
            "--account",
            user + "@127.0.0.1",
            "--ca-file",
            dovecot.caFile().toString(),
            "--password-file",
            passwordFile.toString(),
            "--archive-dir",
            archiveDir.toString(),
            "--delete");
    assertThat(rerun.exitCode()).as(context + ": clean re-run " + rerun.describe()).isZero();
    Path ledger = archiveDir.resolve("ledger.db");
    assertThat(LedgerProbe.column(ledger, "select uidl from message"))
        .as(context + ": exactly once")
        .hasSize(MESSAGES)
        .containsExactlyInAnyOrderElementsOf(NAMES);
    CliRun verify = CliRun.of("verify", "--archive-dir", archiveDir.toString());
    assertThat(verify.exitCode()).as(context + ": " + verify.describe()).isZero();
    assertThat(dovecot.remainingMessages(user)).as(context + ": server emptied").isEmpty();
  }

  @Test
  void aCutAtAnyOfThirtyOffsetsLosesNothingAndTheNextRunCompletesExactlyOnce() throws Exception {
    Map<Long, String> cuts = offsets();
    assertThat(cuts)
        .as("offsets %s", cuts)
        .hasSizeGreaterThanOrEqualTo(30)
        .hasSizeLessThanOrEqualTo(SLOTS);
    Map<Integer, Integer> exitCodes = new TreeMap<>();
    int slot = 0;
    for (Map.Entry<Long, String> cut : cuts.entrySet()) {
      String user = user(slot++);
      String context =
          "cut after " + cut.getKey() + " of " + clean.length + " bytes (" + cut.getValue() + ")";
      deliverAll(user);
      Path archiveDir = work.resolve("archive-" + user);
      CliRun run;
      try (Pop3Tap tap =
              Pop3Tap.start(dovecot.pop3sPort(), dovecot.caFile()).fixedGreeting(GREETING);
          CuttingProxy proxy = CuttingProxy.cutAfter(tap.port(), cut.getKey())) {
        run = archive(user, proxy.port(), archiveDir);
      }
      // A cut loses the connection (75); only a cut after the whole session may succeed.
      if (cut.getKey() < clean.length) {
        assertThat(run.exitCode()).as(context + ": " + run.describe()).isEqualTo(75);
        assertThat(run.err()).as(context).contains("connection");
      } else {
        assertThat(run.exitCode()).as(context + ": " + run.describe()).isIn(0, 75);
      }
      Path ledger = archiveDir.resolve("ledger.db");
      if (Files.exists(ledger) && run.exitCode() != 0) {
        // M2/QUIT rule: without a QUIT +OK nothing is marked deleted, whatever the server did.
        assertThat(
                LedgerProbe.number(
                    ledger, "select count(*) from message where deleted_at is not null"))
            .as(context)
            .isZero();
      }
      if (Files.exists(ledger)) {
        // M4, exactly: every batch whose messages all arrived before the cut is committed, and
        // nothing else is.
        assertThat(LedgerProbe.number(ledger, "select count(*) from message"))
            .as(context + ": committed messages " + run.describe())
            .isEqualTo(expectedCommitted(cut.getKey()));
      }
      exitCodes.merge(run.exitCode(), 1, Integer::sum);
      int remaining = dovecot.remainingMessages(user).size();
      results.add(
          String.format(
              Locale.ROOT,
              "%6d/%d\t%-40s exit %d\tcommitted %s\tserver %d\t%s",
              cut.getKey(),
              clean.length,
              cut.getValue(),
              run.exitCode(),
              Files.exists(ledger)
                  ? LedgerProbe.number(ledger, "select count(*) from message")
                  : "-",
              remaining,
              run.err().trim()));
      assertSafe(user, archiveDir, context);
      completeAndCheck(user, archiveDir, context);
    }
    results.add("exit codes: " + exitCodes);
  }

  @Test
  void aCutBeforeTheQuitReplyLeavesNoDeletedAtAndTheNextRunCopes() throws Exception {
    String user = "quitcut";
    deliverAll(user);
    Path archiveDir = work.resolve("archive-" + user);
    CliRun run;
    try (Pop3Tap tap =
        Pop3Tap.start(dovecot.pop3sPort(), dovecot.caFile())
            .at("QUIT", 1, Pop3Tap.Action.CUT_REPLY)) {
      run = archive(user, tap.port(), archiveDir);
      assertThat(tap.fired()).isTrue();
    }
    assertThat(run.exitCode()).as(run.describe()).isEqualTo(75);
    assertThat(run.err()).contains("QUIT");
    Path ledger = archiveDir.resolve("ledger.db");
    assertThat(LedgerProbe.number(ledger, "select count(*) from message")).isEqualTo(MESSAGES);
    assertThat(
            LedgerProbe.number(ledger, "select count(*) from message where deleted_at is not null"))
        .as("no QUIT +OK seen: nothing marked")
        .isZero();
    // Dovecot processed the QUIT: the messages are gone although the ledger does not say so.
    assertThat(dovecot.remainingMessages(user)).isEmpty();
    results.add(
        "QUIT reply cut by the tap: exit 75, server deleted " + MESSAGES + ", deleted_at 0");
    assertSafe(user, archiveDir, "QUIT reply cut");
    completeAndCheck(user, archiveDir, "after a QUIT reply cut");
  }

  private void stall(String user, String verb, int index, int extra) throws Exception {
    deliverAll(user);
    Path archiveDir = work.resolve("archive-" + user);
    long offset = find(replies(), verb, index).start() + extra;
    CliRun run;
    long start = System.nanoTime();
    try (Pop3Tap tap =
            Pop3Tap.start(dovecot.pop3sPort(), dovecot.caFile()).fixedGreeting(GREETING);
        CuttingProxy proxy = CuttingProxy.stallAfter(tap.port(), offset)) {
      run = archive(user, proxy.port(), archiveDir, "--timeout", "1");
    }
    long millis = (System.nanoTime() - start) / 1_000_000;
    assertThat(run.exitCode()).as(run.describe()).isEqualTo(75);
    assertThat(run.err())
        .as(run.describe())
        .contains("did not answer " + verb)
        .contains("within 1");
    assertThat(millis).as("the read timeout ends the run").isLessThan(20_000);
    results.add(
        "stall in " + verb + " #" + index + ": exit 75 in " + millis + " ms: " + run.err().trim());
    assertThat(dovecot.remainingMessages(user)).hasSize(MESSAGES);
    assertSafe(user, archiveDir, "stall in " + verb);
    completeAndCheck(user, archiveDir, "after a stall in " + verb);
  }

  @Test
  void aStalledRetrHitsTheReadTimeoutAndNamesTheCommand() throws Exception {
    stall("stallretr", "RETR", 12, 40);
  }

  @Test
  void aStalledUidlHitsTheReadTimeoutAndNamesTheCommand() throws Exception {
    stall("stalluidl", "UIDL", 1, 10);
  }
}
