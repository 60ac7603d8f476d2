package dev.popvault.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.util.GreenMailUtil;
import com.icegreen.greenmail.util.ServerSetup;
import com.icegreen.greenmail.util.ServerSetupTest;
import dev.popvault.testsupport.CliRun;
import dev.popvault.testsupport.DovecotServer;
import dev.popvault.testsupport.LedgerProbe;
import dev.popvault.testsupport.PasswordFiles;
import dev.popvault.testsupport.TestRequirements;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code popvault delete} against a real Dovecot: each selector alone and combined, {@code
 * --dry-run}, {@code --unarchived-too} with and without a terminal, the deletion gate's re-read of
 * damaged copies (M7), and what the server and the ledger hold afterwards. Each test has its own
 * mailbox: five messages archived (RFC 2047 headers, a big one, one without Date), then one more
 * that arrives and is not archived.
 */
class DeleteIT {
  private static final String PASSWORD = "dovecot-Pa55";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final AtomicInteger USERS = new AtomicInteger();
  private static DovecotServer dovecot;
  @TempDir static Path serverDir;
  @TempDir static Path work;

  @RegisterExtension
  static final GreenMailExtension greenMail =
      new GreenMailExtension(
          ServerSetup.dynamicPort(new ServerSetup[] {ServerSetupTest.SMTP, ServerSetupTest.POP3}));

  private static final int MAILBOXES = 16;

  @BeforeAll
  static void startDovecot() throws Exception {
    dovecot = DovecotServer.start(serverDir);
    PasswordFiles.write(work.resolve("pass"), PASSWORD + "\n");
    // All users at once: Dovecot notices a rewritten passwd-file only about once a second.
    for (int i = 1; i <= MAILBOXES; i++) {
      dovecot.addUser("del" + i, PASSWORD);
    }
    Thread.sleep(1100);
  }

  @AfterAll
  static void stopDovecot() {
    if (dovecot != null) {
      dovecot.close();
    }
  }

  /** A user whose mailbox holds the standard messages, five of them archived. */
  private record Mailbox(String user, Path archiveDir) {
    Path ledger() {
      return archiveDir.resolve("ledger.db");
    }

    CliRun run(String command, String... extra) {
      List<String> args =
          new ArrayList<>(
              List.of(
                  command,
                  "pop3://" + user + "@127.0.0.1:" + dovecot.pop3Port(),
                  "--ca-file",
                  dovecot.caFile().toString(),
                  "--password-file",
                  work.resolve("pass").toString(),
                  "--archive-dir",
                  archiveDir.toString()));
      args.addAll(List.of(extra));
      return CliRun.of(args.toArray(String[]::new));
    }

    List<String> onServer() {
      return dovecot.remainingMessages(user);
    }

    List<String> deletedInLedger() {
      return LedgerProbe.column(
          ledger(), "SELECT uidl FROM message WHERE deleted_at IS NOT NULL ORDER BY uidl");
    }

    Map<String, String> fates(CliRun run) throws Exception {
      assertThat(run.out()).as(run.describe()).startsWith("{");
      Map<String, String> fates = new HashMap<>();
      JSON.readTree(run.out())
          .get("messages")
          .forEach(m -> fates.put(m.get("uidl").asText(), m.get("fate").asText()));
      return fates;
    }
  }

