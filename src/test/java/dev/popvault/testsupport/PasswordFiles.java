package dev.popvault.testsupport;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Writes password files the way a careful user keeps them: mode 0600, whatever the umask. popvault
 * refuses a password file that group or others may read, so every test that hands one over writes
 * it here.
 */
public final class PasswordFiles {
  private PasswordFiles() {}

  /** Writes {@code text} to {@code file} (created or replaced) with mode 0600; returns the file. */
  public static Path write(Path file, String text) throws IOException {
    if (!Files.exists(file)) {
      Files.createFile(
          file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    }
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    return Files.writeString(file, text);
  }
}
