package dev.popvault.pop3;

import static org.assertj.core.api.Assertions.assertThat;

import dev.popvault.testsupport.FakeMailbox;
import dev.popvault.testsupport.ScriptedPop3Server;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Properties of the POP3 reply parsing, on untrusted server bytes: valid status lines, UIDL and
 * LIST listings and RETR bodies parse to exactly what they say; arbitrary garbage (including lines
 * far over the line limit) makes the client fail only with {@link Pop3Exception} (or {@link
 * IllegalArgumentException}), never with another exception, a hang or unbounded memory. Listings
 * and bodies go through the real client over a real socket to a scripted server.
 */
class ResponseParserProperties {
  private static final String[] GARBAGE_TOKENS = {
    "+OK",
    "-ERR",
    "+OK ",
    " ",
    "  ",
    "\r\n",
    "\n",
    "\r",
    ".",
    "..",
    ".\r\n",
    "\r\n.\r\n",
    "0",
    "1",
    "2",
    "7",
    "-1",
    "4294967296",
    "99999999999999",
    "1099511627777",
    "uid",
    "abc",
    "\t",
    "\u0000",
    "\u001b",
    "\u007f",
    "\u00ff",
    "+",
    "x".repeat(9000),
  };

  private enum Target {
    GREETING,
    UIDL,
    LIST,
    RETR
  }

  private static volatile Target target;
  private static volatile byte[] payload;
  private static ScriptedPop3Server server;

  @BeforeContainer
  static void startServer() throws IOException {
    server =
        ScriptedPop3Server.start(
            c -> {
              try {
                if (target == Target.GREETING) {
                  c.sendRaw(payload);
                } else {
                  c.greet("ready");
                  c.answerCapa("USER", "UIDL");
                  c.expectPrefix("USER ");
                  c.send("+OK");
                  c.expectPrefix("PASS ");
                  c.send("+OK");
                  c.answerCapa("USER", "UIDL");
                  c.readLine();
                  c.sendRaw(payload);
                }
                // EOF after the payload: a client waiting for more fails at once instead of
                // hanging.
                c.socket().shutdownOutput();
                c.clientClosesWithin(Duration.ofSeconds(10));
              } catch (IOException e) {
                // The client hung up on garbage, as it may.
              }
            });
  }

  @AfterContainer
  static void stopServer() {
    server.close();
  }

  private static byte[] latin1(String s) {
    return s.getBytes(StandardCharsets.ISO_8859_1);
  }

  private static Pop3Client connectAndLogin() throws IOException {
    return Fixtures.connectAndLogin(server.port(), Pop3Log.NONE);
  }

  // ------------------------------------------------------------ generators

  @Provide
  @SuppressWarnings("unchecked")
  Arbitrary<byte[]> garbage() {
    Arbitrary<byte[]> tokens =
        Arbitraries.of(GARBAGE_TOKENS)
            .list()
            .ofMaxSize(60)
            .map(parts -> latin1(String.join("", parts)));
    Arbitrary<byte[]> raw = Arbitraries.bytes().array(byte[].class).ofMaxSize(2000);
    // A valid-looking start followed by garbage, so parsing gets past the status line.
    Arbitrary<byte[]> okThenGarbage =
        tokens.map(
            t -> {
              ByteArrayOutputStream out = new ByteArrayOutputStream();
              out.writeBytes(latin1("+OK\r\n"));
              out.writeBytes(t);
              return out.toByteArray();
            });
    return Arbitraries.frequencyOf(
        Tuple.of(3, tokens), Tuple.of(1, raw), Tuple.of(4, okThenGarbage));
  }

  @Provide
  Arbitrary<String> validUidl() {
    return Arbitraries.strings()
        .withCharRange((char) 0x21, (char) 0x7E)
        .ofMinLength(1)
        .ofMaxLength(70);
  }

  @Provide
  Arbitrary<List<String>> distinctUidls() {
    return validUidl().list().ofMaxSize(40).uniqueElements();
  }

  @Provide
  Arbitrary<List<Long>> sizes() {
    return Arbitraries.longs().between(0, ListingReader.MAX_SIZE).list().ofMaxSize(40);
  }

  @Provide
  Arbitrary<String> anyText() {
    return Arbitraries.strings().all().ofMaxLength(80);
  }

  // ------------------------------------------------------------ pure parsers

  @Property(tries = 2000)
  void numbersInRangeParseExactly(@ForAll("numbers") Tuple.Tuple2<Long, Long> valueAndMax)
      throws Exception {
    long value = valueAndMax.get1();
    long max = valueAndMax.get2();
    String word = Long.toString(value);
    if (value <= max) {
      assertThat(Replies.parseNumber(word, max, "n")).isEqualTo(value);
    } else {
      assertThatFailsWithPop3Exception(() -> Replies.parseNumber(word, max, "n"));
    }
  }

