// A bot handing its lease back is not an incident: a released lease has its own status,
// badge and filter value, apart from a lease an admin revoked.
import { randomBytes } from "node:crypto";
import { test, expect } from "@playwright/test";
import { api, botCall, signIn, snap, useVault } from "./support/vault";

const vault = useVault();

test("released and revoked leases are shown differently and filtered apart", async ({ page }) => {
  const tag = randomBytes(3).toString("hex");
  const name = `RELEASE_${tag.toUpperCase()}`;
  const secret = await api(vault, "POST", "/api/v1/secrets", { name, value: `v-${tag}-value` });
  const bot = await api(vault, "POST", "/api/v1/bots", { name: `release-bot-${tag}` });
  await api(vault, "POST", "/api/v1/grants", { botId: bot.id, secretId: secret.id });
  const lease = async (justification: string) => {
    const res = await botCall(vault, "POST", "/api/leases", bot.token, { secret: name, justification });
    expect(res.status).toBe(201);
    return res.body;
  };
  const released = await lease(`Nightly export finished early ${tag}`);
  const revoked = await lease(`Suspicious export run ${tag}`);
  expect((await botCall(vault, "DELETE", `/api/leases/${released.id}`, bot.token)).status).toBeLessThan(300);
  await api(vault, "POST", `/api/v1/leases/${revoked.id}/revoke`, { reason: "Token seen in a public log" });
  // The bot's own lease read says released; both answer 410 on resolve.
  expect((await botCall(vault, "GET", `/api/leases/${released.id}`, bot.token)).body.status).toBe("released");
  expect((await botCall(vault, "POST", `/api/leases/${released.id}/resolve`, released.leaseToken)).status).toBe(410);

  await signIn(page, vault);
  await page.goto(`${vault.url}/leases`);
  const releasedRow = page.getByRole("row").filter({ hasText: `Nightly export finished early ${tag}` });
  const revokedRow = page.getByRole("row").filter({ hasText: `Suspicious export run ${tag}` });
  await expect(releasedRow.locator('[data-status="released"]')).toHaveText("released");
  await expect(revokedRow.locator('[data-status="revoked"]')).toHaveText("revoked");
  await expect(releasedRow.locator('[data-status="revoked"]')).toHaveCount(0);
  // Different looks, not just different words.
  const cls = async (row: typeof releasedRow, status: string) => row.locator(`[data-status="${status}"]`).getAttribute("class");
  expect(await cls(releasedRow, "released")).not.toEqual(await cls(revokedRow, "revoked"));
  await snap(page, "leases-release-vs-revoke");

  await page.getByLabel("Status").selectOption("released");
  await page.getByRole("button", { name: "Filter" }).click();
  await expect(page).toHaveURL(/status=released/);
  await expect(page.getByRole("row").filter({ hasText: `Nightly export finished early ${tag}` })).toHaveCount(1);
  await expect(page.getByRole("row").filter({ hasText: `Suspicious export run ${tag}` })).toHaveCount(0);

  await page.getByLabel("Status").selectOption("revoked");
  await page.getByRole("button", { name: "Filter" }).click();
  await expect(page).toHaveURL(/status=revoked/);
  await expect(page.getByRole("row").filter({ hasText: `Suspicious export run ${tag}` })).toHaveCount(1);
  await expect(page.getByRole("row").filter({ hasText: `Nightly export finished early ${tag}` })).toHaveCount(0);

  // The API's filter agrees.
  const list = await api(vault, "GET", `/api/v1/leases?status=released&secretId=${secret.id}`);
  expect((list.leases ?? list).map((l: { id: string }) => l.id)).toEqual([released.id]);
});
