package dev.popvault.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.util.GreenMailUtil;
import com.icegreen.greenmail.util.ServerSetup;
import com.icegreen.greenmail.util.ServerSetupTest;
import dev.popvault.testsupport.CliRun;
import dev.popvault.testsupport.Corpus;
import dev.popvault.testsupport.DovecotServer;
import dev.popvault.testsupport.LedgerProbe;
import dev.popvault.testsupport.PasswordFiles;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code popvault list} against a real Dovecot (TOP, pipelining, RFC 2047 headers, a big and small
 * messages) and GreenMail (no TOP): what it shows, and that it fetches, writes and deletes nothing.
 */
class ListIT {
  private static final String PASSWORD = "dovecot-Pa55";
  private static final String USER = "lister";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static DovecotServer dovecot;
  @TempDir static Path serverDir;
  @TempDir static Path work;
  private static Path archiveDir;
  private static final Map<String, byte[]> SENT = new HashMap<>();

  @RegisterExtension
  static final GreenMailExtension greenMail =
      new GreenMailExtension(
          ServerSetup.dynamicPort(new ServerSetup[] {ServerSetupTest.SMTP, ServerSetupTest.POP3}));

  @BeforeAll
  static void archiveThreeThenOneArrives() throws Exception {
    dovecot = DovecotServer.start(serverDir);
    dovecot.addUser(USER, PASSWORD);
    PasswordFiles.write(work.resolve("pass"), PASSWORD + "\n");
    archiveDir = work.resolve("archive");
    deliver(
        "small-2047",
        "From: =?ISO-8859-1?Q?J=F6rg_M=FCller?= <joerg@example.org>\r\n"
            + "Subject: =?UTF-8?B?R3LDvMOfZSBhdXMgS8O2bG4=?=\r\n"
            + "Date: Tue, 02 Jan 2024 10:00:00 +0100\r\n"
            + "\r\nHallo\r\n");
    deliver(
        "big",
        "From: Big Sender <big@example.org>\r\n"
            + "Subject: a big attachment\r\n"
            + "Date: Wed, 03 Jan 2024 12:00:00 +0000\r\n"
            + "\r\n"
            + "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\r\n"
                .repeat(50_000));
    deliver("no-date", "From: x@example.org\r\nSubject: undated\r\n\r\nno date here\r\n");
    CliRun first = run("archive");
    assertThat(first.exitCode()).as(first.describe()).isZero();
    deliver(
        "late",
        "From: \"Zoë\" <zoe@example.org>\r\n"
            + "Subject: =?UTF-8?Q?caf=C3=A9_au_lait?=\r\n"
            + "Date: Thu, 04 Jan 2024 08:30:00 -0500\r\n"
            + "\r\nlate\r\n");
  }

  @AfterAll
  static void stopDovecot() throws Exception {
    if (dovecot != null) {
      dovecot.close();
    }
  }

  private static void deliver(String uidl, String message) {
    byte[] bytes = message.getBytes(StandardCharsets.UTF_8);
    SENT.put(uidl, bytes);
    dovecot.deliver(USER, uidl, bytes);
  }

  private static CliRun run(String command, String... extra) {
    List<String> args =
        new ArrayList<>(
            List.of(
                command,
                "pop3://" + USER + "@127.0.0.1:" + dovecot.pop3Port(),
                "--ca-file",
                dovecot.caFile().toString(),
                "--password-file",
                work.resolve("pass").toString(),
                "--archive-dir",
                archiveDir.toString()));
    args.addAll(List.of(extra));
    return CliRun.of(args.toArray(String[]::new));
  }

  private static Map<String, JsonNode> byUidl(JsonNode report) {
    Map<String, JsonNode> rows = new HashMap<>();
    report.get("messages").forEach(row -> rows.put(row.get("uidl").asText(), row));
    return rows;
  }

  @Test
  void selectorsFilterTheRowsWhileTheTotalsCountTheWholeMailbox() throws Exception {
    CliRun list = run("list", "--json", "--larger-than", "100k", "--older-than", "2024-02-01");
    assertThat(list.exitCode()).as(list.describe()).isZero();
    JsonNode report = JSON.readTree(list.out());
    assertThat(byUidl(report)).containsOnlyKeys("big");
    assertThat(report.get("total").get("messages").asInt()).isEqualTo(4);

    CliRun byFrom = run("list", "--json", "--from", "MÜLLER");
    assertThat(byUidl(JSON.readTree(byFrom.out()))).containsOnlyKeys("small-2047");
  }

