package dev.popvault.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.popvault.testsupport.CliRun;
import dev.popvault.testsupport.DovecotServer;
import dev.popvault.testsupport.ImapFolders;
import dev.popvault.testsupport.PasswordFiles;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code popvault upload --auth xoauth2 --token-command CMD} logs in to Dovecot with an OAuth2
 * token (Dovecot's oauth2 passdb asks a token introspection endpoint, here a small HTTP server in
 * the test), and a token the endpoint calls inactive is refused with exit 77.
 */
class UploadOAuthIT {
  private static final String PASSWORD = "dovecot-Pa55";
  private static final String TOKEN = "good-token-123";
  @TempDir Path serverDir;
  @TempDir Path oauthDir;
  @TempDir Path work;

  @Test
  void anOAuth2TokenLogsInAndABadOneIsRefused() throws Exception {
    HttpServer introspection =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    introspection.createContext(
        "/introspect",
        exchange -> {
          String body =
              new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
          byte[] reply =
              (body.contains(TOKEN)
                      ? "{\"active\": true, \"username\": \"target\"}"
                      : "{\"active\": false}")
                  .getBytes(StandardCharsets.UTF_8);
          exchange.getResponseHeaders().add("Content-Type", "application/json");
          exchange.sendResponseHeaders(200, reply.length);
          exchange.getResponseBody().write(reply);
          exchange.close();
        });
    introspection.start();
    // Read by Dovecot's auth process, which does not run as root: traversable and readable.
    Files.setPosixFilePermissions(oauthDir, PosixFilePermissions.fromString("rwxr-xr-x"));
    Path oauthConf = oauthDir.resolve("oauth2.conf.ext");
    Files.writeString(
        oauthConf,
        "introspection_mode = post\n"
            + "introspection_url = http://127.0.0.1:"
            + introspection.getAddress().getPort()
            + "/introspect\n"
            + "username_attribute = username\n"
            + "active_attribute = active\n"
            + "active_value = true\n");
    Files.setPosixFilePermissions(oauthConf, PosixFilePermissions.fromString("rw-r--r--"));
    String extra =
        "auth_mechanisms = plain login xoauth2 oauthbearer\n"
            + "passdb {\n  driver = oauth2\n  mechanisms = xoauth2 oauthbearer\n  args = "
            + oauthConf
            + "\n}\n";
    try (DovecotServer dovecot =
        DovecotServer.start(serverDir, DovecotServer.TlsVariant.SERVER, extra)) {
      dovecot.addUser("mover", PASSWORD);
      dovecot.addUser("target", "not-the-token");
      Thread.sleep(1100);
      dovecot.deliver(
          "mover",
          "m1",
          "Subject: oauth\r\nMessage-ID: <oauth@example.org>\r\n\r\nbody\r\n"
              .getBytes(StandardCharsets.US_ASCII));
      PasswordFiles.write(work.resolve("pass"), PASSWORD + "\n");
      CliRun archive =
          CliRun.archive(dovecot, "mover", work.resolve("pass"), work.resolve("archive"));
      assertThat(archive.exitCode()).as(archive.describe()).isZero();
      Path tokenCommand = work.resolve("token.sh");
      Files.writeString(tokenCommand, "#!/bin/sh\necho " + TOKEN + "\n");
      tokenCommand.toFile().setExecutable(true);
      String url = "imap://target@127.0.0.1:" + dovecot.imapPort() + "/OAuth";
      CliRun upload =
          CliRun.of(
              "upload",
              "--to",
              url,
              "--ca-file",
              dovecot.caFile().toString(),
              "--auth",
              "xoauth2",
              "--token-command",
              tokenCommand.toString(),
              "--archive-dir",
              work.resolve("archive").toString());
      assertThat(upload.exitCode()).as(upload.describe()).isZero();
      assertThat(upload.err()).contains("uploaded 1 of 1");
      assertThat(ImapFolders.digests(dovecot, "target", "not-the-token", "OAuth")).hasSize(1);

      Path badCommand = work.resolve("bad.sh");
      Files.writeString(badCommand, "#!/bin/sh\necho expired-token\n");
      badCommand.toFile().setExecutable(true);
      CliRun refused =
          CliRun.of(
              "upload",
              "--to",
              url.replace("/OAuth", "/Refused"),
              "--ca-file",
              dovecot.caFile().toString(),
              "--auth",
              "xoauth2",
              "--token-command",
              badCommand.toString(),
              "--archive-dir",
              work.resolve("archive").toString());
      assertThat(refused.exitCode()).as(refused.describe()).isEqualTo(77);
      assertThat(refused.err()).doesNotContain("expired-token").doesNotContain("Exception");
    } finally {
      introspection.stop(0);
    }
  }
}