  private static Mailbox mailbox() {
    String user = "del" + USERS.incrementAndGet();
    assertThat(USERS.get()).as("users made in startDovecot").isLessThanOrEqualTo(MAILBOXES);
    Mailbox box = new Mailbox(user, work.resolve(user));
    deliver(
        user,
        "small-2047",
        "From: =?ISO-8859-1?Q?J=F6rg_M=FCller?= <joerg@example.org>\r\n"
            + "Subject: =?UTF-8?B?R3LDvMOfZSBhdXMgS8O2bG4=?=\r\n"
            + "Date: Tue, 02 Jan 2024 10:00:00 +0100\r\n"
            + "\r\nHallo\r\n");
    deliver(
        user,
        "big",
        "From: Big Sender <big@example.org>\r\n"
            + "Subject: a big attachment\r\n"
            + "Date: Wed, 03 Jan 2024 12:00:00 +0000\r\n"
            + "\r\n"
            + "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\r\n"
                .repeat(40_000));
    deliver(
        user,
        "news",
        "From: Weekly <newsletter@example.com>\r\n"
            + "Subject: Weekly news\r\n"
            + "Date: Fri, 01 May 2020 07:00:00 +0000\r\n"
            + "\r\nunique-news-body-text\r\n");
    deliver(
        user,
        "recent",
        "From: Alice <alice@example.net>\r\n"
            + "Subject: lunch?\r\n"
            + "Date: "
            + DateTimeFormatter.RFC_1123_DATE_TIME.format(ZonedDateTime.now().minusDays(1))
            + "\r\n\r\nsoon\r\n");
    deliver(user, "no-date", "From: x@example.org\r\nSubject: undated\r\n\r\nno date here\r\n");
    CliRun archive = box.run("archive", "--codec", "none");
    assertThat(archive.exitCode()).as(archive.describe()).isZero();
    deliver(
        user,
        "late",
        "From: Weekly <newsletter@example.com>\r\n"
            + "Subject: Old weekly news\r\n"
            + "Date: Sat, 02 Feb 2019 07:00:00 +0000\r\n"
            + "\r\nlate\r\n");
    return box;
  }

  private static void deliver(String user, String uidl, String message) {
    dovecot.deliver(user, uidl, message.getBytes(StandardCharsets.UTF_8));
  }

  private static final List<String> ALL =
      List.of("big", "late", "news", "no-date", "recent", "small-2047");

  private static List<String> allBut(String... gone) {
    List<String> left = new ArrayList<>(ALL);
    left.removeAll(List.of(gone));
    return left;
  }

  @Test
  void largerThanDeletesOnlyTheBigArchivedMessageAndTheLedgerRecordsWhatQuitConfirmed()
      throws Exception {
    Mailbox box = mailbox();

    CliRun delete = box.run("delete", "--larger-than", "1M");

    assertThat(delete.exitCode()).as(delete.describe()).isZero();
    assertThat(delete.out()).contains("deleted 1 of 6 messages").contains("QUIT +OK");
    assertThat(box.onServer()).isEqualTo(allBut("big"));
    assertThat(box.deletedInLedger()).containsExactly("big");
    assertThat(
            LedgerProbe.column(
                box.ledger(),
                "SELECT kind || ' ' || outcome || ' ' || deleted_count FROM run"
                    + " WHERE kind = 'delete'"))
        .containsExactly("delete ok 1");
  }

  @Test
  void olderThanReadsTheDateHeaderLeavesUndatedMailAndKeepsWhatIsNotArchived() throws Exception {
    Mailbox box = mailbox();

    CliRun delete = box.run("delete", "--older-than", "2022-01-01", "--json");

    assertThat(delete.exitCode()).as(delete.describe()).isZero();
    // "late" (2019) is chosen but has no archived copy here: it stays.
    assertThat(box.fates(delete))
        .containsExactlyInAnyOrderEntriesOf(Map.of("news", "deleted", "late", "kept_unarchived"));
    assertThat(box.onServer()).isEqualTo(allBut("news"));
    assertThat(box.deletedInLedger()).containsExactly("news");
  }

  @Test
  void fromAndSubjectMatchTheDecodedHeadersIgnoringCaseAndCombineWithAnd() throws Exception {
    Mailbox box = mailbox();

    CliRun nothing = box.run("delete", "--from", "JÖRG", "--subject", "weekly");
    assertThat(nothing.exitCode()).as(nothing.describe()).isZero();
    assertThat(nothing.out()).contains("no message of 6 on the server matches");
    assertThat(box.onServer()).isEqualTo(ALL);

    CliRun both = box.run("delete", "--from", "JÖRG", "--subject", "KÖLN");
    assertThat(both.exitCode()).as(both.describe()).isZero();
    assertThat(box.onServer()).isEqualTo(allBut("small-2047"));
    assertThat(box.deletedInLedger()).containsExactly("small-2047");
  }

