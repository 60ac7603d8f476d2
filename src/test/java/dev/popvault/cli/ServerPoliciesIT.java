package dev.popvault.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.popvault.testsupport.CliRun;
import dev.popvault.testsupport.CuttingProxy;
import dev.popvault.testsupport.DovecotServer;
import dev.popvault.testsupport.FakeMailbox;
import dev.popvault.testsupport.LedgerProbe;
import dev.popvault.testsupport.PasswordFiles;
import dev.popvault.testsupport.ScriptedPop3Server;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The per-run policies and provider quirks end to end: {@code --checkpoint} against Dovecot with
 * the link cut after a checkpoint, {@code --until-done} against a Gmail-like scripted server (250
 * messages per session), LOGIN-DELAY, a server without UIDL, and {@code max-size} / {@code
 * max-messages} / {@code max-bytes} from the accounts file.
 */
class ServerPoliciesIT {
  private static final String PASSWORD = "dovecot-Pa55";
  private static final ObjectMapper JSON = new ObjectMapper();
  @TempDir Path tmp;
  @TempDir Path serverDir;

  private Path passwordFile() throws Exception {
    Path file = tmp.resolve("pass");
    if (!Files.exists(file)) {
      PasswordFiles.write(file, PASSWORD + "\n");
    }
    return file;
  }

  private CliRun scripted(ScriptedPop3Server server, String command, String... extra)
      throws Exception {
    List<String> args =
        new ArrayList<>(
            List.of(
                command,
                "pop3://gm@127.0.0.1:" + server.port(),
                "--account",
                "gm",
                "--allow-plaintext",
                "--password-file",
                passwordFile().toString(),
                "--archive-dir",
                tmp.resolve("archive").toString(),
                "--timeout",
                "5"));
    args.addAll(List.of(extra));
    return CliRun.of(args.toArray(String[]::new));
  }

  private Path ledger() {
    return tmp.resolve("archive").resolve("ledger.db");
  }

  /** Ends a session quietly when the client drops it, as a real server would. */
  private static ScriptedPop3Server.Script tolerant(ScriptedPop3Server.Script script) {
    return c -> {
      try {
        script.run(c);
      } catch (SocketException e) {
        // The client went away.
      }
    };
  }

  private static FakeMailbox mailbox(int messages) {
    FakeMailbox box = new FakeMailbox();
    for (int i = 1; i <= messages; i++) {
      box.add("g" + i, "Subject: mail " + i + "\r\n\r\nbody " + i + "\r\n");
    }
    return box;
  }

  @Test
  void checkpointWithTheLinkCutAfterACheckpointKeepsThatDeletionAndLosesNothing() throws Exception {
    try (DovecotServer dovecot = DovecotServer.start(serverDir)) {
      dovecot.addUser("cp", PASSWORD);
      for (int i = 1; i <= 6; i++) {
        dovecot.deliver(
            "cp",
            "m" + i,
            ("Subject: part " + i + "\r\n\r\n" + ("line " + i + " of the body\r\n").repeat(3000))
                .getBytes(StandardCharsets.US_ASCII));
      }
      Path archive = tmp.resolve("cp-archive");
      // The second session (after the first checkpoint) is cut in the middle of its messages.
      try (CuttingProxy proxy = CuttingProxy.cutConnectionAfter(dovecot.pop3Port(), 2, 90_000)) {
        CliRun cut =
            CliRun.of(
                "archive",
                "pop3://cp@127.0.0.1:" + proxy.port(),
                "--account",
                "cp",
                "--ca-file",
                dovecot.caFile().toString(),
                "--password-file",
                passwordFile().toString(),
                "--archive-dir",
                archive.toString(),
                "--checkpoint",
                "2",
                "--delete");
        assertThat(cut.exitCode()).as(cut.describe()).isNotZero().isNotEqualTo(70);
      }
      Path cutLedger = archive.resolve("ledger.db");
      // The first session's QUIT committed its two deletions; nothing of the cut session did, and
      // what the server deleted is exactly what the ledger records as deleted (and archived).
      List<String> left = dovecot.remainingMessages("cp");
      assertThat(left).hasSize(4);
      List<String> gone = new ArrayList<>(List.of("m1", "m2", "m3", "m4", "m5", "m6"));
      gone.removeAll(left);
      assertThat(
              LedgerProbe.column(
                  cutLedger, "SELECT uidl FROM message WHERE deleted_at IS NOT NULL ORDER BY uidl"))
          .containsExactlyElementsOf(gone);
      assertThat(LedgerProbe.number(cutLedger, "SELECT count(*) FROM message")).isEqualTo(2);

      CliRun rest =
          CliRun.of(
              "archive",
              "pop3://cp@127.0.0.1:" + dovecot.pop3Port(),
              "--account",
              "cp",
              "--ca-file",
              dovecot.caFile().toString(),
              "--password-file",
              passwordFile().toString(),
              "--archive-dir",
              archive.toString(),
              "--checkpoint",
              "2",
              "--delete");
      assertThat(rest.exitCode()).as(rest.describe()).isZero();
      assertThat(dovecot.remainingMessages("cp")).isEmpty();
      assertThat(LedgerProbe.number(cutLedger, "SELECT count(*) FROM message")).isEqualTo(6);
      assertThat(LedgerProbe.number(cutLedger, "SELECT count(DISTINCT uidl) FROM message"))
          .isEqualTo(6);
      CliRun verify = CliRun.of("verify", "--archive-dir", archive.toString());
      assertThat(verify.exitCode()).as(verify.describe()).isZero();
    }
  }

