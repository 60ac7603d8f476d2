package dev.popvault.cli;

import dev.popvault.core.TlsInfo;
import picocli.CommandLine.IVersionProvider;

/** Reports the version from the jar manifest (set by the build), the Java runtime and TLS. */
final class VersionProvider implements IVersionProvider {
  @Override
  public String[] getVersion() {
    String version = VersionProvider.class.getPackage().getImplementationVersion();
    return new String[] {
      "popvault " + (version == null ? "(development build)" : version),
      "Java "
          + System.getProperty("java.version")
          + " ("
          + System.getProperty("java.vm.name")
          + ")",
      "TLS: " + TlsInfo.describe()
    };
  }
}
