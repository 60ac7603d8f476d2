package dev.popvault.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class UserPathsTest {
  private static final String PASSWD_HOME = "/home/login";

  @Test
  void homeIsTheHomeVariableAndUserHomeOnlyWhenItIsUnsetOrEmpty() {
    assertThat(UserPaths.of(Map.of("HOME", "/srv/backup"), PASSWD_HOME).home())
        .isEqualTo(Path.of("/srv/backup"));
    assertThat(UserPaths.of(Map.of(), PASSWD_HOME).home()).isEqualTo(Path.of(PASSWD_HOME));
    assertThat(UserPaths.of(Map.of("HOME", ""), PASSWD_HOME).home())
        .isEqualTo(Path.of(PASSWD_HOME));
    assertThatThrownBy(() -> UserPaths.of(Map.of(), null).home())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("HOME");
  }

  @Test
  void expandsALeadingTildeOnly() {
    UserPaths paths = UserPaths.of(Map.of("HOME", "/srv/backup"), PASSWD_HOME);
    assertThat(paths.expand("~")).isEqualTo(Path.of("/srv/backup"));
    assertThat(paths.expand("~/")).isEqualTo(Path.of("/srv/backup"));
    assertThat(paths.expand("~/mail/archive")).isEqualTo(Path.of("/srv/backup/mail/archive"));
    assertThat(paths.expand("/abs/~/x")).isEqualTo(Path.of("/abs/~/x"));
    assertThat(paths.expand("~other/x")).isEqualTo(Path.of("~other/x"));
    assertThat(paths.expand("rel/x")).isEqualTo(Path.of("rel/x"));
  }

  @Test
  void xdgDirectoriesFollowHomeUnlessSetToAnAbsolutePath() {
    UserPaths plain = UserPaths.of(Map.of("HOME", "/h"), PASSWD_HOME);
    assertThat(plain.dataHome()).isEqualTo(Path.of("/h/.local/share"));
    assertThat(plain.configHome()).isEqualTo(Path.of("/h/.config"));
    assertThat(plain.cacheHome()).isEqualTo(Path.of("/h/.cache"));

    UserPaths set =
        UserPaths.of(
            Map.of(
                "HOME", "/h",
                "XDG_DATA_HOME", "/d",
                "XDG_CONFIG_HOME", "/c",
                "XDG_CACHE_HOME", "/k"),
            PASSWD_HOME);
    assertThat(set.dataHome()).isEqualTo(Path.of("/d"));
    assertThat(set.configHome()).isEqualTo(Path.of("/c"));
    assertThat(set.cacheHome()).isEqualTo(Path.of("/k"));

    // The XDG specification: a relative path is invalid and ignored.
    UserPaths relative =
        UserPaths.of(Map.of("HOME", "/h", "XDG_DATA_HOME", "data", "XDG_CONFIG_HOME", ""), "/x");
    assertThat(relative.dataHome()).isEqualTo(Path.of("/h/.local/share"));
    assertThat(relative.configHome()).isEqualTo(Path.of("/h/.config"));
  }

  @Test
  void theDefaultsOfTheConfigFileFollowHome() {
    assertThat(ConfigFile.defaultPath(Map.of("HOME", "/srv/backup")))
        .isEqualTo(Path.of("/srv/backup/.config/popvault/config.toml"));
  }
}
