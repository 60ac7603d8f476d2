package dev.popvault.core;

/** Says whether, and how, a run logs in with an OAuth2 access token instead of a password. */
enum OAuthMechanism {
  /** A password (USER/PASS, APOP or SASL PLAIN). */
  NONE,
  /** SASL XOAUTH2 (Gmail, Microsoft 365), sent in the two-step form Microsoft 365 requires. */
  XOAUTH2,
  /** SASL OAUTHBEARER (RFC 7628). */
  OAUTHBEARER
}
