package dev.popvault.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * bin/popvault picks the start-up cache by the Java release on PATH: Java 24+ trains an
 * ahead-of-time cache once (JEP 483/515) and uses it from then on; Java 17-23 uses the build's
 * class-data-sharing archive; Java 22+ allows native access. A stand-in {@code java} (its own
 * {@code release} file, a script that records its arguments and writes the cache files a real JVM
 * would) shows what the launcher asks of the JVM: the CI machine has no Java 24.
 */
class LauncherCacheIT {
  @TempDir Path tmp;

  private Path fakeJava(String release) throws Exception {
    Path jdk = tmp.resolve("jdk-" + release);
    Files.createDirectories(jdk.resolve("bin"));
    Files.writeString(jdk.resolve("release"), "JAVA_VERSION=\"" + release + "\"\n");
    Path java = jdk.resolve("bin/java");
    Files.writeString(
        java,
        """
        #!/usr/bin/env bash
        echo "$*" >> "$FAKE_JAVA_LOG"
        for a in "$@"; do
          case "$a" in
            -XX:AOTCacheOutput=*) echo trained > "${a#-XX:AOTCacheOutput=}" ;;
            -XX:AOTConfiguration=*) conf="${a#-XX:AOTConfiguration=}" ;;
            -XX:AOTCache=*) cache="${a#-XX:AOTCache=}" ;;
            -XX:AOTMode=*) mode="${a#-XX:AOTMode=}" ;;
          esac
        done
        case "${mode:-}" in
          record) echo recorded > "$conf" ;;
          create) [[ -f "$conf" ]] && echo created > "$cache" ;;
        esac
        exit 0
        """);
    Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
    return jdk.resolve("bin");
  }

  /** Runs bin/popvault --version with the stand-in first on PATH; returns its recorded calls. */
  private List<String> launch(Path javaBin, Path cache) throws Exception {
    Path log = tmp.resolve("java-calls.log");
    Files.deleteIfExists(log);
    ProcessBuilder pb =
        new ProcessBuilder(
            Path.of(System.getProperty("popvault.basedir", "."), "bin", "popvault").toString(),
            "--version");
    Map<String, String> env = pb.environment();
    env.put("PATH", javaBin + ":" + env.get("PATH"));
    env.put("XDG_CACHE_HOME", cache.toString());
    env.put("FAKE_JAVA_LOG", log.toString());
    env.remove("POPVAULT_JAVA_OPTS");
    pb.redirectErrorStream(true).redirectOutput(tmp.resolve("out.log").toFile());
    Process p = pb.start();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(Files.readString(tmp.resolve("out.log"))).isZero();
    return Files.readAllLines(log, StandardCharsets.UTF_8);
  }

  @Test
  void java25TrainsTheAheadOfTimeCacheOnceAndUsesIt() throws Exception {
    Path cache = tmp.resolve("cache");
    List<String> first = launch(fakeJava("25.0.1"), cache);
    assertThat(first).hasSize(2);
    assertThat(first.get(0)).contains("-XX:AOTCacheOutput=", " warmup");
    Path aot;
    try (var files = Files.list(cache.resolve("popvault"))) {
      aot = files.filter(f -> f.toString().endsWith("-java25.aot")).findFirst().orElseThrow();
    }
    assertThat(first.get(1))
        .contains("-XX:AOTCache=" + aot, "--enable-native-access=ALL-UNNAMED", "--version")
        .doesNotContain("SharedArchiveFile");
    assertThat(Files.getPosixFilePermissions(cache.resolve("popvault")))
        .isEqualTo(PosixFilePermissions.fromString("rwx------"));

    List<String> second = launch(fakeJava("25.0.1"), cache);
    assertThat(second).as("no second training").hasSize(1);
    assertThat(second.get(0)).contains("-XX:AOTCache=" + aot);
  }

  @Test
  void java24RecordsThenCreatesTheCache() throws Exception {
    Path cache = tmp.resolve("cache24");
    List<String> calls = launch(fakeJava("24"), cache);
    assertThat(calls).hasSize(3);
    assertThat(calls.get(0)).contains("-XX:AOTMode=record", " warmup");
    assertThat(calls.get(1)).contains("-XX:AOTMode=create");
    assertThat(calls.get(2)).contains("-XX:AOTCache=", "-java24.aot", "--version");
  }

  @Test
  void java17UsesTheClassDataSharingArchiveAndNoNativeAccessFlag() throws Exception {
    List<String> calls = launch(fakeJava("17.0.15"), tmp.resolve("cache17"));
    assertThat(calls).hasSize(1);
    assertThat(calls.get(0))
        .contains("-Djava.library.path=", "--version")
        .doesNotContain("AOT", "--enable-native-access");
    assertThat(tmp.resolve("cache17")).doesNotExist();
  }
}