  @Test
  void threeSelectorsTogetherChooseOnlyWhatEachOfThemAccepts() throws Exception {
    Mailbox box = mailbox();

    CliRun delete =
        box.run(
            "delete",
            "--from",
            "newsletter@",
            "--older-than",
            "2y",
            "--larger-than",
            "10",
            "--json");

    assertThat(delete.exitCode()).as(delete.describe()).isZero();
    assertThat(box.fates(delete))
        .containsExactlyInAnyOrderEntriesOf(Map.of("news", "deleted", "late", "kept_unarchived"));
    JsonNode total = JSON.readTree(delete.out()).get("total");
    assertThat(total.get("listed").asInt()).isEqualTo(6);
    assertThat(total.get("chosen").asInt()).isEqualTo(2);
    assertThat(total.get("deleted").asInt()).isEqualTo(1);
    assertThat(box.onServer()).isEqualTo(allBut("news"));
  }

  @Test
  void archivedBeforeCountsFromWhenEachMessageWasFirstArchivedHere() throws Exception {
    Mailbox box = mailbox();
    LedgerProbe.execute(
        box.ledger(),
        "UPDATE message SET archived_at = archived_at - 40 * 86400000 WHERE uidl = 'recent'");

    CliRun delete = box.run("delete", "--archived-before", "30d");

    assertThat(delete.exitCode()).as(delete.describe()).isZero();
    assertThat(box.onServer()).isEqualTo(allBut("recent"));
    assertThat(box.deletedInLedger()).containsExactly("recent");
  }

  @Test
  void uidlAndNumberNameMessagesAndANumberThatNowNamesAnotherMessageIsRefused() throws Exception {
    Mailbox box = mailbox();
    CliRun list = box.run("list", "--json");
    assertThat(list.exitCode()).as(list.describe()).isZero();
    Map<String, Integer> numbers = new HashMap<>();
    JSON.readTree(list.out())
        .get("messages")
        .forEach(m -> numbers.put(m.get("uidl").asText(), m.get("number").asInt()));
    int big = numbers.get("big");

    CliRun changed = box.run("delete", "--number", big + ":news");
    assertThat(changed.exitCode()).as(changed.describe()).isEqualTo(65);
    assertThat(changed.err()).contains("message " + big + " now has UIDL big, not news");
    CliRun missing = box.run("delete", "--number", "99");
    assertThat(missing.exitCode()).as(missing.describe()).isEqualTo(65);
    assertThat(box.onServer()).isEqualTo(ALL);

    CliRun delete = box.run("delete", "--number", big + ":big", "--uidl", "no-date");

    assertThat(delete.exitCode()).as(delete.describe()).isZero();
    assertThat(box.onServer()).isEqualTo(allBut("big", "no-date"));
    assertThat(box.deletedInLedger()).containsExactly("big", "no-date");
  }

  @Test
  void dryRunShowsWhatWouldGoAndChangesNothingOnTheServerOnDiskOrInTheLedger() throws Exception {
    Mailbox box = mailbox();
    Map<Path, String> before = files(box.archiveDir());

    CliRun dry = box.run("delete", "--all", "--unarchived-too", "--dry-run", "--json");

    assertThat(dry.exitCode()).as(dry.describe()).isZero();
    Map<String, String> fates = box.fates(dry);
    assertThat(fates).hasSize(6).containsEntry("late", "deleted_unarchived");
    assertThat(fates).containsEntry("big", "deleted");
    assertThat(JSON.readTree(dry.out()).get("dry_run").asBoolean()).isTrue();
    assertThat(box.onServer()).isEqualTo(ALL);
    assertThat(box.deletedInLedger()).isEmpty();
    assertThat(LedgerProbe.number(box.ledger(), "SELECT count(*) FROM run WHERE kind = 'delete'"))
        .isZero();
    assertThat(files(box.archiveDir())).containsExactlyInAnyOrderEntriesOf(before);
  }