  @Test
  void jsonShowsDecodedHeadersSizesAndTheStateHereOfEveryMessage() throws Exception {
    CliRun list = run("list", "--json");
    assertThat(list.exitCode()).as(list.describe()).isZero();
    JsonNode report = JSON.readTree(list.out());
    Map<String, JsonNode> rows = byUidl(report);
    assertThat(rows).containsOnlyKeys("small-2047", "big", "no-date", "late");

    JsonNode small = rows.get("small-2047");
    assertThat(small.get("from").asText()).isEqualTo("Jörg Müller <joerg@example.org>");
    assertThat(small.get("subject").asText()).isEqualTo("Grüße aus Köln");
    assertThat(small.get("date_epoch_ms").asLong())
        .isEqualTo(Instant.parse("2024-01-02T09:00:00Z").toEpochMilli());
    assertThat(small.get("state").asText()).isEqualTo("archived");
    assertThat(Instant.parse(small.get("archived_at").asText())).isBefore(Instant.now());

    assertThat(rows.get("late").get("subject").asText()).isEqualTo("café au lait");
    assertThat(rows.get("late").get("state").asText()).isEqualTo("new");
    assertThat(rows.get("late").get("archived_at").isNull()).isTrue();
    assertThat(rows.get("no-date").get("date_epoch_ms").isNull()).isTrue();
    for (Map.Entry<String, JsonNode> row : rows.entrySet()) {
      assertThat(row.getValue().get("size").asLong())
          .as("LIST size of %s", row.getKey())
          .isEqualTo(Corpus.expectedWireBytes(SENT.get(row.getKey())).length);
    }
    assertThat(report.get("headers").asBoolean()).isTrue();
    assertThat(report.get("total").get("messages").asInt()).isEqualTo(4);
    assertThat(report.get("total").get("archived").asInt()).isEqualTo(3);
  }

  @Test
  void listingReadsHeadersWithTopAndLeavesServerArchiveAndLedgerAsTheyWere() throws Exception {
    long messagesBefore = LedgerProbe.number(ledger(), "select count(*) from message");
    long runsBefore = LedgerProbe.number(ledger(), "select count(*) from run");

    CliRun list = run("list", "-vv");

    assertThat(list.exitCode()).as(list.describe()).isZero();
    assertThat(list.err()).contains("C: TOP 1 0", "C: TOP 4 0", "C: QUIT").doesNotContain("RETR");
    assertThat(list.err()).doesNotContain("DELE");
    assertThat(dovecot.remainingMessages(USER)).hasSize(4);
    assertThat(LedgerProbe.number(ledger(), "select count(*) from message"))
        .isEqualTo(messagesBefore);
    assertThat(LedgerProbe.number(ledger(), "select count(*) from run")).isEqualTo(runsBefore);
    assertThat(list.out())
        .contains("Grüße aus Köln", "café au lait", "Jörg Müller")
        .containsPattern("late .*\\bnew\\n")
        .containsPattern("big .*archived \\d{4}-\\d\\d-\\d\\d\\n")
        .contains(": 4 messages, ", "3 archived here, 1 new");
  }

  @Test
  void sortReverseAndLimitShowTheBiggestOnly() {
    CliRun list = run("list", "--sort", "size", "--reverse", "--limit", "1");

    assertThat(list.exitCode()).as(list.describe()).isZero();
    List<String> rows = list.out().lines().filter(l -> l.matches("\\s+\\d+ .*")).toList();
    assertThat(rows).hasSize(1);
    assertThat(rows.get(0)).contains("big", "3.3 MB", "a big attachment");
  }

  @Test
  void sortByDatePutsUndatedFirstThenOldest() throws Exception {
    CliRun list = run("list", "--sort", "date", "--limit", "2", "--json");

    assertThat(list.exitCode()).as(list.describe()).isZero();
    List<String> order = new ArrayList<>();
    JSON.readTree(list.out()).get("messages").forEach(r -> order.add(r.get("uidl").asText()));
    assertThat(order).containsExactly("no-date", "small-2047");
  }

  @Test
  void aNegativeLimitIsAUsageError() {
    CliRun list = run("list", "--limit", "-1");

    assertThat(list.exitCode()).isEqualTo(64);
    assertThat(list.err()).contains("--limit must be 0 or more");
  }

  @Test
  void aServerWithoutTopListsSizesAndUidlsAndSaysHeadersAreUnavailable() throws Exception {
    var user = greenMail.setUser("alice@example.test", "alice", PASSWORD);
    user.deliver(
        GreenMailUtil.createTextEmail(
            "alice@example.test",
            "bob@example.test",
            "hidden subject",
            "body\r\n",
            greenMail.getSmtp().getServerSetup()));
    List<String> common =
        List.of(
            "pop3://alice@127.0.0.1:" + greenMail.getPop3().getPort(),
            "--allow-plaintext",
            "--password-file",
            work.resolve("pass").toString(),
            "--archive-dir",
            work.resolve("greenmail-archive").toString());
    List<String> table = new ArrayList<>(List.of("list"));
    table.addAll(common);
    List<String> json = new ArrayList<>(table);
    json.add("--json");

    CliRun shown = CliRun.of(table.toArray(String[]::new));
    CliRun machine = CliRun.of(json.toArray(String[]::new));

    assertThat(shown.exitCode()).as(shown.describe()).isZero();
    assertThat(shown.err()).contains("does not offer TOP");
    assertThat(shown.out()).doesNotContain("hidden subject").contains(": 1 message, ", "1 new");
    JsonNode report = JSON.readTree(machine.out());
    assertThat(report.get("headers").asBoolean()).isFalse();
    assertThat(report.get("messages").get(0).get("subject").isNull()).isTrue();
    assertThat(report.get("messages").get(0).get("size").asLong()).isPositive();
  }

  private static Path ledger() {
    return archiveDir.resolve("ledger.db");
  }
}
