package dev.popvault.pop3;

/**
 * A server-assigned unique id (RFC 1939 §7): 1–70 chars in 0x21–0x7E. Untrusted server data.
 *
 * <p>A record constructor cannot throw a checked exception, so the constructor rejects an invalid
 * value with {@link IllegalArgumentException} (for ids from our own storage); ids from the wire go
 * through {@link #fromServer(String)}, which reports a {@link Pop3Exception.Kind#PROTOCOL} error.
 *
 * @param value the id exactly as the server sent it
 */
public record Uidl(String value) {
  /** Validates the id. */
  public Uidl {
    String problem = problem(value);
    if (problem != null) {
      throw new IllegalArgumentException(problem);
    }
  }

  /** Parses an id received from the server; an invalid one is a protocol error. */
  public static Uidl fromServer(String value) throws Pop3Exception {
    String problem = problem(value);
    if (problem != null) {
      throw new Pop3Exception(Pop3Exception.Kind.PROTOCOL, problem);
    }
    return new Uidl(value);
  }

  private static String problem(String value) {
    if (value == null) {
      return "invalid UIDL (missing)";
    }
    if (value.isEmpty() || value.length() > 70) {
      return "invalid UIDL (length " + value.length() + ", must be 1-70)";
    }
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c < 0x21 || c > 0x7E) {
        return "invalid UIDL (character 0x" + Integer.toHexString(c) + " at index " + i + ")";
      }
    }
    return null;
  }
}