  @Test
  void unarchivedTooWithoutATerminalNeedsYesAndTheLedgerRecordsTheUnarchivedDeletion()
      throws Exception {
    Mailbox box = mailbox();

    CliRun refused = box.run("delete", "--uidl", "late", "--uidl", "news", "--unarchived-too");
    assertThat(refused.exitCode()).as(refused.describe()).isEqualTo(64);
    assertThat(refused.err()).contains("no terminal").contains("--yes");
    assertThat(box.onServer()).isEqualTo(ALL);

    CliRun yes = box.run("delete", "--uidl", "late", "--uidl", "news", "--unarchived-too", "--yes");

    assertThat(yes.exitCode()).as(yes.describe()).isZero();
    assertThat(yes.out()).contains("deleted 2 of 6").contains("1 of them not archived here");
    assertThat(box.onServer()).isEqualTo(allBut("late", "news"));
    assertThat(box.deletedInLedger()).containsExactly("news");
    assertThat(LedgerProbe.column(box.ledger(), "SELECT uidl FROM unarchived_deletion"))
        .containsExactly("late");
  }

  @Test
  void unarchivedTooOnATerminalListsThemAndDeletesOnlyAfterYes() throws Exception {
    TestRequirements.requireCommands("script");
    Mailbox box = mailbox();

    String declined = onTerminal(box, "no");
    assertThat(declined).contains("no archived copy here").contains("late");
    assertThat(declined).contains("not confirmed; nothing was deleted");
    assertThat(box.onServer()).isEqualTo(ALL);

    String confirmed = onTerminal(box, "yes");
    assertThat(confirmed).contains("deleted 1 of 6");
    assertThat(box.onServer()).isEqualTo(allBut("late"));
    assertThat(LedgerProbe.column(box.ledger(), "SELECT uidl FROM unarchived_deletion"))
        .containsExactly("late");
  }

  /** Runs the real launcher on a pseudo-terminal ({@code script}) and answers its question. */
  private static String onTerminal(Mailbox box, String answer) throws Exception {
    String launcher =
        Path.of(System.getProperty("popvault.basedir", "."), "bin", "popvault").toString();
    String command =
        String.join(
            " ",
            launcher,
            "delete",
            "pop3://" + box.user() + "@127.0.0.1:" + dovecot.pop3Port(),
            "--ca-file",
            dovecot.caFile().toString(),
            "--password-file",
            work.resolve("pass").toString(),
            "--archive-dir",
            box.archiveDir().toString(),
            "--uidl",
            "late",
            "--unarchived-too");
    Path log = work.resolve(box.user() + "-" + answer + ".log");
    Process p =
        new ProcessBuilder("script", "-qec", command, "/dev/null")
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    try (OutputStream in = p.getOutputStream()) {
      in.write((answer + "\n").getBytes(StandardCharsets.UTF_8));
      in.flush();
      assertThat(p.waitFor(60, TimeUnit.SECONDS)).as(Files.readString(log)).isTrue();
    }
    String out = Files.readString(log);
    assertThat(p.exitValue()).as(out).isZero();
    return out;
  }

  @Test
  void m7_aDamagedCopyIsFetchedAgainAndVerifiedBeforeTheMessageIsDeleted() throws Exception {
    Mailbox box = mailbox();
    Path mbox = archiveFile(box);
    byte[] bytes = Files.readAllBytes(mbox);
    int at = indexOf(bytes, "unique-news-body-text".getBytes(StandardCharsets.US_ASCII));
    assertThat(at).isPositive();
    bytes[at] = 'X';
    Files.write(mbox, bytes);

    CliRun delete = box.run("delete", "--uidl", "news");

    assertThat(delete.exitCode()).as(delete.describe()).isZero();
    assertThat(box.onServer()).isEqualTo(allBut("news"));
    // The archive holds the server's bytes again: the whole account verifies.
    CliRun verify = CliRun.of("verify", "--archive-dir", box.archiveDir().toString());
    assertThat(verify.exitCode()).as(verify.describe()).isZero();
    assertThat(Files.readString(archiveFile(box), StandardCharsets.ISO_8859_1))
        .contains("unique-news-body-text");
  }

