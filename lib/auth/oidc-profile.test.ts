// An OIDC sign-in maps onto a member only by an email the provider says it verified
// (security review, issue 10: a missing email_verified counted as verified).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../../test/database";
import { seedOrg } from "../../test/fixtures";
import { getAuthOptions } from "./auth-options";
import { verifiedOidcEmail } from "./oidc-profile";

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
  // lib/db/prisma.ts connects lazily, to this: the callbacks look members up there.
  process.env.DATABASE_URL = db.url;
});
afterAll(async () => {
  await db?.drop();
});

describe("verifiedOidcEmail", () => {
  it("accepts only email_verified: true", () => {
    expect(verifiedOidcEmail({ sub: "1", email: "Ada@Example.test", email_verified: true })).toBe("ada@example.test");
    for (const email_verified of [undefined, null, false, "true", 1, "yes", {}]) {
      expect(verifiedOidcEmail({ sub: "1", email: "ada@example.test", email_verified }), String(email_verified)).toBeNull();
    }
    expect(verifiedOidcEmail({ sub: "1", email: "ada@example.test" })).toBeNull();
  });

  it("refuses a profile without a usable email", () => {
    for (const email of [undefined, null, "", "   ", 42, ["ada@example.test"]]) {
      expect(verifiedOidcEmail({ sub: "1", email, email_verified: true }), String(email)).toBeNull();
    }
    expect(verifiedOidcEmail(undefined)).toBeNull();
    expect(verifiedOidcEmail(null)).toBeNull();
  });
});

describe("the OIDC sign-in callbacks", () => {
  type SignIn = NonNullable<ReturnType<typeof getAuthOptions>["callbacks"]>["signIn"];
  type Jwt = NonNullable<ReturnType<typeof getAuthOptions>["callbacks"]>["jwt"];
  const signIn = (profile: Record<string, unknown>) =>
    (getAuthOptions().callbacks!.signIn as NonNullable<SignIn>)({ user: { id: String(profile.sub), email: profile.email as string }, account: { provider: "oidc", type: "oauth", providerAccountId: "1" }, profile } as never);

  it("let in an existing member only when the provider verified the email", async () => {
    const { user } = await seedOrg(db.prisma);
    expect(await signIn({ sub: "idp-1", email: user.email.toUpperCase(), email_verified: true })).toBe(true);
    expect(await signIn({ sub: "idp-1", email: user.email })).toBe(false);
    expect(await signIn({ sub: "idp-1", email: user.email, email_verified: "true" })).toBe(false);
    expect(await signIn({ sub: "idp-1", email: "nobody@example.test", email_verified: true })).toBe(false);
    const jwt = getAuthOptions().callbacks!.jwt as NonNullable<Jwt>;
    const account = { provider: "oidc", type: "oauth", providerAccountId: "1" };
    expect((await jwt({ token: {}, user: { id: "idp-1", email: user.email }, account, profile: { sub: "idp-1", email: user.email, email_verified: true } } as never)).uid).toBe(user.id);
    // No verified email, no member: no session is created for the cookie.
    await expect(jwt({ token: {}, user: { id: "idp-1", email: user.email }, account, profile: { sub: "idp-1", email: user.email } } as never)).rejects.toThrow("session ended");
  });
});
