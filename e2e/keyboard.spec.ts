// The admin app without a mouse: sign in, add a secret, open it and delete it through
// the typed-name confirmation, all with Tab, typing, Enter and Escape. Every control
// used here is reached by Tab from the one before, so a control that cannot take focus
// (a div with a click handler, a dialog that does not move focus) fails the spec.
import { test, expect, type Page } from "@playwright/test";
import { OWNER, snap, useVault } from "./support/vault";

const vault = useVault();

/** Presses Tab until the focused element is the field with this label (start of its text). */
async function tabToLabel(page: Page, label: string) {
  for (let i = 0; i < 80; i++) {
    await page.keyboard.press("Tab");
    const focused = await page.evaluate(() => {
      const el = document.activeElement as HTMLInputElement | null;
      return (el?.labels?.[0]?.textContent ?? "").trim();
    });
    if (focused.startsWith(label)) return;
  }
  throw new Error(`no field labelled ${label} in the Tab order`);
}

/** Presses Tab until the focused element is the link or button with exactly this text. */
async function tabToControl(page: Page, name: string) {
  for (let i = 0; i < 80; i++) {
    await page.keyboard.press("Tab");
    const focused = await page.evaluate(() => (document.activeElement?.textContent ?? "").trim());
    if (focused === name) return;
  }
  throw new Error(`no control named ${name} in the Tab order`);
}

test("sign in, add a secret and delete it with the keyboard only", async ({ page }) => {
  await page.goto(`${vault.url}/sign-in`);
  await tabToLabel(page, "Email");
  await page.keyboard.type(OWNER.email);
  await tabToLabel(page, "Password");
  await page.keyboard.type(OWNER.password);
  await page.keyboard.press("Enter");
  await expect(page.getByTestId("current-user")).toContainText(OWNER.email);

  await tabToControl(page, "Catalogue");
  await page.keyboard.press("Enter");
  await expect(page.getByRole("heading", { name: "Add a secret" })).toBeVisible();
  await tabToLabel(page, "Name");
  await page.keyboard.type("KEYBOARD_ONLY_KEY");
  await tabToLabel(page, "Value");
  await page.keyboard.type(`kb-${crypto.randomUUID()}`);
  await tabToControl(page, "Add secret");
  await page.keyboard.press("Enter");
  await expect(page.getByRole("status")).toContainText("KEYBOARD_ONLY_KEY (default) added at version 1");

  await tabToControl(page, "KEYBOARD_ONLY_KEY");
  await page.keyboard.press("Enter");
  await expect(page.getByRole("heading", { name: "KEYBOARD_ONLY_KEY" })).toBeVisible();

  // Escape closes the confirmation without deleting anything.
  await tabToControl(page, "Delete secret");
  await page.keyboard.press("Enter");
  const dialog = page.getByRole("dialog");
  await expect(dialog).toBeVisible();
  await page.keyboard.press("Escape");
  await expect(dialog).toBeHidden();

  // Focus returns to the trigger after Escape.
  await page.keyboard.press("Enter");
  await expect(dialog).toBeVisible();
  // Focus is inside the dialog: Tab reaches its name field and its button.
  await tabToLabel(page, "Type");
  await page.keyboard.type("KEYBOARD_ONLY_KEY");
  await snap(page, "keyboard-delete-dialog");
  await tabToControl(page, "Delete for good");
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(/\/catalogue$/);
  await expect(page.getByRole("row").filter({ hasText: "KEYBOARD_ONLY_KEY" })).toHaveCount(0);
});
