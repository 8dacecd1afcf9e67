// API tokens in the web app: a member creates a token (shown once, working at once),
// sees only their own; the owner reaches everyone's from the Members page and revokes
// the member's token, which is refused from its next request.
import { test, expect } from "@playwright/test";
import { botCall, signIn, signOut, snap, useVault } from "./support/vault";

const vault = useVault();

test("a member creates an API token shown once; the owner revokes it from everyone's tokens", async ({ page }) => {
  const member = await vault.addMember("admin");
  await signIn(page, vault, member);
  await page.getByRole("link", { name: "API tokens" }).click();
  await expect(page.getByRole("heading", { name: "API tokens" })).toBeVisible();
  await page.getByLabel("Token name").fill("nightly-sync");
  await page.getByLabel("Expires in (days)").fill("30");
  await page.getByRole("button", { name: "Create token" }).click();
  await expect(page.getByRole("status").first()).toContainText("Token “nightly-sync” created");
  const token = (await page.getByTestId("shown-once").textContent())!.trim();
  expect(token).toMatch(/^rva_/);
  expect((await botCall(vault, "GET", "/api/v1/secrets", token)).status).toBe(200);
  const row = page.getByRole("row").filter({ hasText: "nightly-sync" });
  await expect(row).toContainText("active");
  // Only their own tokens: the seeded one and the new one, not the owner's bootstrap token.
  await expect(page.getByRole("row").filter({ hasText: "bootstrap" })).toHaveCount(0);
  await expect(page.getByRole("row").filter({ hasText: "admin automation" })).toHaveCount(1);
  await snap(page, "api-tokens-created");
  // Shown once: a fresh render no longer has it.
  await page.reload();
  await expect(page.getByRole("row").filter({ hasText: "nightly-sync" })).toContainText("active");
  expect(await page.content()).not.toContain(token);
  await signOut(page);

  await signIn(page, vault);
  await page.getByRole("link", { name: "Members", exact: true }).click();
  await page.getByRole("link", { name: "Members’ API tokens" }).click();
  const theirs = page.getByRole("row").filter({ hasText: "nightly-sync" });
  await expect(theirs).toContainText(member.email);
  await expect(page.getByRole("row").filter({ hasText: "bootstrap" })).toContainText("owner@vault.test (you)");
  await theirs.getByRole("button", { name: "Revoke" }).click();
  await page.getByRole("dialog").getByRole("button", { name: "Revoke token" }).click();
  await expect(page.getByRole("row").filter({ hasText: "nightly-sync" })).toContainText("revoked");
  await snap(page, "api-tokens-revoked");
  const refused = await botCall(vault, "GET", "/api/v1/secrets", token);
  expect([refused.status, refused.body.error.code]).toEqual([401, "unauthenticated"]);
  // The owner's own token was untouched.
  expect((await botCall(vault, "GET", "/api/v1/secrets", vault.adminToken)).status).toBe(200);
});
