package dev.popvault.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.util.GreenMailUtil;
import com.icegreen.greenmail.util.ServerSetup;
import com.icegreen.greenmail.util.ServerSetupTest;
import dev.popvault.testsupport.LedgerProbe;
import dev.popvault.testsupport.TestRequirements;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Unpacks the built popvault-VERSION.tar.gz and runs it: --version, man pages, completion, a real
 * archive run.
 */
class DistributionIT {
  @RegisterExtension
  static final GreenMailExtension greenMail =
      new GreenMailExtension(ServerSetup.dynamicPort(ServerSetupTest.SMTP_POP3));

  @TempDir Path tmp;

  private static Path tarball() throws IOException {
    Path target = Path.of(System.getProperty("popvault.basedir", "."), "target");
    try (Stream<Path> files = Files.list(target)) {
      return files
          .filter(p -> p.getFileName().toString().matches("popvault-.*\\.tar\\.gz"))
          .findFirst()
          .orElseThrow(() -> new AssertionError("no popvault-*.tar.gz in " + target));
    }
  }

  private static String run(List<String> command, Path log, java.util.Map<String, String> env)
      throws Exception {
    ProcessBuilder pb =
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
    pb.environment().putAll(env);
    Process p = pb.start();
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
    String output = Files.readString(log);
    assertThat(p.exitValue()).as(String.join(" ", command) + "\n" + output).isZero();
    return output;
  }

  @Test
  void theUnpackedDistributionRunsOnItsOwn() throws Exception {
    Path unpack = tmp.resolve("unpack");
    Files.createDirectories(unpack);
    run(
        List.of("tar", "-xzf", tarball().toString(), "-C", unpack.toString()),
        tmp.resolve("tar.log"),
        java.util.Map.of());
    Path home;
    try (Stream<Path> dirs = Files.list(unpack)) {
      home = dirs.findFirst().orElseThrow();
    }
    assertThat(home.resolve("lib/popvault.jar")).isRegularFile();
    assertThat(home.resolve("man/man1/popvault-archive.1")).isRegularFile();
    assertThat(home.resolve("man/man5/popvault.toml.5")).isRegularFile();
    assertThat(Files.readString(home.resolve("completion/popvault.bash"))).contains("popvault");
    assertThat(home.resolve("examples/config.toml")).isRegularFile();
    assertThat(home.resolve("bin/popvault")).isExecutable();

    String version =
        run(
            List.of(home.resolve("bin/popvault").toString(), "--version"),
            tmp.resolve("v.log"),
            java.util.Map.of());
    assertThat(version).startsWith("popvault ").doesNotContain("development build");
    // The native TLS library ships in lib/native and the launcher finds it there.
    assertThat(home.resolve("lib/native/libconscrypt_openjdk_jni-linux-x86_64.so")).isRegularFile();
    assertThat(version).contains("TLS: Conscrypt 2.");

    var user = greenMail.setUser("dist@example.test", "dist", "dist-pw");
    user.deliver(
        GreenMailUtil.createTextEmail(
            "dist@example.test",
            "x@example.test",
            "s",
            "body\r\n",
            greenMail.getSmtp().getServerSetup()));
    Path archiveDir = tmp.resolve("archive");
    String out =
        run(
            List.of(
                home.resolve("bin/popvault").toString(),
                "archive",
                "pop3://dist@127.0.0.1:" + greenMail.getPop3().getPort(),
                "--allow-plaintext",
                "--archive-dir",
                archiveDir.toString()),
            tmp.resolve("run.log"),
            java.util.Map.of("POPVAULT_PASSWORD", "dist-pw"));
    assertThat(out).contains("dist@127.0.0.1: 1 new, 0 skipped, 0 deleted");
    assertThat(LedgerProbe.number(archiveDir.resolve("ledger.db"), "select count(*) from message"))
        .isEqualTo(1);
    assertThat(
            new String(
                Files.readAllBytes(home.resolve("man/man1/popvault.1")), StandardCharsets.UTF_8))
        .contains(".TH");
  }

  /**
   * bin/popvault builds the jar with Maven on first use; Debian's Maven 3.8 (jansi) wrote a colour
   * reset (ESC [0m) to stdout and stderr even with -B. .mvn/jvm.config turns that off for every
   * build of this checkout; this runs Maven as bin/popvault does (goal validate, to stay quick).
   */
  @Test
  void theFirstUseBuildPrintsNoEscapeCodes() throws Exception {
    TestRequirements.requireCommands("mvn");
    Path basedir = Path.of(System.getProperty("popvault.basedir", ".")).toAbsolutePath();
    ProcessBuilder pb =
        new ProcessBuilder(
                "mvn",
                "-B",
                "-q",
                "-DskipTests",
                "-Dexec.skip",
                "-Dasciidoctor.skip",
                "-Dassembly.skipAssembly",
                "validate")
            .directory(basedir.toFile())
            .redirectErrorStream(true)
            .redirectOutput(tmp.resolve("mvn.log").toFile());
    Process p = pb.start();
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
    byte[] output = Files.readAllBytes(tmp.resolve("mvn.log"));
    String text = new String(output, StandardCharsets.UTF_8);
    assertThat(p.exitValue()).as(text).isZero();
    assertThat(text).as("Maven's output in %s", basedir).doesNotContain("\u001b");
  }
}
