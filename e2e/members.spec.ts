// Members: the owner invites someone from the Members page, the set-password link is
// shown once, the new member sets a password through it and signs in with their role;
// the link does not work twice. Also the screenshots of the two public pages.
import { test, expect } from "@playwright/test";
import { signIn, signOut, snap, useVault } from "./support/vault";

const vault = useVault();

test("an invited member sets a password from the one-time link and signs in", async ({ page }) => {
  await page.goto(`${vault.url}/sign-in`);
  await expect(page.getByRole("heading", { name: "Sign in to Runtime Vault" })).toBeVisible();
  await snap(page, "sign-in");
  await page.getByLabel("Email").fill("owner@vault.test");
  await page.getByLabel("Password").fill("not the password");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "incorrect" })).toHaveText("Email or password is incorrect.");

  await signIn(page, vault);
  await page.getByRole("link", { name: "Members" }).click();
  await page.getByLabel("Email", { exact: true }).fill("new-analyst@vault.test");
  await page.getByLabel("Role", { exact: true }).selectOption("security");
  await page.getByRole("button", { name: "Invite" }).click();
  await expect(page.getByRole("status").first()).toContainText("new-analyst@vault.test invited as security");
  const link = (await page.getByTestId("shown-once").textContent())!.trim();
  expect(link).toMatch(new RegExp(`^${vault.url}/set-password\\?token=`));
  await expect(page.getByRole("row").filter({ hasText: "new-analyst@vault.test" })).toContainText("security");
  await snap(page, "members-invited");
  // Shown once: a fresh render of the page no longer has it.
  await page.reload();
  expect(await page.content()).not.toContain(link.split("token=")[1]);
  await signOut(page);

  await page.goto(link);
  await expect(page.getByRole("heading", { name: "Set your password" })).toBeVisible();
  await snap(page, "set-password");
  await page.getByLabel("New password").fill("analyst password 123");
  await page.getByLabel("Repeat it").fill("analyst password 124");
  await page.getByRole("button", { name: "Set password" }).click();
  await expect(page.getByText("The two passwords differ")).toBeVisible();
  await page.getByLabel("New password").fill("analyst password 123");
  await page.getByLabel("Repeat it").fill("analyst password 123");
  await page.getByRole("button", { name: "Set password" }).click();
  await expect(page.getByRole("status")).toHaveText("Password set for new-analyst@vault.test. You can sign in now.");

  await signIn(page, vault, { email: "new-analyst@vault.test", password: "analyst password 123" });
  await expect(page.getByTestId("current-user")).toContainText("security");
  await signOut(page);

  await page.goto(link);
  await page.getByLabel("New password").fill("someone else 12345");
  await page.getByLabel("Repeat it").fill("someone else 12345");
  await page.getByRole("button", { name: "Set password" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "link" })).toContainText("This link is invalid or has expired");
});
