// Which member an identity-provider sign-in is: the one whose email the provider says it
// verified. A provider that leaves email_verified out has not verified the address (many
// let users type any email), so only an explicit `true` counts; OIDC defines it as a boolean.

export interface OidcProfile {
  sub?: unknown;
  email?: unknown;
  email_verified?: unknown;
}

/** The lower-cased email to look the member up by, or null when the sign-in must be refused. */
export function verifiedOidcEmail(profile: OidcProfile | null | undefined): string | null {
  if (profile?.email_verified !== true || typeof profile.email !== "string") return null;
  const email = profile.email.trim().toLowerCase();
  return email === "" ? null : email;
}
