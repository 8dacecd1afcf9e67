// The overview draws what happened: issued and denied per hour and per day, the most-read
// secrets and the most-denied bots, as SVG whose bars carry the seeded counts; the
// "Denied (24 h)" figure equals the denials listed under it, each naming its bot and
// linking to the event; an empty vault says so truthfully.
import { test, expect, type Page } from "@playwright/test";
import { api, botCall, signIn, snap, useVault } from "./support/vault";

const vault = useVault();
const justification = "Month-end close for the accounting team";

async function sum(page: Page, selector: string) {
  return page.locator(selector).evaluateAll((els) => els.reduce((n, el) => n + Number(el.getAttribute("data-count")), 0));
}

test("an empty vault says what is true", async ({ page }) => {
  await signIn(page, vault);
  await page.goto(`${vault.url}/overview`);
  await expect(page.getByText("The catalogue is empty: there is nothing to rotate yet.")).toBeVisible();
  await expect(page.getByText("Every secret was rotated recently")).toHaveCount(0);
  await expect(page.getByText("No lease was issued or denied in the last 24 hours.")).toBeVisible();
  await expect(page.getByText("No lease was issued or denied in the last 7 days.")).toBeVisible();
  await expect(page.getByText("No secret value was read in the last 7 days.")).toBeVisible();
  await expect(page.getByText("No bot was denied anything in the last 7 days.")).toBeVisible();
  await expect(page.getByText("Nothing was denied in the last 24 hours.")).toBeVisible();
  await expect(page.locator('[data-stat="Denied (24 h)"]')).toHaveText("0");
});

test("charts show the seeded activity and the counts agree with the lists", async ({ page }) => {
  const secret = await api(vault, "POST", "/api/v1/secrets", { name: "CHART_KEY", value: "chart-value" });
  const granted = await api(vault, "POST", "/api/v1/bots", { name: "chart-reader" });
  await api(vault, "POST", "/api/v1/grants", { botId: granted.id, secretId: secret.id });
  const stranger = await api(vault, "POST", "/api/v1/bots", { name: "chart-stranger" });
  for (let i = 0; i < 4; i++) {
    const lease = await botCall(vault, "POST", "/api/leases", granted.token, { secret: "CHART_KEY", justification });
    expect(lease.status).toBe(201);
    if (i < 3) expect((await botCall(vault, "POST", `/api/leases/${lease.body.id}/resolve`, lease.body.leaseToken)).status).toBe(200);
  }
  for (let i = 0; i < 3; i++) expect((await botCall(vault, "POST", "/api/leases", stranger.token, { secret: "CHART_KEY", justification })).status).toBe(403);

  await signIn(page, vault);
  await page.goto(`${vault.url}/overview`);
  const day = page.locator('[data-chart="activity-24h"]');
  const week = page.locator('[data-chart="activity-7d"]');
  await expect(day.locator('rect[data-series="issued"]')).toHaveCount(24);
  await expect(day.locator('rect[data-series="denied"]')).toHaveCount(24);
  await expect(week.locator('rect[data-series="issued"]')).toHaveCount(7);
  expect(await sum(page, '[data-chart="activity-24h"] rect[data-series="issued"]')).toBe(4);
  expect(await sum(page, '[data-chart="activity-24h"] rect[data-series="denied"]')).toBe(3);
  expect(await sum(page, '[data-chart="activity-7d"] rect[data-series="issued"]')).toBe(4);
  expect(await sum(page, '[data-chart="activity-7d"] rect[data-series="denied"]')).toBe(3);
  await expect(day.locator('[data-total="issued"]')).toHaveText("4");
  await expect(day.locator('[data-total="denied"]')).toHaveText("3");

  const top = page.locator('[data-chart="top-secrets"] li');
  await expect(top).toHaveCount(1);
  await expect(top).toContainText("CHART_KEY");
  await expect(top.locator("rect[data-count]")).toHaveAttribute("data-count", "3");
  const denied = page.locator('[data-chart="top-denied-bots"] li');
  await expect(denied).toHaveCount(1);
  await expect(denied).toContainText("chart-stranger");
  await expect(denied.locator("rect[data-count]")).toHaveAttribute("data-count", "3");

  // The figure and the list read the same events.
  await expect(page.locator('[data-stat="Denied (24 h)"]')).toHaveText("3");
  await expect(page.locator('[data-stat="Issued (24 h)"]')).toHaveText("4");
  const listed = page.getByTestId("recent-denials").locator("li");
  await expect(listed).toHaveCount(3);
  await expect(listed.first()).toContainText("by chart-stranger");
  await snap(page, "overview-charts");
  await listed.first().getByRole("link").click();
  await expect(page).toHaveURL(/\/audit\?.*outcome=denied/);
  await expect(page.getByRole("row").filter({ has: page.locator('[data-event-type="lease.denied"]') })).toHaveCount(1);
});
