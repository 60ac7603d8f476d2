package dev.popvault.pop3;

import java.time.Duration;
import java.util.Objects;

/**
 * Says how to reach and trust a server.
 *
 * <p>{@code implicitTls} true means pop3s (TLS from the first byte). False means a plain connection
 * that is upgraded with STLS when CAPA offers it; when STLS is not offered the connection is
 * refused unless {@code allowPlaintext} is set. An offered STLS is always used, whatever {@code
 * allowPlaintext} says: never downgrade.
 *
 * @param host host name or address literal
 * @param port TCP port, 1–65535
 * @param implicitTls whether TLS starts with the first byte
 * @param allowPlaintext whether credentials may be sent without TLS when STLS is not offered
 * @param trust how the server certificate is verified
 * @param connectTimeout bound on establishing the TCP connection
 * @param readTimeout bound on each wait for server data; names the command when exceeded
 * @param pipelineWindow most commands in flight when the server offers PIPELINING (at least 1)
 */
public record Pop3Settings(
    String host,
    int port,
    boolean implicitTls,
    boolean allowPlaintext,
    TlsTrust trust,
    Duration connectTimeout,
    Duration readTimeout,
    int pipelineWindow) {

  /** Default connect timeout. */
  public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(30);

  /** Default read timeout. */
  public static final Duration DEFAULT_READ_TIMEOUT = Duration.ofSeconds(120);

  /**
   * Default pipeline window. Large enough to keep a long link busy (the bandwidth-delay product: at
   * a 50 ms round trip, 32 commands of ~50 KB messages capped a transfer at ~30 MB/s), small enough
   * that the commands of a full window (~13 bytes each, under 7 KB) always fit the socket buffers,
   * so writing them can never block while the server's replies wait to be read.
   */
  public static final int DEFAULT_PIPELINE_WINDOW = 512;

  /** Validates every field. */
  public Pop3Settings {
    Objects.requireNonNull(host, "host");
    Objects.requireNonNull(trust, "trust");
    Objects.requireNonNull(connectTimeout, "connectTimeout");
    Objects.requireNonNull(readTimeout, "readTimeout");
    if (host.isBlank()) {
      throw new IllegalArgumentException("host is empty");
    }
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("port out of range: " + port);
    }
    if (!isPositiveMillis(connectTimeout) || !isPositiveMillis(readTimeout)) {
      throw new IllegalArgumentException("timeouts must be between 1 ms and 24 days");
    }
    if (pipelineWindow < 1) {
      throw new IllegalArgumentException("pipelineWindow must be >= 1: " + pipelineWindow);
    }
  }

  /** Returns settings with the default trust, timeouts and window, plaintext not allowed. */
  public static Pop3Settings of(String host, int port, boolean implicitTls) {
    return new Pop3Settings(
        host,
        port,
        implicitTls,
        false,
        TlsTrust.system(),
        DEFAULT_CONNECT_TIMEOUT,
        DEFAULT_READ_TIMEOUT,
        DEFAULT_PIPELINE_WINDOW);
  }

  private static boolean isPositiveMillis(Duration d) {
    return !d.isNegative() && d.toMillis() >= 1 && d.toMillis() <= Integer.MAX_VALUE;
  }
}
