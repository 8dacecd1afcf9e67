// The README's screenshots, taken from seeded data rather than by hand. They go to
// test-results/screenshots/ like every other snapshot; with RV_README_SCREENSHOTS=1 they
// replace docs/screenshots/*.png:
//   npm run build && RV_README_SCREENSHOTS=1 npx playwright test -c e2e/playwright.config.ts e2e/readme-screenshots.spec.ts
import path from "node:path";
import { mkdirSync } from "node:fs";
import { test, expect, type Page } from "@playwright/test";
import { api, botCall, signIn, SCREENSHOT_DIR, useVault } from "./support/vault";

const vault = useVault();
const DIR = process.env.RV_README_SCREENSHOTS === "1" ? path.resolve(process.cwd(), "docs", "screenshots") : SCREENSHOT_DIR;

async function shoot(page: Page, name: string) {
  mkdirSync(DIR, { recursive: true });
  await page.screenshot({ path: path.join(DIR, `${name}.png`) });
}

test("README screenshots", async ({ page }) => {
  test.setTimeout(180_000);
  const secrets = [];
  for (const [name, scope, tags] of [
    ["ACCOUNTING_API_KEY", "production", ["finance"]],
    ["PAYROLL_DB_PASSWORD", "production", ["finance", "pci"]],
    ["GITHUB_DEPLOY_TOKEN", "default", ["ci"]],
    ["STRIPE_WEBHOOK_SECRET", "production", ["payments"]],
  ] as const) {
    secrets.push(await api(vault, "POST", "/api/v1/secrets", { name, scope, tags, value: `${name.toLowerCase()}-value`, description: `${name} for the ${tags[0]} team` }));
  }
  const bots: Record<string, { id: string; token: string }> = {};
  for (const [name, grants] of [
    ["accounting-bot", [0, 1]],
    ["deploy-bot", [2]],
    ["payments-bot", [3]],
  ] as const) {
    const bot = await api(vault, "POST", "/api/v1/bots", { name, environment: name === "deploy-bot" ? "default" : "production", description: `Runs the ${name.split("-")[0]} jobs` });
    for (const i of grants) await api(vault, "POST", "/api/v1/grants", { botId: bot.id, secretId: secrets[i].id });
    bots[name] = { id: bot.id, token: bot.token };
  }
  const plan: [string, string, string, number][] = [
    ["accounting-bot", "ACCOUNTING_API_KEY", "Reconcile unpaid invoices before the month-end close (tool ledger.get_entries)", 9],
    ["accounting-bot", "PAYROLL_DB_PASSWORD", "Monthly payroll export for the finance team", 3],
    ["deploy-bot", "GITHUB_DEPLOY_TOKEN", "Deploy release 2.14 to staging", 6],
    ["payments-bot", "STRIPE_WEBHOOK_SECRET", "Verify webhook signatures for the payments queue", 5],
  ];
  for (const [bot, secret, justification, n] of plan) {
    for (let i = 0; i < n; i++) {
      const lease = await botCall(vault, "POST", "/api/leases", bots[bot].token, { secret, justification });
      expect(lease.status).toBe(201);
      await botCall(vault, "POST", `/api/leases/${lease.body.id}/resolve`, lease.body.leaseToken);
    }
  }
  for (let i = 0; i < 3; i++) await botCall(vault, "POST", "/api/leases", bots["deploy-bot"].token, { secret: "PAYROLL_DB_PASSWORD", justification: "Trying a secret it was never granted" });

  await signIn(page, vault);
  for (const [name, url] of [
    ["overview", "/overview"],
    ["catalogue", "/catalogue"],
    ["leases", "/leases"],
    ["audit-timeline", "/audit"],
  ]) {
    await page.goto(`${vault.url}${url}`);
    await expect(page.locator("main h1").first()).toBeVisible();
    await shoot(page, name);
  }
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto(`${vault.url}/leases`);
  await shoot(page, "leases-390");
});
