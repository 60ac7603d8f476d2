package dev.popvault.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.popvault.testsupport.CliRun;
import dev.popvault.testsupport.FakeMailbox;
import dev.popvault.testsupport.LedgerProbe;
import dev.popvault.testsupport.ScriptedPop3Server;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A server that reuses a UIDL for another message of the same size: the ledger's (UIDL, size) key
 * cannot tell them apart, so {@code --delete} compares Message-IDs (TOP) first and archives the
 * newcomer before deleting it.
 */
class ReusedUidlIT {
  @TempDir Path tmp;

  private CliRun archive(int port, String... extra) {
    String[] base = {
      "archive",
      "pop3://reuse@127.0.0.1:" + port,
      "--account",
      "reuse",
      "--allow-plaintext",
      "--archive-dir",
      tmp.resolve("archive").toString(),
      "--password-command",
      "printf pw"
    };
    String[] args = new String[base.length + extra.length];
    System.arraycopy(base, 0, args, 0, base.length);
    System.arraycopy(extra, 0, args, base.length, extra.length);
    return CliRun.of(args);
  }

  @Test
  void aSameSizeMessageUnderAReusedUidlIsArchivedBeforeItIsDeleted() throws Exception {
    String first = "Message-ID: <first@x>\r\nSubject: one\r\n\r\nbody A\r\n";
    String second = "Message-ID: <other@x>\r\nSubject: one\r\n\r\nbody B\r\n";
    assertThat(second).hasSameSizeAs(first);

    try (ScriptedPop3Server server = ScriptedPop3Server.start(new FakeMailbox().add("u1", first))) {
      CliRun run = archive(server.port());
      assertThat(run.exitCode()).as(run.describe()).isZero();
    }
    FakeMailbox reused = new FakeMailbox().add("u1", second);
    try (ScriptedPop3Server server = ScriptedPop3Server.start(reused)) {
      CliRun run = archive(server.port(), "--delete");
      assertThat(run.exitCode()).as(run.describe()).isZero();
      assertThat(run.err()).contains("UIDL u1 (message 1) now names a different message");
      assertThat(run.out()).contains("reuse: 1 new, 0 skipped, 1 deleted");
    }
    assertThat(reused.committedDeletions()).containsExactly("u1");
    Path ledger = tmp.resolve("archive").resolve("ledger.db");
    assertThat(LedgerProbe.column(ledger, "select message_id from message order by id"))
        .containsExactly("<first@x>", "<other@x>");
    CliRun verify = CliRun.of("verify", "--archive-dir", tmp.resolve("archive").toString());
    assertThat(verify.exitCode()).as(verify.describe()).isZero();
  }

  @Test
  void theSameMessageStillDeletesWithoutAnotherDownload() throws Exception {
    String message = "Message-ID: <same@x>\r\nSubject: s\r\n\r\nbody\r\n";
    FakeMailbox box = new FakeMailbox().add("u1", message);
    try (ScriptedPop3Server server = ScriptedPop3Server.start(box)) {
      assertThat(archive(server.port()).exitCode()).isZero();
      CliRun run = archive(server.port(), "--delete");
      assertThat(run.exitCode()).as(run.describe()).isZero();
      assertThat(run.out()).contains("reuse: 0 new, 1 skipped, 1 deleted");
      assertThat(server.received()).contains("TOP 1 0");
      assertThat(server.received().stream().filter("RETR 1"::equals).count())
          .as("downloaded once, by the first run only")
          .isEqualTo(1);
    }
    assertThat(box.committedDeletions()).containsExactly("u1");
  }
}
