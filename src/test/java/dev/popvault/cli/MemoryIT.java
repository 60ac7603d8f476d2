package dev.popvault.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.popvault.testsupport.ArchiveTools;
import dev.popvault.testsupport.CliRun;
import dev.popvault.testsupport.Corpus;
import dev.popvault.testsupport.CorpusMessage;
import dev.popvault.testsupport.DovecotServer;
import dev.popvault.testsupport.LedgerProbe;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Issue 9 item 5: every codec, with any batch size, over many frames, stays within the launcher's
 * default heap. Runs the real launcher (bin/popvault, so its -Xmx and GC flags) as a child process
 * against Dovecot, and checks the exit code, the ledger, {@code popvault verify}, the standard tool
 * and the server. Before the fix, {@code --codec xz} died of an exhausted heap at the third frame.
 */
class MemoryIT {
  private static final String PASSWORD = "memory-pass";
  // Batch size 1 makes one frame per message; 20 makes frames of several messages.
  private static final int SINGLES = 25;
  private static final int BATCHED = 40;
  private static final int PARALLEL = 3;
  private static final int PER_ACCOUNT = 20;

  private static DovecotServer dovecot;

  @TempDir static Path serverDir;
  @TempDir static Path work;

  @BeforeAll
  static void startDovecot() {
    DovecotServer.requireAvailable();
    ArchiveTools.requireAvailable();
    dovecot = DovecotServer.start(serverDir);
    // Dovecot rereads its passwd-file lazily: add every user now, before any login.
    for (String codec : List.of("zstd", "gzip", "xz", "none")) {
      dovecot.addUser("mem-" + codec, PASSWORD);
    }
    for (int i = 1; i <= PARALLEL; i++) {
      dovecot.addUser("par-" + i, PASSWORD);
    }
    dovecot.addUser("small-heap", PASSWORD);
    dovecot.addUser("headroom", PASSWORD);
  }

  @AfterAll
  static void stopDovecot() {
    if (dovecot != null) {
      dovecot.close();
    }
  }

