// The open audit timeline follows the event stream: a bot's lease request and resolve
// over HTTP show up on the page without a reload. While the stream is connected the
// page does not poll, so only the stream can have delivered them.
import { test, expect } from "@playwright/test";
import { api, botCall, signIn, useVault } from "./support/vault";

const vault = useVault();

type Marked = Window & { sameDocument?: boolean };

test("events appear on the open audit timeline as they happen", async ({ page }) => {
  const secret = await api(vault, "POST", "/api/v1/secrets", { name: "LIVE_KEY", value: "live-value" });
  const bot = await api(vault, "POST", "/api/v1/bots", { name: "live-bot" });
  await api(vault, "POST", "/api/v1/grants", { botId: bot.id, secretId: secret.id });

  await signIn(page, vault);
  await page.goto(`${vault.url}/audit`);
  await expect(page.locator('[data-live-mode="stream"]')).toContainText("Live: streaming new events.");
  await expect(page.locator('[data-event-type="lease.granted"]')).toHaveCount(0);
  // A reload would start a new document and lose this mark; a refresh in place keeps it.
  await page.evaluate(() => ((window as Marked).sameDocument = true));
  // Polling the head is a server action (a POST with a Next-Action header): count them.
  const polls: string[] = [];
  page.on("request", (req) => {
    if (req.method() === "POST" && req.headers()["next-action"]) polls.push(req.url());
  });

  const justification = `Live timeline check ${crypto.randomUUID()}`;
  const lease = await botCall(vault, "POST", "/api/leases", bot.token, { secret: "LIVE_KEY", justification });
  expect(lease.status).toBe(201);
  const granted = page.getByRole("row").filter({ has: page.locator('[data-event-type="lease.granted"]') });
  await expect(granted).toContainText(justification);

  // Resolves go out under their own stream name (vault.accessed), not their audit type.
  expect((await botCall(vault, "POST", `/api/leases/${lease.body.id}/resolve`, lease.body.leaseToken)).status).toBe(200);
  await expect(page.locator('[data-event-type="lease.resolved"]')).toHaveCount(1);

  expect(await page.evaluate(() => (window as Marked).sameDocument)).toBe(true);
  expect(polls).toEqual([]);
  await expect(page.locator('[data-live-mode="stream"]')).toBeVisible();
});
