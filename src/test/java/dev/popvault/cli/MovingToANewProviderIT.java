package dev.popvault.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.popvault.testsupport.CliRun;
import dev.popvault.testsupport.Corpus;
import dev.popvault.testsupport.CorpusMessage;
import dev.popvault.testsupport.DovecotServer;
import dev.popvault.testsupport.ImapFolders;
import dev.popvault.testsupport.PasswordFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Follows the README's "Moving to a new provider" step by step: its commands are read from the
 * README itself and run against Dovecot (POP3 for the old provider, IMAP for the new one), with the
 * README's host names, ports and password files replaced by the test's. Nothing is lost or doubled.
 */
class MovingToANewProviderIT {
  private static final String OLD_PASSWORD = "old-Pa55";
  private static final String NEW_PASSWORD = "new-Pa55";
  private static DovecotServer dovecot;
  private static final Map<String, Integer> SENT = new HashMap<>();
  @TempDir static Path serverDir;
  @TempDir static Path home;

  @BeforeAll
  static void oldMailbox() throws Exception {
    dovecot = DovecotServer.start(serverDir);
    dovecot.addUser("alice-old", OLD_PASSWORD);
    dovecot.addUser("alice-new", NEW_PASSWORD);
    Thread.sleep(1100); // Dovecot re-reads its passwd-file about once a second.
    for (CorpusMessage m : Corpus.bulk(31, 40, 3000)) {
      dovecot.deliver("alice-old", m.name(), m.content());
      SENT.merge(ImapFolders.sha256(Corpus.expectedWireBytes(m.content())), 1, Integer::sum);
    }
    PasswordFiles.write(home.resolve(".old-pw"), OLD_PASSWORD + "\n");
    PasswordFiles.write(home.resolve(".new-pw"), NEW_PASSWORD + "\n");
  }

  @AfterAll
  static void stop() {
    if (dovecot != null) {
      dovecot.close();
    }
  }

  /** The README's commands for the walkthrough, in order, as the shell would split them. */
  private static List<List<String>> readmeCommands() throws Exception {
    String readme =
        Files.readString(Path.of(System.getProperty("popvault.basedir", "."), "README.md"));
    int section = readme.indexOf("\n## Moving to a new provider\n");
    assertThat(section).as("README section").isPositive();
    int start = readme.indexOf("```sh\n", section) + "```sh\n".length();
    int end = readme.indexOf("```", start);
    List<List<String>> commands = new ArrayList<>();
    for (String line : readme.substring(start, end).split("\n")) {
      if (line.startsWith("popvault ")) {
        commands.add(new ArrayList<>(List.of(line.substring("popvault ".length()).split(" +"))));
      }
    }
    return commands;
  }

  /** One README command with the test's server, password files and archive directory. */
  private static CliRun run(List<String> readme) {
    List<String> args = new ArrayList<>();
    for (String word : readme) {
      switch (word) {
        case "pop3s://alice@pop.old.example.com" -> {
          args.add("pop3://alice-old@127.0.0.1:" + dovecot.pop3Port());
          args.addAll(List.of("--ca-file", dovecot.caFile().toString()));
        }
        case "imaps://alice@imap.new.example.net/Old-Mail" -> {
          args.add("imap://alice-new@127.0.0.1:" + dovecot.imapPort() + "/Old-Mail");
          args.addAll(List.of("--ca-file", dovecot.caFile().toString()));
        }
        case "~/.old-pw" -> args.add(home.resolve(".old-pw").toString());
        case "~/.new-pw" -> args.add(home.resolve(".new-pw").toString());
        default -> args.add(word);
      }
    }
    args.addAll(List.of("--archive-dir", home.resolve("mail-archive").toString()));
    return CliRun.of(args.toArray(String[]::new));
  }

  @Test
  void theReadmeWalkthroughMovesEveryMessageOnce() throws Exception {
    List<List<String>> steps = readmeCommands();
    assertThat(steps)
        .extracting(s -> s.get(0))
        .containsExactly("archive", "verify", "upload", "upload", "upload", "search");
    int n = SENT.values().stream().mapToInt(Integer::intValue).sum();

    CliRun archive = run(steps.get(0));
    assertThat(archive.exitCode()).as(archive.describe()).isZero();
    CliRun verify = run(steps.get(1));
    assertThat(verify.exitCode()).as(verify.describe()).isZero();

    CliRun dryRun = run(steps.get(2));
    assertThat(dryRun.exitCode()).as(dryRun.describe()).isZero();
    assertThat(dryRun.out().lines().filter(l -> l.contains(" would go to Old-Mail"))).hasSize(n);
    assertThat(ImapFolders.digests(dovecot, "alice-new", NEW_PASSWORD, "Old-Mail")).isEmpty();

    CliRun upload = run(steps.get(3));
    assertThat(upload.exitCode()).as(upload.describe()).isZero();
    assertThat(upload.err()).contains("uploaded " + n + " of " + n);

    CliRun again = run(steps.get(4));
    assertThat(again.exitCode()).as(again.describe()).isZero();
    assertThat(again.err()).contains("uploaded 0 of " + n).contains(n + " uploaded before");

    CliRun search = run(steps.get(5));
    assertThat(search.exitCode()).as(search.describe()).isZero();
    int listed = new ObjectMapper().readTree(search.out()).get("messages").size();
    Map<String, Integer> folder =
        ImapFolders.digests(dovecot, "alice-new", NEW_PASSWORD, "Old-Mail");
    assertThat(listed).isEqualTo(n);
    assertThat(folder.values().stream().mapToInt(Integer::intValue).sum()).isEqualTo(listed);
    assertThat(folder)
        .as("the new folder holds each old message once, byte for byte")
        .isEqualTo(SENT);
  }
}
