package dev.popvault.pop3;

/** Selects how {@link Pop3Client#login} authenticates. */
public enum AuthMethod {
  /** Uses SASL PLAIN when CAPA's SASL line lists PLAIN, else USER/PASS. */
  AUTO,
  /** Uses USER/PASS (RFC 1939). */
  USER,
  /** Uses APOP (RFC 1939 §7); needs a timestamp in the greeting. Does not replace TLS. */
  APOP,
  /** Uses AUTH PLAIN (RFC 5034, RFC 4616) with an initial response. */
  PLAIN
}
