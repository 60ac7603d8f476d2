package dev.popvault.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.util.GreenMailUtil;
import com.icegreen.greenmail.util.ServerSetup;
import com.icegreen.greenmail.util.ServerSetupTest;
import dev.popvault.testsupport.LedgerProbe;
import dev.popvault.testsupport.TestRequirements;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Installs the built popvault_VERSION_all.deb with dpkg, runs what it installed (launcher through
 * the /usr/bin link, man pages, bash completion, a real archive run) and purges it again. Needs
 * root and dpkg: it changes the machine's installed packages.
 */
class DebianPackageIT {
  @RegisterExtension
  static final GreenMailExtension greenMail =
      new GreenMailExtension(ServerSetup.dynamicPort(ServerSetupTest.SMTP_POP3));

  private static final Path SHARE = Path.of("/usr/share/popvault");
  private static final Path LINK = Path.of("/usr/bin/popvault");

  @TempDir Path tmp;

  private record Result(int exit, String output, List<String> command) {
    Result succeeded() {
      assertThat(exit).as(String.join(" ", command) + " exited " + exit + ":\n" + output).isZero();
      return this;
    }
  }

  private static Path target() {
    return Path.of(System.getProperty("popvault.basedir", "."), "target");
  }

  private static Path debianPackage() throws IOException {
    try (Stream<Path> files = Files.list(target())) {
      return files
          .filter(p -> p.getFileName().toString().matches("popvault_.*_all\\.deb"))
          .max(Comparator.comparing(p -> p.toFile().lastModified()))
          .orElseThrow(() -> new AssertionError("no popvault_*_all.deb in " + target()));
    }
  }

  private Result run(List<String> command, Map<String, String> env) throws Exception {
    Path log = Files.createTempFile(tmp, "run", ".log");
    ProcessBuilder pb =
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
    // The installed popvault, man and bash-completion on their defaults, not the caller's settings.
    pb.environment().remove("MANPATH");
    pb.environment().keySet().removeIf(name -> name.startsWith("XDG_"));
    pb.environment().putAll(env);
    Process p = pb.start();
    assertThat(p.waitFor(180, TimeUnit.SECONDS)).as(String.join(" ", command)).isTrue();
    return new Result(p.exitValue(), Files.readString(log), command);
  }

  private Result run(String... command) throws Exception {
    return run(List.of(command), Map.of());
  }

  @Test
  void theDebianPackageInstallsWhatPopvaultNeedsAndPurgesCleanly() throws Exception {
    Path deb = debianPackage();
    TestRequirements.requireCommands("dpkg", "dpkg-query", "man", "bash", "id");
    TestRequirements.require(
        run("id", "-u").output().strip().equals("0"), "installing a .deb needs root");
    TestRequirements.require(
        Files.isRegularFile(Path.of("/usr/share/bash-completion/bash_completion")),
        "bash-completion not installed (apt-get install bash-completion)");
    TestRequirements.require(
        run("dpkg-query", "-W", "popvault").exit() != 0,
        "package popvault is already installed here; this test would replace and purge it");

    Result purge;
    try {
      // Minimal images exclude documentation from installation (/etc/dpkg/dpkg.cfg.d); re-include
      // ours, whose presence this test checks.
      run(
              "dpkg",
              "--path-include=/usr/share/man/*",
              "--path-include=/usr/share/doc/popvault/*",
              "-i",
              deb.toString())
          .succeeded();
      String version = run("dpkg-query", "-W", "-f=${Version}", "popvault").succeeded().output();

      assertThat(LINK).isSymbolicLink();
      assertThat(LINK.toRealPath()).isEqualTo(SHARE.resolve("bin/popvault"));
      assertThat(run(LINK.toString(), "--version").succeeded().output())
          .startsWith("popvault " + version.replace('~', '-'));
      // postinst recorded a class-data-sharing archive that this JVM can use (-Xshare:on fails if
      // it cannot) for the installed jar.
      Path jsa = SHARE.resolve("lib/popvault.jsa");
      assertThat(jsa).isRegularFile();
      run(
              "java",
              "-Xshare:on",
              "-XX:SharedArchiveFile=" + jsa,
              "-jar",
              SHARE + "/lib/popvault.jar",
              "--version")
          .succeeded();

      assertManPagesInstalled();
      assertThat(run("man", "-w", "popvault").succeeded().output().strip())
          .isEqualTo("/usr/share/man/man1/popvault.1.gz");
      assertThat(run("man", "-w", "popvault-archive").succeeded().output().strip())
          .isEqualTo("/usr/share/man/man1/popvault-archive.1.gz");

      assertThat(bashCompletions("popvault arch")).contains("archive");
      assertThat(Path.of("/usr/share/zsh/vendor-completions/_popvault")).isRegularFile();
      assertUserUnitsInstalled();
      assertThat(Path.of("/usr/share/doc/popvault/copyright")).isRegularFile();
      assertThat(Path.of("/usr/share/doc/popvault/examples/config.toml")).isRegularFile();

      archivesTwoMessagesAsInstalled();
    } finally {
      purge = run("dpkg", "--purge", "popvault");
    }
    purge.succeeded();
    assertThat(LINK).doesNotExist();
    assertThat(SHARE).doesNotExist();
  }