  @Provide
  Arbitrary<Tuple.Tuple2<Long, Long>> numbers() {
    Arbitrary<Long> values =
        Arbitraries.oneOf(
            Arbitraries.longs().between(0, 9_999_999_999_999L),
            Arbitraries.longs().between(0, 1000));
    return Combinators.combine(values, values).as(Tuple::of);
  }

  @Property(tries = 3000)
  void anyWordEitherParsesAsADecimalOrIsAPop3Exception(@ForAll("anyText") String word) {
    try {
      long v = Replies.parseNumber(word, ListingReader.MAX_SIZE, "size");
      assertThat(word).matches("[0-9]{1,13}");
      assertThat(v).isBetween(0L, ListingReader.MAX_SIZE).isEqualTo(Long.parseLong(word));
    } catch (Pop3Exception e) {
      assertThat(e.kind()).isEqualTo(Pop3Exception.Kind.PROTOCOL);
      assertThat(e.getMessage()).doesNotContain("\r", "\n");
    }
  }

  @Property(tries = 3000)
  void statusLinePredicatesNeverThrow(@ForAll("anyText") String line) {
    boolean ok = Replies.isOk(line);
    boolean err = Replies.isErr(line);
    assertThat(ok && err).isFalse();
    assertThat(Replies.after(line, 3)).isNotNull();
    assertThat(Replies.after(line, 4)).isNotNull();
    assertThat(Replies.isOk("+OK " + line)).isTrue();
    assertThat(Replies.isErr("-ERR " + line)).isTrue();
    assertThat(Replies.after("+OK " + line, 3)).isEqualTo(line);
  }

  @Property(tries = 2000)
  void validUidlsAreAccepted(@ForAll("validUidl") String value) throws Exception {
    assertThat(Uidl.fromServer(value).value()).isEqualTo(value);
  }

  @Property(tries = 3000)
  void anyTextIsAValidUidlOrAPop3Exception(@ForAll("anyText") String value) {
    boolean valid =
        !value.isEmpty()
            && value.length() <= 70
            && value.chars().allMatch(ch -> ch >= 0x21 && ch <= 0x7E);
    try {
      Uidl.fromServer(value);
      assertThat(valid).as("accepted %s", value).isTrue();
    } catch (Pop3Exception e) {
      assertThat(valid).as("rejected %s", value).isFalse();
      assertThat(Text.sanitize(e.getMessage())).isEqualTo(e.getMessage());
    }
  }

  // ------------------------------------------------------------ listings over a socket

  @Property(tries = 200)
  void validUidlListingsParse(@ForAll("distinctUidls") List<String> uidls) throws Exception {
    StringBuilder sb = new StringBuilder("+OK ").append(uidls.size()).append(" messages\r\n");
    for (int i = 0; i < uidls.size(); i++) {
      sb.append(i + 1).append(i % 3 == 0 ? "  " : " ").append(uidls.get(i)).append("\r\n");
    }
    sb.append(".\r\n");
    target = Target.UIDL;
    payload = latin1(sb.toString());
    try (Pop3Client client = connectAndLogin()) {
      List<UidlEntry> entries = client.uidl();
      assertThat(entries).hasSize(uidls.size());
      for (int i = 0; i < uidls.size(); i++) {
        assertThat(entries.get(i).number()).isEqualTo(i + 1);
        assertThat(entries.get(i).uidl().value()).isEqualTo(uidls.get(i));
      }
    }
  }

  @Property(tries = 200)
  void validListListingsParse(
      @ForAll("sizes") List<Long> sizes, @ForAll("validUidl") String trailing) throws Exception {
    StringBuilder sb = new StringBuilder("+OK scan listing follows\r\n");
    for (int i = 0; i < sizes.size(); i++) {
      sb.append(i + 1).append(' ').append(sizes.get(i));
      if (i % 2 == 1) {
        sb.append(' ').append(trailing); // RFC 1939 allows more text after the size
      }
      sb.append("\r\n");
    }
    sb.append(".\r\n");
    target = Target.LIST;
    payload = latin1(sb.toString());
    try (Pop3Client client = connectAndLogin()) {
      List<ListEntry> entries = client.list();
      List<Long> parsed = new ArrayList<>();
      for (int i = 0; i < entries.size(); i++) {
        assertThat(entries.get(i).number()).isEqualTo(i + 1);
        parsed.add(entries.get(i).size());
      }
      assertThat(parsed).isEqualTo(sizes);
    }
  }

