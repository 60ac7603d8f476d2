package dev.popvault.pop3;

import static dev.popvault.pop3.Fixtures.kind;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.popvault.pop3.Pop3Exception.Kind;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** POPVAULT_TLS (here its system property) picks the provider, and a bad value is refused. */
class TlsProviderTest {
  private String saved;

  @BeforeEach
  void save() {
    saved = System.getProperty("popvault.tls");
  }

  @AfterEach
  void restore() {
    if (saved == null) {
      System.clearProperty("popvault.tls");
    } else {
      System.setProperty("popvault.tls", saved);
    }
  }

  @Test
  void nativeUsesConscryptOnThisPlatform() throws Exception {
    System.setProperty("popvault.tls", "native");
    assertThat(TlsProvider.newContext().getProvider().getName()).isEqualTo("Conscrypt");
    assertThat(TlsProvider.describe()).startsWith("Conscrypt 2.");
  }

  @Test
  void autoPrefersTheNativeProvider() throws Exception {
    System.setProperty("popvault.tls", "auto");
    assertThat(TlsProvider.newContext().getProvider().getName()).isEqualTo("Conscrypt");
  }

  @Test
  void jdkUsesTheBuiltInProvider() throws Exception {
    System.setProperty("popvault.tls", "JDK");
    assertThat(TlsProvider.newContext().getProvider().getName()).isEqualTo("SunJSSE");
    assertThat(TlsProvider.describe()).startsWith("JDK (JSSE)");
  }

  @Test
  void anUnknownChoiceIsRefusedInWords() {
    System.setProperty("popvault.tls", "openssl");
    assertThatThrownBy(TlsProvider::newContext)
        .isInstanceOfSatisfying(Pop3Exception.class, kind(Kind.TLS))
        .hasMessage("POPVAULT_TLS is 'openssl'; it takes auto, native or jdk");
  }
}