  @Test
  void untilDoneFetchesAGmailLikeMailboxOf600In250PerSession() throws Exception {
    FakeMailbox box = mailbox(600).gmailLike(250);
    try (ScriptedPop3Server server = ScriptedPop3Server.start(tolerant(box))) {
      CliRun once = scripted(server, "archive");
      assertThat(once.exitCode()).as(once.describe()).isZero();
      assertThat(LedgerProbe.number(ledger(), "SELECT count(*) FROM message")).isEqualTo(250);

      CliRun rest = scripted(server, "archive", "--until-done");

      assertThat(rest.exitCode()).as(rest.describe()).isZero();
      assertThat(rest.out()).contains("350 new");
    }
    // 1 session, then 250 + 100 and one that found nothing new.
    assertThat(box.sessions()).isEqualTo(4);
    assertThat(LedgerProbe.number(ledger(), "SELECT count(DISTINCT uidl) FROM message"))
        .isEqualTo(600);
  }

  @Test
  void aLoginDelayIsRecordedAndARunThatComesTooEarlyStopsBeforeConnecting() throws Exception {
    FakeMailbox box =
        mailbox(3).capabilities("USER", "UIDL", "TOP", "PIPELINING", "LOGIN-DELAY 900");
    List<String> logins = new ArrayList<>();
    box.observe(
        (line, uidl, size) -> {
          if (line.startsWith("PASS")) {
            logins.add(line);
          }
        });
    try (ScriptedPop3Server server = ScriptedPop3Server.start(tolerant(box))) {
      CliRun first = scripted(server, "archive", "--until-done");
      assertThat(first.exitCode()).as(first.describe()).isZero();
      assertThat(first.err() + first.out()).contains("one login every 900 s");
      assertThat(logins).as("a 900 s delay is not waited out").hasSize(1);

      CliRun early = scripted(server, "archive");

      assertThat(early.exitCode()).as(early.describe()).isEqualTo(75);
      assertThat(early.err()).contains("LOGIN-DELAY").contains("next login is allowed at");
      assertThat(logins).as("no login").hasSize(1);
    }
    assertThat(LedgerProbe.number(ledger(), "SELECT login_delay FROM account")).isEqualTo(900);
  }