  /**
   * 25 one-message frames, then 40 messages in frames of 20, into one file: both runs exit 0, the
   * ledger holds every message in 27 frames, verify passes, and the standard tool reads every
   * message back as archived.
   */
  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"zstd", "gzip", "xz", "none"})
  void everyCodecArchivesManySmallFramesWithinTheDefaultHeap(String codec) throws Exception {
    String user = "mem-" + codec;
    Path archiveDir = work.resolve("archive-" + codec);
    List<CorpusMessage> corpus = Corpus.bulk(codec.hashCode(), SINGLES + BATCHED, 2000);
    deliver(user, corpus.subList(0, SINGLES));
    Child first = archive(List.of(url(user)), archiveDir, Map.of(), codec, "--batch-size", "1");
    assertThat(first.exit()).as(first.describe()).isZero();
    deliver(user, corpus.subList(SINGLES, corpus.size()));
    Child second = archive(List.of(url(user)), archiveDir, Map.of(), codec, "--batch-size", "20");
    assertThat(second.exit()).as(second.describe()).isZero();
    assertThat(second.output()).contains(BATCHED + " new, " + SINGLES + " skipped");

    Path ledger = archiveDir.resolve("ledger.db");
    assertThat(LedgerProbe.number(ledger, "select count(*) from message"))
        .isEqualTo(SINGLES + BATCHED);
    assertThat(LedgerProbe.number(ledger, "select count(*) from frame"))
        .isEqualTo(SINGLES + BATCHED / 20);
    CliRun verify = CliRun.of("verify", "--archive-dir", archiveDir.toString());
    assertThat(verify.exitCode()).as(verify.describe()).isZero();
    assertThat(archiveFiles(archiveDir)).hasSize(1);
    assertReadableByTheStandardTool(archiveFiles(archiveDir).get(0), corpus);
  }

  /**
   * The xz encoder leaves a quarter of the default heap to the rest of the run (ledger keys and
   * listings grow with the mailbox): one-message frames still pass in 96 MiB. With preset 6's own 8
   * MiB dictionary the encoder alone needs 93 MiB and this run dies.
   */
  @Test
  void xzLeavesAQuarterOfTheDefaultHeapToTheRestOfTheRun() throws Exception {
    String user = "headroom";
    List<CorpusMessage> corpus = Corpus.bulk(96, 15, 2000);
    deliver(user, corpus);
    Path archiveDir = work.resolve("archive-headroom");
    Child run =
        archive(
            List.of(url(user)),
            archiveDir,
            Map.of("POPVAULT_JAVA_OPTS", "-Xmx96m -XX:+UseSerialGC"),
            "xz",
            "--batch-size",
            "1");
    assertThat(run.exit()).as(run.describe()).isZero();
    assertThat(LedgerProbe.number(archiveDir.resolve("ledger.db"), "select count(*) from frame"))
        .isEqualTo(corpus.size());
    assertReadableByTheStandardTool(archiveFiles(archiveDir).get(0), corpus);
  }

  /**
   * Three accounts archived at once with xz: each xz encoder takes a third of the heap, so they
   * take turns (the encoder budget) instead of exhausting it together.
   */
  @Test
  void parallelXzAccountsShareTheDefaultHeap() throws Exception {
    List<String> urls = new ArrayList<>();
    for (int i = 1; i <= PARALLEL; i++) {
      deliver("par-" + i, Corpus.bulk(100 + i, PER_ACCOUNT, 2000));
      urls.add(url("par-" + i));
    }
    Path archiveDir = work.resolve("archive-parallel");
    Child run =
        archive(
            urls,
            archiveDir,
            Map.of(),
            "xz",
            "--batch-size",
            "5",
            "--parallel",
            Integer.toString(PARALLEL));
    assertThat(run.exit()).as(run.describe()).isZero();
    Path ledger = archiveDir.resolve("ledger.db");
    assertThat(LedgerProbe.number(ledger, "select count(*) from message"))
        .isEqualTo(PARALLEL * PER_ACCOUNT);
    assertThat(LedgerProbe.number(ledger, "select count(*) from frame"))
        .isEqualTo(PARALLEL * PER_ACCOUNT / 5);
    CliRun verify = CliRun.of("verify", "--archive-dir", archiveDir.toString());
    assertThat(verify.exitCode()).as(verify.describe()).isZero();
  }

  /**
   * A heap too small for the xz encoder (40 MiB): one line naming the cause, exit 70, no stack
   * trace; nothing recorded, the frame cut back, nothing deleted (M4, M2). A run with the default
   * heap then archives and deletes everything.
   */
  @Test
  void anExhaustedHeapIsOneLineAndExit70AndCommitsNothing() throws Exception {
    String user = "small-heap";
    List<CorpusMessage> corpus = Corpus.bulk(77, 20, 2000);
    deliver(user, corpus);
    Path archiveDir = work.resolve("archive-small-heap");
    Child starved =
        archive(
            List.of(url(user)),
            archiveDir,
            Map.of("POPVAULT_JAVA_OPTS", "-Xmx40m -XX:+UseSerialGC"),
            "xz",
            "--batch-size",
            "10",
            "--delete");
    assertThat(starved.exit()).as(starved.describe()).isEqualTo(70);
    assertThat(starved.output().strip().lines().toList())
        .as(starved.describe())
        .singleElement()
        .satisfies(
            line ->
                assertThat(line)
                    .startsWith("popvault: out of memory (heap limit ")
                    .contains("a bug")
                    .doesNotContain("java.", "Exception", "Error"));
    Path ledger = archiveDir.resolve("ledger.db");
    assertThat(LedgerProbe.number(ledger, "select count(*) from message")).isZero();
    assertThat(LedgerProbe.number(ledger, "select count(*) from frame")).isZero();
    for (Path file : archiveFiles(archiveDir)) {
      assertThat(Files.size(file))
          .as("bytes past the committed length of " + file)
          .isEqualTo(
              LedgerProbe.number(
                  ledger, "select coalesce(sum(committed_length), 0) from archive_file"));
    }
    assertThat(dovecot.remainingMessages(user)).hasSize(corpus.size());

    Child fed =
        archive(List.of(url(user)), archiveDir, Map.of(), "xz", "--batch-size", "10", "--delete");
    assertThat(fed.exit()).as(fed.describe()).isZero();
    assertThat(fed.output()).contains(corpus.size() + " new, 0 skipped, " + corpus.size());
    assertThat(dovecot.remainingMessages(user)).isEmpty();
    CliRun verify = CliRun.of("verify", "--archive-dir", archiveDir.toString());
    assertThat(verify.exitCode()).as(verify.describe()).isZero();
    assertReadableByTheStandardTool(archiveFiles(archiveDir).get(0), corpus);
  }

  private static void deliver(String user, List<CorpusMessage> messages) {
    for (CorpusMessage m : messages) {
      dovecot.deliver(user, m.name(), m.content());
    }
  }

  private static String url(String user) {
    return "pop3://" + user + "@127.0.0.1:" + dovecot.pop3Port();
  }

  /** Checks that the codec's own tool (zstdcat, zcat, xzcat, cat) reads every message, exactly. */
  private static void assertReadableByTheStandardTool(Path file, List<CorpusMessage> corpus) {
    List<String> read = new ArrayList<>();
    for (byte[] m : ArchiveTools.readWithPythonMailbox(file)) {
      read.add(HexFormat.of().formatHex(m));
    }
    List<String> expected = new ArrayList<>();
    for (CorpusMessage m : corpus) {
      byte[] wire = Corpus.expectedWireBytes(m.content());
      expected.add(HexFormat.of().formatHex(ArchiveTools.mboxrdExpected(wire)));
    }
    assertThat(read).as(file.toString()).containsExactlyInAnyOrderElementsOf(expected);
  }

  private static List<Path> archiveFiles(Path archiveDir) throws IOException {
    try (Stream<Path> files = Files.walk(archiveDir)) {
      return files
          .filter(p -> p.getFileName().toString().contains(".mbox"))
          .sorted(Comparator.naturalOrder())
          .toList();
    }
  }

  private static Child archive(
      List<String> urls, Path archiveDir, Map<String, String> env, String codec, String... extra)
      throws Exception {
    List<String> args = new ArrayList<>();
    args.add("archive");
    args.addAll(urls);
    args.addAll(
        List.of(
            "--ca-file",
            dovecot.caFile().toString(),
            "--archive-dir",
            archiveDir.toString(),
            "--codec",
            codec));
    args.addAll(List.of(extra));
    return launcher(args, env);
  }

  /** Runs bin/popvault with {@code args}; the password travels in the environment. */
  private static Child launcher(List<String> args, Map<String, String> env) throws Exception {
    Path launcher = Path.of(System.getProperty("popvault.basedir", "."), "bin", "popvault");
    List<String> command = new ArrayList<>();
    command.add(launcher.toString());
    command.addAll(args);
    Path log = Files.createTempFile(work, "child-", ".log");
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
    pb.redirectOutput(log.toFile());
    pb.environment().put("POPVAULT_PASSWORD", PASSWORD);
    pb.environment().remove("POPVAULT_JAVA_OPTS");
    pb.environment().putAll(env);
    Process child = pb.start();
    if (!child.waitFor(120, TimeUnit.SECONDS)) {
      child.destroyForcibly();
      throw new AssertionError("timed out: " + command + "\n" + Files.readString(log));
    }
    return new Child(command, child.exitValue(), Files.readString(log));
  }

  private record Child(List<String> command, int exit, String output) {
    String describe() {
      return String.join(" ", command) + "\n exit " + exit + "\n" + output;
    }
  }
}