  @Test
  void m5_aMissingArchiveFileRefusesEveryDeletion() throws Exception {
    Mailbox box = mailbox();
    Files.delete(archiveFile(box));

    CliRun delete = box.run("delete", "--all");

    assertThat(delete.exitCode()).as(delete.describe()).isEqualTo(65);
    assertThat(delete.err()).contains("is missing").contains("refusing to delete");
    assertThat(box.onServer()).isEqualTo(ALL);
  }

  @Test
  void withoutASelectorNothingIsDeletedAndTheUsageErrorSaysHowToChoose() {
    Mailbox box = mailbox();

    CliRun bare = box.run("delete");
    CliRun both = box.run("delete", "--all", "--uidl", "news");
    CliRun badSize = box.run("delete", "--larger-than", "10 parsecs");

    assertThat(bare.exitCode()).as(bare.describe()).isEqualTo(64);
    assertThat(bare.err()).contains("--all");
    assertThat(both.exitCode()).as(both.describe()).isEqualTo(64);
    assertThat(badSize.exitCode()).as(badSize.describe()).isEqualTo(64);
    assertThat(badSize.err()).contains("--larger-than").contains("not a size");
    assertThat(box.onServer()).isEqualTo(ALL);
  }

  @Test
  void aServerWithoutTopCannotBeAskedForHeadersAndDeletesNothing() throws Exception {
    greenMail
        .setUser("notop@example.test", "notop", "notop-pw")
        .deliver(
            GreenMailUtil.createTextEmail(
                "notop@example.test",
                "x@example.test",
                "hello",
                "body\r\n",
                greenMail.getSmtp().getServerSetup()));
    Path dir = work.resolve("notop");
    Path pass = work.resolve("notop-pass");
    PasswordFiles.write(pass, "notop-pw\n");
    String url = "pop3://notop@127.0.0.1:" + greenMail.getPop3().getPort();
    CliRun archive =
        CliRun.of(
            "archive",
            url,
            "--allow-plaintext",
            "--password-file",
            pass.toString(),
            "--archive-dir",
            dir.toString());
    assertThat(archive.exitCode()).as(archive.describe()).isZero();

    CliRun delete =
        CliRun.of(
            "delete",
            url,
            "--allow-plaintext",
            "--password-file",
            pass.toString(),
            "--archive-dir",
            dir.toString(),
            "--from",
            "x");

    assertThat(delete.exitCode()).as(delete.describe()).isEqualTo(69);
    assertThat(delete.err()).contains("does not offer TOP").contains("nothing was deleted");
    assertThat(greenMail.getReceivedMessages()).hasSize(1);
  }

  private static Path archiveFile(Mailbox box) throws Exception {
    try (Stream<Path> files = Files.walk(box.archiveDir())) {
      return files
          .filter(p -> p.getFileName().toString().endsWith(".mbox"))
          .findFirst()
          .orElseThrow();
    }
  }

  private static Map<Path, String> files(Path dir) {
    Map<Path, String> all = new HashMap<>();
    try (Stream<Path> files = Files.walk(dir)) {
      // The archive files: the ledger and the lock files are checked through the ledger.
      for (Path p : (Iterable<Path>) files.filter(f -> f.toString().endsWith(".mbox"))::iterator) {
        all.put(dir.relativize(p), new String(Files.readAllBytes(p), StandardCharsets.ISO_8859_1));
      }
    } catch (Exception e) {
      throw new AssertionError(e);
    }
    return all;
  }

  private static int indexOf(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }
}