  @Test
  void aServerWithoutUidlIsRefusedWithAReasonAndNothingIsFetched() throws Exception {
    FakeMailbox box =
        mailbox(2)
            .capabilities("USER", "TOP")
            .fault(
                "UIDL",
                (line, c) -> {
                  c.send("-ERR command not implemented");
                  return true;
                });
    try (ScriptedPop3Server server = ScriptedPop3Server.start(tolerant(box))) {
      CliRun run = scripted(server, "archive", "--delete");

      assertThat(run.exitCode()).as(run.describe()).isEqualTo(76);
      assertThat(run.err())
          .contains("server refused UIDL")
          .contains("needs UIDL")
          .contains("--no-uidl")
          .doesNotContain("Exception");

      CliRun contradiction = scripted(server, "archive", "--no-uidl", "--delete");
      assertThat(contradiction.exitCode()).as(contradiction.describe()).isEqualTo(64);
      assertThat(contradiction.err()).contains("never deletes");

      CliRun byHeaders = scripted(server, "archive", "--no-uidl");
      assertThat(byHeaders.exitCode()).as(byHeaders.describe()).isZero();
      assertThat(byHeaders.out()).contains("2 new");
      CliRun again = scripted(server, "archive", "--no-uidl");
      assertThat(again.exitCode()).as(again.describe()).isZero();
      assertThat(again.out()).contains("0 new");
      CliRun delete = scripted(server, "delete", "--no-uidl", "--all");
      assertThat(delete.exitCode()).as(delete.describe()).isEqualTo(64);
      assertThat(delete.err()).contains("no-uidl never deletes");
    }
    assertThat(box.committedDeletions()).isEmpty();
    assertThat(LedgerProbe.column(ledger(), "SELECT uidl FROM message"))
        .hasSize(2)
        .allMatch(uidl -> uidl.startsWith("h-") && uidl.length() == 66);
  }

  @Test
  void sizeAndCountLimitsFromTheAccountsFileAndListShowsWhatIsTooBig() throws Exception {
    try (DovecotServer dovecot = DovecotServer.start(serverDir)) {
      dovecot.addUser("gm", PASSWORD);
      for (int i = 1; i <= 5; i++) {
        dovecot.deliver(
            "gm",
            "g" + i,
            ("Subject: =?UTF-8?Q?mail_n=C2=B0" + i + "?=\r\n\r\nbody " + i + "\r\n")
                .getBytes(StandardCharsets.US_ASCII));
      }
      dovecot.deliver(
          "gm",
          "huge",
          ("Subject: film\r\n\r\n" + "x".repeat(20_000) + "\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      Path config = tmp.resolve("config.toml");
      Files.writeString(
          config,
          """
          [gm]
          url = "pop3://gm@127.0.0.1:%d"
          ca-file = "%s"
          password-file = "%s"
          archive-dir = "%s"
          max-size = "10k"
          max-messages = 3
          """
              .formatted(
                  dovecot.pop3Port(), dovecot.caFile(), passwordFile(), tmp.resolve("archive")));
      Files.setPosixFilePermissions(config, PosixFilePermissions.fromString("rw-------"));

      CliRun first = CliRun.of("archive", "--config", config.toString(), "gm");
      assertThat(first.exitCode()).as(first.describe()).isZero();
      assertThat(first.out()).contains("3 new");
      assertThat(first.err() + first.out())
          .contains("larger than max-size")
          .contains("huge")
          .contains("2 messages wait for the next run");

      CliRun list = CliRun.of("list", "--config", config.toString(), "gm", "--json");
      assertThat(list.exitCode()).as(list.describe()).isZero();
      Map<String, String> states = new HashMap<>();
      for (JsonNode m : JSON.readTree(list.out()).get("messages")) {
        states.put(m.get("uidl").asText(), m.get("state").asText());
      }
      // Dovecot lists the maildir in its own order: three small ones are archived, two are new.
      assertThat(states).containsEntry("huge", "too_big").hasSize(6);
      assertThat(states.values().stream().filter("archived"::equals).count()).isEqualTo(3);
      assertThat(states.values().stream().filter("new"::equals).count()).isEqualTo(2);

      CliRun bytes = CliRun.of("archive", "--config", config.toString(), "gm", "--max-bytes", "1");
      assertThat(bytes.exitCode()).as(bytes.describe()).isZero();
      assertThat(bytes.out()).as("the first message always goes").contains("1 new");

      Files.writeString(config, Files.readString(config).replace("\"10k\"", "\"ten\""));
      CliRun bad = CliRun.of("archive", "--config", config.toString(), "gm");
      assertThat(bad.exitCode()).as(bad.describe()).isEqualTo(78);
      assertThat(bad.err()).contains("max-size").contains("must be a size");
    }
  }
}
