package dev.popvault.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.popvault.testsupport.CliRun;
import dev.popvault.testsupport.FakeMailbox;
import dev.popvault.testsupport.ScriptedPop3Server;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every command reaches an account of the accounts file the same way: {@code verify} checks an
 * account in its own {@code archive-dir} and {@code ledger}, not in the [defaults] place.
 */
class AccountPlacesIT {
  @TempDir Path tmp;
  private ScriptedPop3Server server;
  private Path config;
  private Path workDir;
  private Path workLedger;

  @BeforeEach
  void setUp() throws Exception {
    server =
        ScriptedPop3Server.start(
            new FakeMailbox()
                .password("pw")
                .add("w1", "Subject: w1\r\n\r\none\r\n")
                .add("w2", "Subject: w2\r\n\r\ntwo\r\n"));
    workDir = tmp.resolve("work-archive");
    workLedger = tmp.resolve("ledgers").resolve("work.db");
    config = tmp.resolve("config.toml");
    Files.writeString(
        config,
        """
        [defaults]
        archive-dir = "%s"
        allow-plaintext = true

        [work]
        url = "pop3://alice@127.0.0.1:%d"
        password-command = "printf pw"
        archive-dir = "%s"
        ledger = "%s"
        """
            .formatted(tmp.resolve("default-archive"), server.port(), workDir, workLedger));
    CliRun archived = CliRun.of("archive", "--config", config.toString(), "work");
    assertThat(archived.exitCode()).as(archived.describe()).isZero();
    assertThat(workLedger).exists();
    assertThat(tmp.resolve("default-archive").resolve("ledger.db")).doesNotExist();
  }

  @AfterEach
  void tearDown() {
    server.close();
  }

  @Test
  void verifyOfANamedAccountUsesItsOwnArchiveDirAndLedger() throws Exception {
    CliRun verify = CliRun.of("verify", "--config", config.toString(), "work");
    assertThat(verify.exitCode()).as(verify.describe()).isZero();
    assertThat(verify.out()).contains("verified 1 account(s), 1 file(s)").contains("2 message(s)");

    flipAByteOfTheArchive();
    CliRun damaged = CliRun.of("verify", "--config", config.toString(), "work");
    assertThat(damaged.exitCode()).as(damaged.describe()).isEqualTo(65);
    assertThat(damaged.err()).contains(workDir.toString());
  }

  @Test
  void verifyWithoutArgumentsAlsoChecksEveryAccountInItsOwnPlace() throws Exception {
    CliRun verify = CliRun.of("verify", "--config", config.toString());
    assertThat(verify.exitCode()).as(verify.describe()).isZero();
    assertThat(verify.out()).contains("verified 1 account(s), 1 file(s)");

    flipAByteOfTheArchive();
    CliRun damaged = CliRun.of("verify", "--config", config.toString());
    assertThat(damaged.exitCode()).as(damaged.describe()).isEqualTo(65);
  }

  private void flipAByteOfTheArchive() throws Exception {
    Path file;
    try (Stream<Path> all = Files.walk(workDir)) {
      file = all.filter(p -> p.toString().endsWith(".mbox.zst")).findFirst().orElseThrow();
    }
    byte[] bytes = Files.readAllBytes(file);
    bytes[bytes.length / 2] ^= 0x55;
    Files.write(file, bytes);
  }
}
