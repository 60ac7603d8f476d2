package dev.popvault.testsupport;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs the real mpop against a test Dovecot, as a user of another tool would have. */
public final class Mpop {
  private Mpop() {}

  /**
   * Downloads {@code user}'s mailbox over STLS with the password in {@code passwordFile} into the
   * mbox {@code mbox}, keeping the mail on the server and its UIDLs in {@code uidls}; {@code more}
   * options are added. Fails the test (with mpop's output) unless mpop exits 0.
   */
  public static void download(
      DovecotServer dovecot, String user, Path passwordFile, Path mbox, Path uidls, String... more)
      throws Exception {
    List<String> argv =
        new ArrayList<>(
            List.of(
                "mpop",
                "--host=127.0.0.1",
                "--port=" + dovecot.pop3Port(),
                "--auth=user",
                "--user=" + user,
                "--passwordeval=cat " + passwordFile,
                "--tls=on",
                "--tls-starttls=on",
                "--tls-trust-file=" + dovecot.caFile(),
                "--deliver=mbox," + mbox,
                "--uidls-file=" + uidls,
                "--keep=on",
                "--quiet"));
    argv.addAll(List.of(more));
    Path log = Files.createTempFile(mbox.toAbsolutePath().getParent(), "mpop", ".log");
    Process mpop =
        new ProcessBuilder(argv).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    assertThat(mpop.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(mpop.exitValue()).as(Files.readString(log)).isZero();
  }
}