  /**
   * The systemd user template units are installed and, where systemd-analyze is at hand (a machine
   * with systemd), an instance of them passes its checks: it warns of unknown keys and bad values
   * but still exits 0, so its output must be empty.
   */
  private void assertUserUnitsInstalled() throws Exception {
    Path units = Path.of("/usr/lib/systemd/user");
    assertThat(Files.readString(units.resolve("popvault@.service")))
        .contains("ExecStart=/usr/bin/popvault archive %I");
    assertThat(Files.readString(units.resolve("popvault@.timer"))).contains("OnCalendar=");
    if (run("sh", "-c", "command -v systemd-analyze").exit() != 0) {
      return;
    }
    Path dir = Files.createDirectories(tmp.resolve("units"));
    Files.copy(units.resolve("popvault@.service"), dir.resolve("popvault@work.service"));
    Files.copy(units.resolve("popvault@.timer"), dir.resolve("popvault@work.timer"));
    Path runtime = Files.createDirectories(tmp.resolve("runtime"));
    Result verify =
        run(
                List.of(
                    "systemd-analyze",
                    "verify",
                    "--user",
                    dir.resolve("popvault@work.service").toString(),
                    dir.resolve("popvault@work.timer").toString()),
                Map.of("XDG_RUNTIME_DIR", runtime.toString()))
            .succeeded();
    assertThat(verify.output()).as("systemd-analyze verify").isBlank();
  }

  /** Every man page the build made is installed gzipped, in its section. */
  private static void assertManPagesInstalled() throws IOException {
    List<String> built = new ArrayList<>();
    for (String section : List.of("man1", "man5")) {
      Path dir = target().resolve("man").resolve(section);
      if (!Files.isDirectory(dir)) {
        continue;
      }
      try (Stream<Path> pages = Files.list(dir)) {
        pages.forEach(p -> built.add(section + "/" + p.getFileName()));
      }
    }
    assertThat(built).contains("man1/popvault.1");
    for (String page : built) {
      assertThat(Path.of("/usr/share/man", page + ".gz")).isRegularFile();
    }
  }

  /**
   * Completes {@code line} in bash as bash-completion would: its loader finds the installed script
   * by the command's name, and the function that script registers for popvault is called.
   */
  private List<String> bashCompletions(String line) throws Exception {
    String script =
        """
        source /usr/share/bash-completion/bash_completion
        _completion_loader popvault
        fn=$(complete -p popvault | sed -n 's/.* -F \\([^ ]*\\).*/\\1/p')
        read -ra COMP_WORDS <<< "$LINE"
        COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 ))
        COMP_LINE=$LINE
        COMP_POINT=${#LINE}
        "$fn" popvault "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
        printf '%s\\n' "${COMPREPLY[@]}"
        """;
    return run(List.of("bash", "-c", script), Map.of("LINE", line))
        .succeeded()
        .output()
        .lines()
        .toList();
  }

  private void archivesTwoMessagesAsInstalled() throws Exception {
    var user = greenMail.setUser("deb@example.test", "deb", "deb-pw");
    for (String subject : List.of("one", "two")) {
      user.deliver(
          GreenMailUtil.createTextEmail(
              "deb@example.test",
              "x@example.test",
              subject,
              "body\r\n",
              greenMail.getSmtp().getServerSetup()));
    }
    Path home = Files.createDirectories(tmp.resolve("home"));
    Path archiveDir = tmp.resolve("archive");
    Map<String, String> env = new HashMap<>();
    env.put("HOME", home.toString());
    env.put("POPVAULT_PASSWORD", "deb-pw");
    String out =
        run(
                List.of(
                    LINK.toString(),
                    "archive",
                    "pop3://deb@127.0.0.1:" + greenMail.getPop3().getPort(),
                    "--allow-plaintext",
                    "--archive-dir",
                    archiveDir.toString()),
                env)
            .succeeded()
            .output();
    assertThat(out).contains("deb@127.0.0.1: 2 new, 0 skipped, 0 deleted");
    assertThat(LedgerProbe.number(archiveDir.resolve("ledger.db"), "select count(*) from message"))
        .isEqualTo(2);
    try (Stream<Path> files = Files.walk(archiveDir)) {
      assertThat(files.map(p -> p.getFileName().toString()))
          .anyMatch(name -> name.endsWith(".mbox.zst"));
    }
  }
}
