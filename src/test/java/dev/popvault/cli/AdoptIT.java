package dev.popvault.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.popvault.testsupport.CliRun;
import dev.popvault.testsupport.DovecotServer;
import dev.popvault.testsupport.Getmail;
import dev.popvault.testsupport.LedgerProbe;
import dev.popvault.testsupport.Mpop;
import dev.popvault.testsupport.PasswordFiles;
import dev.popvault.testsupport.TestRequirements;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code popvault adopt} with UIDL files written by the real mpop and fetchmail against Dovecot:
 * the first popvault run then fetches only what mpop had not, and {@code --delete} leaves mpop's
 * messages on the server (M10: adopted messages are never a reason to DELE).
 */
class AdoptIT {
  private static final String PASSWORD = "dovecot-Pa55";
  @TempDir Path serverDir;
  @TempDir Path tmp;

  private static void deliver(DovecotServer dovecot, String uidl) {
    dovecot.deliver(
        "adopter",
        uidl,
        ("Subject: " + uidl + "\r\n\r\nbody of " + uidl + "\r\n")
            .getBytes(StandardCharsets.US_ASCII));
  }

  @Test
  void m10_messagesMpopDownloadedAreNeitherFetchedNorDeleted() throws Exception {
    TestRequirements.requireCommands("mpop");
    try (DovecotServer dovecot = DovecotServer.start(serverDir)) {
      dovecot.addUser("adopter", PASSWORD);
      for (String uidl : new String[] {"old-1", "old-2", "old-3"}) {
        deliver(dovecot, uidl);
      }
      Path pass = tmp.resolve("pass");
      PasswordFiles.write(pass, PASSWORD + "\n");
      Path uidls = tmp.resolve("mpop_uidls");
      Mpop.download(dovecot, "adopter", pass, tmp.resolve("mpop.mbox"), uidls, "--only-new=on");
      assertThat(Files.readString(uidls)).contains("old-1");
      deliver(dovecot, "new-1");
      deliver(dovecot, "new-2");

      String url = "pop3://adopter@127.0.0.1:" + dovecot.pop3Port();
      Path archive = tmp.resolve("archive");
      CliRun adopt =
          CliRun.of(
              "adopt",
              "--from",
              "mpop",
              uidls.toString(),
              url,
              "--archive-dir",
              archive.toString());
      assertThat(adopt.exitCode()).as(adopt.describe()).isZero();
      assertThat(adopt.out()).contains("3 UIDLs from mpop's state, 3 new here");
      CliRun list = onServer(dovecot, "list", url, pass, archive, "--json");
      assertThat(list.exitCode()).as(list.describe()).isZero();
      assertThat(list.out())
          .contains("\"uidl\":\"old-1\",\"size\"")
          .containsPattern("\"uidl\":\"old-1\".*?\"state\":\"adopted\"")
          .containsPattern("\"uidl\":\"new-1\".*?\"state\":\"new\"");

      CliRun run = onServer(dovecot, "archive", url, pass, archive, "--delete");
      assertThat(run.exitCode()).as(run.describe()).isZero();
      assertThat(run.out()).contains("2 new");
      assertThat(
              LedgerProbe.column(
                  archive.resolve("ledger.db"), "SELECT uidl FROM message ORDER BY uidl"))
          .containsExactly("new-1", "new-2");
      assertThat(dovecot.remainingMessages("adopter")).containsExactly("old-1", "old-2", "old-3");

      CliRun other =
          CliRun.of(
              "adopt",
              "--from",
              "mpop",
              uidls.toString(),
              "pop3://someone@127.0.0.1:" + dovecot.pop3Port(),
              "--archive-dir",
              tmp.resolve("other").toString());
      assertThat(other.exitCode()).as(other.describe()).isEqualTo(65);
      assertThat(other.err()).contains("records no message of someone@127.0.0.1");
    }
  }

