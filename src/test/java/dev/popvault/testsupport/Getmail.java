package dev.popvault.testsupport;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.util.concurrent.TimeUnit;

/** Runs the real getmail6 against a test Dovecot (POP3S) into an mboxrd file. */
public final class Getmail {
  private Getmail() {}

  /**
   * Downloads {@code user}'s mailbox into {@code parent}/getmail/out.mbox, leaving the mail on the
   * server, with getmail's {@code [options]} given in {@code options} (lines "key = value").
   * getmail6 will not deliver as root, so it runs as nobody: {@code parent} is made traversable for
   * others. Returns the getmail directory (its state file is {@code oldmail-*} there).
   */
  public static Path download(
      DovecotServer dovecot, String user, String password, Path parent, String options)
      throws Exception {
    TestRequirements.requireCommands("getmail", "setpriv");
    UserPrincipal nobody =
        parent.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("nobody");
    Files.setPosixFilePermissions(parent, PosixFilePermissions.fromString("rwx--x--x"));
    Path dir = Files.createDirectory(parent.resolve("getmail"));
    Path ca = Files.copy(dovecot.caFile(), dir.resolve("ca.pem"));
    Path mbox = Files.createFile(dir.resolve("out.mbox"));
    Files.writeString(
        dir.resolve("getmailrc"),
        "[retriever]\ntype = SimplePOP3SSLRetriever\nserver = 127.0.0.1\nport = "
            + dovecot.pop3sPort()
            + "\nusername = "
            + user
            + "\npassword = "
            + password
            + "\nca_certs = "
            + ca
            + "\nssl_cert_hostname = 127.0.0.1\ntimeout = 20\n\n[destination]\ntype = Mboxrd\npath = "
            + mbox
            + "\n\n[options]\nread_all = false\ndelete = false\nverbose = 0\n"
            + options);
    for (Path p : new Path[] {dir, ca, mbox, dir.resolve("getmailrc")}) {
      Files.setOwner(p, nobody);
    }
    Path log = parent.resolve("getmail.log");
    Process getmail =
        new ProcessBuilder(
                "setpriv",
                "--reuid=nobody",
                "--regid=nogroup",
                "--clear-groups",
                "getmail",
                "--getmaildir",
                dir.toString(),
                "--rcfile",
                "getmailrc")
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    assertThat(getmail.waitFor(120, TimeUnit.SECONDS)).isTrue();
    assertThat(getmail.exitValue()).as(Files.readString(log)).isZero();
    return dir;
  }
}
