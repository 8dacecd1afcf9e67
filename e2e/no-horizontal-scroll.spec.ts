// Every admin page fits 1280 px: the document does not scroll sideways and no table
// container does either, with realistic (long) seeded data. At 390 px the navigation is
// a menu button and panel, reachable by keyboard. Add a page by adding it to PAGES.
import { test, expect, type Page } from "@playwright/test";
import { api, botCall, signIn, snap, useVault } from "./support/vault";

const vault = useVault();

interface Seeded {
  secretId: string;
  botId: string;
}

/** Path of every admin page (a function when it needs seeded ids). */
const PAGES: (string | ((s: Seeded) => string))[] = [
  "/overview",
  "/catalogue",
  (s) => `/catalogue/${s.secretId}`,
  (s) => `/catalogue/${s.secretId}?tab=access`,
  (s) => `/catalogue/${s.secretId}?tab=blast-radius`,
  "/bots",
  (s) => `/bots/${s.botId}`,
  "/mounts",
  "/leases",
  "/approvals",
  "/audit",
  "/policy",
  "/members",
  "/tokens",
  "/account",
];

let seeded: Seeded;

test.beforeAll(async () => {
  const long = "Reconcile unpaid invoices before the month-end close; tool accounting_mcp.get_ledger_entries via mount accounting-reconciliation-nightly";
  const secret = await api(vault, "POST", "/api/v1/secrets", {
    name: "ACCOUNTING_RECONCILIATION_LEDGER_API_KEY",
    scope: "production-eu-west",
    value: "wide-value",
    description: "Ledger API key for the nightly reconciliation and the month-end close, owned by finance engineering",
    tags: ["finance", "pci", "month-end", "ledger"],
  });
  const bot = await api(vault, "POST", "/api/v1/bots", { name: "accounting-reconciliation-nightly-bot", description: "Runs the reconciliation every night for the finance team", environment: "production-eu-west" });
  await api(vault, "POST", "/api/v1/grants", { botId: bot.id, secretId: secret.id });
  await api(vault, "POST", "/api/v1/mounts", {
    name: "accounting-reconciliation-nightly",
    botId: bot.id,
    command: "node",
    args: ["/opt/mcp/accounting-reconciliation-server.mjs", "--ledger", "{{secret:ACCOUNTING_RECONCILIATION_LEDGER_API_KEY}}"],
    mappings: [{ secret: "ACCOUNTING_RECONCILIATION_LEDGER_API_KEY", env: "ACCOUNTING_RECONCILIATION_LEDGER_API_KEY" }],
    justificationTemplate: long,
    ttlSeconds: 1800,
  });
  for (let i = 0; i < 6; i++) {
    const lease = await botCall(vault, "POST", "/api/leases", bot.token, { secret: secret.name, scope: "production-eu-west", justification: `${long} (${i})` });
    expect(lease.status).toBe(201);
    if (i % 2 === 0) await botCall(vault, "POST", `/api/leases/${lease.body.id}/resolve`, lease.body.leaseToken);
  }
  await botCall(vault, "POST", "/api/leases", bot.token, { secret: "NOT_GRANTED_ACCOUNTING_RECONCILIATION_KEY", justification: long });
  seeded = { secretId: secret.id, botId: bot.id };
});

/** Sideways overflow of the document and of any scrolling container, in CSS pixels. */
async function overflow(page: Page) {
  return page.evaluate(() => {
    const doc = document.documentElement;
    const containers = [...document.querySelectorAll<HTMLElement>("body *")]
      .filter((el) => {
        const o = getComputedStyle(el).overflowX;
        return (o === "auto" || o === "scroll") && el.clientWidth > 0;
      })
      .filter((el) => el.scrollWidth > el.clientWidth + 1)
      .map((el) => `${el.tagName.toLowerCase()}.${[...el.classList].slice(0, 3).join(".")} ${el.scrollWidth}>${el.clientWidth}`);
    return { document: doc.scrollWidth - doc.clientWidth, containers };
  });
}

test("no admin page scrolls sideways at 1280 px", async ({ page }) => {
  await page.setViewportSize({ width: 1280, height: 900 });
  await signIn(page, vault);
  const failures: string[] = [];
  for (const entry of PAGES) {
    const path = typeof entry === "string" ? entry : entry(seeded);
    await page.goto(`${vault.url}${path}`);
    await expect(page.locator("main h1").first()).toBeVisible();
    const o = await overflow(page);
    if (o.document > 0 || o.containers.length) failures.push(`${path}: document +${o.document}px; ${o.containers.join(", ")}`);
    await snap(page, `wide-${path.split("/")[1]}${path.split("/").length > 2 ? "-detail" : ""}`);
  }
  expect(failures).toEqual([]);
});

test("at 390 px the navigation is a menu, and list pages do not scroll sideways", async ({ page }) => {
  await page.setViewportSize({ width: 390, height: 844 });
  await signIn(page, vault);
  await page.goto(`${vault.url}/leases`);
  const nav = page.getByRole("navigation", { name: "Main" });
  const menu = page.getByRole("button", { name: "Menu" });
  await expect(nav).toBeHidden();
  await expect(menu).toHaveAttribute("aria-expanded", "false");
  // Keyboard: focus the button, open with Enter, reach a link with Tab, close with Escape.
  await menu.focus();
  await page.keyboard.press("Enter");
  await expect(nav).toBeVisible();
  await expect(nav.getByRole("link", { name: "Leases" })).toHaveAttribute("aria-current", "page");
  await page.keyboard.press("Tab");
  await expect(nav.getByRole("link", { name: "Overview" })).toBeFocused();
  await page.keyboard.press("Escape");
  await expect(nav).toBeHidden();
  await expect(menu).toBeFocused();
  // Following a link closes the menu.
  await page.keyboard.press("Enter");
  await nav.getByRole("link", { name: "Catalogue" }).click();
  await expect(page).toHaveURL(/\/catalogue$/);
  await expect(nav).toBeHidden();
  // The "Add" form is folded away behind a button.
  await expect(page.getByRole("heading", { name: "Add a secret" })).toBeHidden();
  await page.getByRole("button", { name: "Add a secret" }).click();
  await expect(page.getByRole("heading", { name: "Add a secret" })).toBeVisible();

  const failures: string[] = [];
  for (const path of ["/overview", "/catalogue", "/bots", "/leases", "/members", "/mounts"]) {
    await page.goto(`${vault.url}${path}`);
    const o = await overflow(page);
    if (o.document > 0 || o.containers.length) failures.push(`${path}: document +${o.document}px; ${o.containers.join(", ")}`);
    await snap(page, `narrow-${path.slice(1)}`);
  }
  expect(failures).toEqual([]);
});
