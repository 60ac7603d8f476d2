package dev.popvault.testsupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

class CorpusTest {

  @Test
  void standardIsDeterministicForASeedAndDiffersAcrossSeeds() {
    assertThat(Corpus.standard(1, false)).isEqualTo(Corpus.standard(1, false));
    assertThat(Corpus.standard(1, false)).isNotEqualTo(Corpus.standard(2, false));
    assertThat(Corpus.bulk(1, 5, 1000)).isEqualTo(Corpus.bulk(1, 5, 1000));
  }

  @Test
  void standardContainsEveryHostileCase() {
    List<CorpusMessage> corpus = Corpus.standard(42, false);
    assertContains(corpus, "a line starting 'From '", c -> hasLineStarting(c, "From "));
    assertContains(corpus, "a line starting '>From '", c -> hasLineStarting(c, ">From "));
    assertContains(corpus, "a line starting '>>From '", c -> hasLineStarting(c, ">>From "));
    assertContains(corpus, "raw UTF-8 Subject", c -> text(c).contains("Subject: Grüße"));
    assertContains(corpus, "a NUL byte", c -> indexOf(c, (byte) 0) >= 0);
    assertContains(corpus, "a bare CR", CorpusTest::hasBareCr);
    assertContains(
        corpus, "LF-only endings", c -> text(c).contains("\n") && !text(c).contains("\r"));
    assertContains(corpus, "no final newline", c -> c.length > 0 && c[c.length - 1] != '\n');
    assertContains(corpus, "a 200 KB line", c -> longestLine(c) >= 200 * 1024);
    assertContains(corpus, "a line that is just '.'", c -> hasLine(c, "."));
    assertContains(corpus, "a line starting '..'", c -> hasLineStarting(c, ".."));
    assertContains(corpus, "an empty body", c -> text(c).endsWith("\r\n\r\n"));
    assertContains(
        corpus, "only headers", c -> !text(c).contains("\n\n") && !text(c).contains("\r\n\r\n"));
    assertThat(corpus.stream().filter(m -> m.name().startsWith("r")).mapToInt(CorpusMessage::size))
        .hasSize(20)
        .allMatch(size -> size >= 1024 && size <= 310 * 1024);
    assertThat(corpus).noneMatch(m -> m.size() > 1024 * 1024);
  }

  @Test
  void hugeAttachmentIsAbout20MegabytesOnlyWhenAsked() {
    List<CorpusMessage> huge = Corpus.standard(42, true);
    assertThat(huge).hasSize(Corpus.standard(42, false).size() + 1);
    assertThat(huge).anyMatch(m -> m.size() >= 20 * 1024 * 1024 && m.size() < 22 * 1024 * 1024);
  }

  @Test
  void namesAreUniqueUidls() {
    List<CorpusMessage> corpus = Corpus.standard(3, true);
    assertThat(new HashSet<>(corpus.stream().map(CorpusMessage::name).toList()))
        .hasSize(corpus.size());
    assertThatThrownBy(() -> new CorpusMessage("a:2,", new byte[0]))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new CorpusMessage("x".repeat(71), new byte[0]))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void bulkHasTheRequestedCountAndSizes() {
    List<CorpusMessage> bulk = Corpus.bulk(9, 50, 4000);
    assertThat(bulk).hasSize(50);
    assertThat(bulk.get(0).name()).isEqualTo("bulk-000001");
    assertThat(bulk).allMatch(m -> m.size() >= 2000 && m.size() <= 6200);
  }

  @Test
  void expectedWireBytesFollowsDovecotsRules() {
    assertThat(wire("a\nb\n")).isEqualTo("a\r\nb\r\n");
    assertThat(wire("a\r\nb\r\n")).isEqualTo("a\r\nb\r\n");
    assertThat(wire("a\rb\r\r\n")).isEqualTo("a\rb\r\r\n");
    assertThat(wire("no newline")).isEqualTo("no newline\r\n");
    assertThat(wire("ends in cr\r")).isEqualTo("ends in cr\r\r\n");
    assertThat(wire("\n")).isEqualTo("\r\n");
    assertThat(Corpus.expectedListSize(bytes("no newline"))).isEqualTo(10);
    assertThat(Corpus.expectedListSize(bytes("a\nb\n"))).isEqualTo(6);
  }

  @Test
  void contentIsDefensivelyCopied() {
    CorpusMessage message = new CorpusMessage("m", new byte[] {1, 2});
    message.content()[0] = 9;
    assertThat(message.content()).containsExactly(1, 2);
  }

  private static void assertContains(
      List<CorpusMessage> corpus, String what, Predicate<byte[]> property) {
    assertThat(corpus.stream().map(CorpusMessage::content).anyMatch(property))
        .as("corpus has a message with " + what)
        .isTrue();
  }

  private static boolean hasLineStarting(byte[] content, String prefix) {
    return ("\n" + text(content)).contains("\n" + prefix);
  }

  private static boolean hasLine(byte[] content, String line) {
    String text = "\n" + text(content).replace("\r\n", "\n");
    return text.contains("\n" + line + "\n");
  }

  private static int longestLine(byte[] content) {
    int longest = 0;
    int start = 0;
    for (int i = 0; i < content.length; i++) {
      if (content[i] == '\n') {
        longest = Math.max(longest, i - start);
        start = i + 1;
      }
    }
    return Math.max(longest, content.length - start);
  }

  private static boolean hasBareCr(byte[] content) {
    for (int i = 0; i < content.length; i++) {
      if (content[i] == '\r' && (i + 1 == content.length || content[i + 1] != '\n')) {
        return true;
      }
    }
    return false;
  }

  private static int indexOf(byte[] content, byte value) {
    for (int i = 0; i < content.length; i++) {
      if (content[i] == value) {
        return i;
      }
    }
    return -1;
  }

  private static String wire(String stored) {
    return text(Corpus.expectedWireBytes(bytes(stored)));
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.ISO_8859_1);
  }

  private static String text(byte[] bytes) {
    return new String(bytes, StandardCharsets.UTF_8);
  }
}