  @Test
  void m10_messagesFetchmailDownloadedAreNeitherFetchedNorDeleted() throws Exception {
    TestRequirements.requireCommands("fetchmail");
    try (DovecotServer dovecot = DovecotServer.start(serverDir)) {
      dovecot.addUser("adopter", PASSWORD);
      deliver(dovecot, "fm-1");
      deliver(dovecot, "fm-2");
      Path home = Files.createDirectory(tmp.resolve("fetchmail"));
      Path rc = home.resolve("fetchmailrc");
      Files.writeString(
          rc,
          "set no syslog\n"
              + "poll 127.0.0.1 with proto POP3 port "
              + dovecot.pop3Port()
              + " uidl\n"
              + "  user \"adopter\" there with password \""
              + PASSWORD
              + "\" is root here\n"
              + "  options keep sslproto 'tls1.2+' sslcertck sslcommonname \"localhost\""
              + " sslcertfile \""
              + dovecot.caFile()
              + "\"\n"
              + "  mda \"/bin/sh -c 'cat > /dev/null'\"\n");
      Files.setPosixFilePermissions(
          rc, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
      Path ids = home.resolve("fetchids");
      ProcessBuilder pb =
          new ProcessBuilder(
                  "fetchmail",
                  "-f",
                  rc.toString(),
                  "--idfile",
                  ids.toString(),
                  "--pidfile",
                  home.resolve("pid").toString())
              .redirectErrorStream(true)
              .redirectOutput(home.resolve("log").toFile());
      pb.environment().put("FETCHMAILHOME", home.toString());
      Process fetchmail = pb.start();
      assertThat(fetchmail.waitFor(60, TimeUnit.SECONDS)).isTrue();
      assertThat(fetchmail.exitValue()).as(Files.readString(home.resolve("log"))).isZero();
      assertThat(Files.readString(ids)).contains("adopter@127.0.0.1 fm-1");
      deliver(dovecot, "fm-new");

      adoptThenArchive(dovecot, "fetchmail", ids, "fm-new", "fm-1", "fm-2");
    }
  }

  @Test
  void m10_messagesGetmail6DownloadedAreNeitherFetchedNorDeleted() throws Exception {
    try (DovecotServer dovecot = DovecotServer.start(serverDir)) {
      dovecot.addUser("adopter", PASSWORD);
      deliver(dovecot, "gm-1");
      deliver(dovecot, "gm-2");
      Path dir = Getmail.download(dovecot, "adopter", PASSWORD, tmp, "");
      Path state;
      try (java.util.stream.Stream<Path> files = Files.list(dir)) {
        state =
            files
                .filter(p -> p.getFileName().toString().startsWith("oldmail-"))
                .findFirst()
                .orElseThrow();
      }
      deliver(dovecot, "gm-new");

      adoptThenArchive(dovecot, "getmail", state, "gm-new", "gm-1", "gm-2");
    }
  }

  @Test
  void m10_thunderbirdsWholeDownloadsAreAdoptedButNotItsHeadersOnlyOnes() throws Exception {
    try (DovecotServer dovecot = DovecotServer.start(serverDir)) {
      dovecot.addUser("adopter", PASSWORD);
      for (String uidl : new String[] {"tb-kept", "tb-deleted", "tb-big", "tb-fetch"}) {
        deliver(dovecot, uidl);
      }
      // popstate.dat as Thunderbird writes it: k kept, d to delete (both downloaded whole), b too
      // big
      // (headers only), f marked to fetch.
      Path state = tmp.resolve("popstate.dat");
      Files.writeString(
          state,
          "# POP3 State File\n# This is a generated file!  Do not edit.\n\n"
              + "*127.0.0.1 adopter\n"
              + "k tb-kept 1700000000\nd tb-deleted 1700000001\n"
              + "b tb-big 1700000002\nf tb-fetch 1700000003\n"
              + "*other.example adopter\nk tb-other 1700000004\n");
      Path pass = tmp.resolve("pass");
      PasswordFiles.write(pass, PASSWORD + "\n");
      String url = "pop3://adopter@127.0.0.1:" + dovecot.pop3Port();
      Path archive = tmp.resolve("archive");
      CliRun adopt =
          CliRun.of(
              "adopt",
              "--from",
              "thunderbird",
              state.toString(),
              url,
              "--archive-dir",
              archive.toString());
      assertThat(adopt.exitCode()).as(adopt.describe()).isZero();
      assertThat(adopt.out()).contains("2 UIDLs from thunderbird's state");
      CliRun run = onServer(dovecot, "archive", url, pass, archive, "--delete");
      assertThat(run.exitCode()).as(run.describe()).isZero();
      assertThat(
              LedgerProbe.column(
                  archive.resolve("ledger.db"), "SELECT uidl FROM message ORDER BY uidl"))
          .containsExactly("tb-big", "tb-fetch");
      assertThat(dovecot.remainingMessages("adopter")).containsExactly("tb-deleted", "tb-kept");
    }
  }

  /**
   * Adopts {@code tool}'s two UIDLs, then archives with --delete: only {@code fresh} is fetched,
   * and the adopted messages stay on the server (M10).
   */
  private void adoptThenArchive(
      DovecotServer dovecot, String tool, Path state, String fresh, String... adopted)
      throws Exception {
    Path pass = tmp.resolve("pass");
    PasswordFiles.write(pass, PASSWORD + "\n");
    String url = "pop3://adopter@127.0.0.1:" + dovecot.pop3Port();
    Path archive = tmp.resolve("archive");
    CliRun adopt =
        CliRun.of(
            "adopt", "--from", tool, state.toString(), url, "--archive-dir", archive.toString());
    assertThat(adopt.exitCode()).as(adopt.describe()).isZero();
    assertThat(adopt.out()).contains(adopted.length + " UIDLs from " + tool + "'s state");
    CliRun run = onServer(dovecot, "archive", url, pass, archive, "--delete");
    assertThat(run.exitCode()).as(run.describe()).isZero();
    assertThat(LedgerProbe.column(archive.resolve("ledger.db"), "SELECT uidl FROM message"))
        .containsExactly(fresh);
    assertThat(dovecot.remainingMessages("adopter")).containsExactly(adopted);
  }

  /** Runs a command that logs in to {@code dovecot} as {@code url}'s user. */
  private static CliRun onServer(
      DovecotServer dovecot, String command, String url, Path pass, Path archive, String extra) {
    return CliRun.of(
        command,
        url,
        "--ca-file",
        dovecot.caFile().toString(),
        "--password-file",
        pass.toString(),
        "--archive-dir",
        archive.toString(),
        extra);
  }
}