  @Property(tries = 300)
  void garbageUidlListingsFailOnlyWithPop3Exception(@ForAll("garbage") byte[] reply)
      throws Exception {
    target = Target.UIDL;
    payload = reply;
    try (Pop3Client client = connectAndLogin()) {
      List<UidlEntry> entries = client.uidl();
      Set<Integer> numbers = new HashSet<>();
      Set<String> ids = new HashSet<>();
      for (UidlEntry e : entries) {
        assertThat(e.number()).isPositive();
        assertThat(numbers.add(e.number())).isTrue();
        assertThat(ids.add(e.uidl().value())).isTrue();
      }
    } catch (Pop3Exception | IllegalArgumentException expected) {
      assertOneLine(expected);
    }
  }

  @Property(tries = 300)
  void garbageListListingsFailOnlyWithPop3Exception(@ForAll("garbage") byte[] reply)
      throws Exception {
    target = Target.LIST;
    payload = reply;
    try (Pop3Client client = connectAndLogin()) {
      Set<Integer> numbers = new HashSet<>();
      for (ListEntry e : client.list()) {
        assertThat(e.number()).isPositive();
        assertThat(numbers.add(e.number())).isTrue();
        assertThat(e.size()).isBetween(0L, ListingReader.MAX_SIZE);
      }
    } catch (Pop3Exception | IllegalArgumentException expected) {
      assertOneLine(expected);
    }
  }

  @Property(tries = 300)
  void garbageGreetingsFailOnlyWithPop3Exception(@ForAll("garbage") byte[] greeting)
      throws Exception {
    target = Target.GREETING;
    payload = greeting;
    try (Pop3Client client = Pop3Client.connect(Fixtures.plain(server.port()), Pop3Log.NONE)) {
      assertThat(client.greeting()).doesNotContain("\r", "\n", "\u0000", "\u001b");
    } catch (Pop3Exception | IllegalArgumentException expected) {
      assertOneLine(expected);
    }
  }

  // ------------------------------------------------------------ RETR bodies over a socket

  @Provide
  @SuppressWarnings("unchecked")
  Arbitrary<byte[]> bodies() {
    Arbitrary<byte[]> tokens =
        Arbitraries.of(
                ".",
                "..",
                "\r\n",
                "\n",
                "\r",
                ".\r\n",
                "\r\n.\r\n",
                "\r\n..\r\n",
                "a",
                "From ",
                " ")
            .list()
            .ofMaxSize(200)
            .map(parts -> latin1(String.join("", parts)));
    return Arbitraries.frequencyOf(
        Tuple.of(4, tokens), Tuple.of(1, Arbitraries.bytes().array(byte[].class).ofMaxSize(5000)));
  }

  @Property(tries = 300)
  void dotStuffedBodiesComeBackExactly(@ForAll("bodies") byte[] body) throws Exception {
    target = Target.RETR;
    ByteArrayOutputStream wire = new ByteArrayOutputStream();
    wire.writeBytes(latin1("+OK " + body.length + " octets\r\n"));
    wire.writeBytes(FakeMailbox.stuffed(body));
    payload = wire.toByteArray();
    // The fake server ends a body without a final line end with CRLF, as Dovecot does.
    ByteArrayOutputStream expected = new ByteArrayOutputStream();
    expected.writeBytes(body);
    if (body.length > 0 && body[body.length - 1] != '\n') {
      expected.writeBytes(latin1("\r\n"));
    }
    List<byte[]> got = new ArrayList<>();
    try (Pop3Client client = connectAndLogin()) {
      client.retrieve(List.of(1), (n, in) -> got.add(in.readAllBytes()));
    }
    assertThat(got).hasSize(1);
    assertThat(got.get(0)).isEqualTo(expected.toByteArray());
  }

  @Property(tries = 300)
  void garbageRetrRepliesFailOnlyWithPop3Exception(@ForAll("garbage") byte[] reply)
      throws Exception {
    target = Target.RETR;
    payload = reply;
    try (Pop3Client client = connectAndLogin()) {
      client.retrieve(List.of(1), (n, in) -> in.transferTo(OutputStreamSink.INSTANCE));
    } catch (Pop3Exception | IllegalArgumentException expected) {
      assertOneLine(expected);
    }
  }

  /** Discards bytes. */
  private static final class OutputStreamSink extends java.io.OutputStream {
    static final OutputStreamSink INSTANCE = new OutputStreamSink();

    @Override
    public void write(int b) {}

    @Override
    public void write(byte[] b, int off, int len) {}
  }

  // ------------------------------------------------------------ helpers

  private static void assertOneLine(Exception e) {
    assertThat(e.getMessage()).isNotNull().doesNotContain("\r", "\n");
    assertThat(e.getMessage().length()).isLessThan(1000);
  }

  @FunctionalInterface
  private interface Call {
    void run() throws Exception;
  }

  private static void assertThatFailsWithPop3Exception(Call call) throws Exception {
    try {
      call.run();
    } catch (Pop3Exception e) {
      assertThat(e.kind()).isEqualTo(Pop3Exception.Kind.PROTOCOL);
      return;
    }
    throw new AssertionError("expected a Pop3Exception");
  }
}
