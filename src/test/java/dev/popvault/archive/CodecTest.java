package dev.popvault.archive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class CodecTest {
  @Test
  void parsesCliNamesInAnyCase() {
    assertThat(Codec.parse("zstd")).isEqualTo(Codec.ZSTD);
    assertThat(Codec.parse("GZip")).isEqualTo(Codec.GZIP);
    assertThat(Codec.parse("XZ")).isEqualTo(Codec.XZ);
    assertThat(Codec.parse("none")).isEqualTo(Codec.NONE);
    for (Codec c : Codec.values()) {
      assertThat(Codec.parse(c.cliName())).isEqualTo(c);
    }
  }

  @Test
  void refusesOtherNamesListingTheValidOnes() {
    assertThatThrownBy(() -> Codec.parse("bzip2"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("bzip2")
        .hasMessageContaining("zstd, gzip, xz, none");
    assertThatThrownBy(() -> Codec.parse(null)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void namesFileSuffixes() {
    assertThat(Codec.ZSTD.fileSuffix()).isEqualTo(".mbox.zst");
    assertThat(Codec.GZIP.fileSuffix()).isEqualTo(".mbox.gz");
    assertThat(Codec.XZ.fileSuffix()).isEqualTo(".mbox.xz");
    assertThat(Codec.NONE.fileSuffix()).isEqualTo(".mbox");
  }
}
