package dev.popvault.pop3;

import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.Provider;
import java.util.Locale;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;

/**
 * Chooses the TLS implementation: Conscrypt (BoringSSL, native) when its library loads, else the
 * JDK's own (JSSE). Conscrypt halves the CPU a TLS download costs (docs/performance.md); JSSE is
 * the fallback on platforms Conscrypt has no library for. Both are driven through the same JSSE
 * interfaces and the same trust manager, so the trust policy does not depend on the choice.
 *
 * <p>{@code POPVAULT_TLS} (environment) or the {@code popvault.tls} system property selects: {@code
 * auto} (default), {@code native} (Conscrypt or fail), {@code jdk}.
 */
public final class TlsProvider {
  /** What the user asked for. */
  enum Choice {
    AUTO,
    NATIVE,
    JDK
  }

  /** Loads Conscrypt once, on first use (its native library costs ~30 ms to load). */
  private static final class Loaded {
    static final Provider CONSCRYPT;
    static final Throwable WHY_NOT;

    static {
      Provider p = null;
      Throwable why = null;
      try {
        org.conscrypt.Conscrypt.checkAvailability();
        p = org.conscrypt.Conscrypt.newProvider();
      } catch (Throwable t) { // a missing or broken native library shows up as an Error
        why = t;
      }
      CONSCRYPT = p;
      WHY_NOT = why;
    }
  }

  private TlsProvider() {}

  /** Returns a one-line description of the provider a connection would use, for --version. */
  public static String describe() {
    try {
      Provider p = provider();
      if (p != null) {
        org.conscrypt.Conscrypt.Version v = org.conscrypt.Conscrypt.version();
        return "Conscrypt "
            + (v == null ? "" : v.major() + "." + v.minor() + "." + v.patch() + " ")
            + "(BoringSSL)";
      }
      return choice() == Choice.JDK
          ? "JDK (JSSE), as POPVAULT_TLS asks"
          : "JDK (JSSE): the native provider did not load on "
              + System.getProperty("os.name")
              + " "
              + System.getProperty("os.arch");
    } catch (Pop3Exception e) {
      return e.getMessage();
    }
  }

  /**
   * Starts a client handshake in memory (no network): loads and links the classes a TLS connection
   * uses, for the start-up caches the build and the launcher record ({@code popvault warmup}).
   */
  public static void exercise() throws Pop3Exception {
    Tls.Prepared prepared = Tls.prepare(TlsTrust.system());
    try {
      SSLEngine engine = prepared.context().createSSLEngine("localhost", 995);
      engine.setUseClientMode(true);
      engine.beginHandshake();
      ByteBuffer out = ByteBuffer.allocate(engine.getSession().getPacketBufferSize());
      engine.wrap(ByteBuffer.allocate(0), out);
    } catch (SSLException e) {
      throw new Pop3Exception(Pop3Exception.Kind.TLS, "cannot start a TLS handshake: " + e, e);
    }
  }

  /** Returns a TLS context from the chosen provider, not yet initialised. */
  static SSLContext newContext() throws Pop3Exception {
    Provider p = provider();
    try {
      return p == null ? SSLContext.getInstance("TLS") : SSLContext.getInstance("TLS", p);
    } catch (GeneralSecurityException e) {
      throw new Pop3Exception(Pop3Exception.Kind.TLS, "cannot set up TLS: " + e, e);
    }
  }

  /** Returns Conscrypt when chosen and loadable, null for the JDK's provider. */
  static Provider provider() throws Pop3Exception {
    Choice c = choice();
    if (c == Choice.JDK) {
      return null;
    }
    Provider p = Loaded.CONSCRYPT;
    if (p == null && c == Choice.NATIVE) {
      Throwable why = Loaded.WHY_NOT;
      throw new Pop3Exception(
          Pop3Exception.Kind.TLS,
          "POPVAULT_TLS=native, but the native TLS provider did not load"
              + (why == null || why.getMessage() == null
                  ? ""
                  : ": " + Text.sanitize(why.getMessage())),
          why);
    }
    return p;
  }

  static Choice choice() throws Pop3Exception {
    String v = System.getProperty("popvault.tls");
    if (v == null || v.isBlank()) {
      v = System.getenv("POPVAULT_TLS");
    }
    if (v == null || v.isBlank()) {
      return Choice.AUTO;
    }
    try {
      return Choice.valueOf(v.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new Pop3Exception(
          Pop3Exception.Kind.TLS,
          "POPVAULT_TLS is '" + Text.sanitize(v) + "'; it takes auto, native or jdk");
    }
  }
}
