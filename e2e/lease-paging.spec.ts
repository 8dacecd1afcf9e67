// The leases list pages past 150 leases with counts ("101–150 of 163"), above and below
// the table, shows every lease exactly once, sorts on the server by a clicked header, and
// keeps Expires, Resolves and the actions visible at 1280 px.
import { test, expect, type Page } from "@playwright/test";
import { api, botCall, signIn, useVault } from "./support/vault";

const vault = useVault();
const TOTAL = 163;

async function rowIds(page: Page) {
  return page.locator("tbody tr[data-row-id]").evaluateAll((rows) => rows.map((r) => r.getAttribute("data-row-id")!));
}

test("pages through 163 leases with counts, and sorts by a header", async ({ page }) => {
  test.setTimeout(180_000);
  const suffix = Date.now().toString(36).toUpperCase();
  const secret = await api(vault, "POST", "/api/v1/secrets", { name: `PAGING_KEY_${suffix}`, value: "paging-value" });
  const bots: { name: string; token: string }[] = [];
  for (const name of [`aa-paging-${suffix.toLowerCase()}`, `zz-paging-${suffix.toLowerCase()}`]) {
    const bot = await api(vault, "POST", "/api/v1/bots", { name });
    await api(vault, "POST", "/api/v1/grants", { botId: bot.id, secretId: secret.id });
    bots.push({ name, token: bot.token });
  }
  for (let i = 0; i < TOTAL; i++) {
    const bot = bots[i % 4 === 0 ? 0 : 1];
    const res = await botCall(vault, "POST", "/api/leases", bot.token, { secret: secret.name, justification: `Paging lease ${i} for the month-end ledger reconciliation run` });
    expect(res.status).toBe(201);
  }

  await signIn(page, vault);
  await page.goto(`${vault.url}/leases`);
  const counts = page.getByTestId("page-count");
  await expect(counts).toHaveCount(2);
  await expect(counts.first()).toHaveText(`1–50 of ${TOTAL}`);
  await expect(counts.last()).toHaveText(`1–50 of ${TOTAL}`);

  // The key columns are on screen at 1280 px, without scrolling sideways.
  for (const header of ["Expires", "Resolves"]) await expect(page.getByRole("columnheader", { name: header })).toBeInViewport();
  await expect(page.locator("tbody tr").first().getByRole("button", { name: "Revoke" })).toBeInViewport();

  const seen = new Set<string>();
  const expected = ["1–50", "51–100", "101–150", "151–163"];
  for (const [i, range] of expected.entries()) {
    await expect(counts.first()).toHaveText(`${range} of ${TOTAL}`);
    for (const id of await rowIds(page)) seen.add(id);
    if (i < expected.length - 1) await page.getByRole("link", { name: "Next →" }).last().click();
  }
  expect(seen.size).toBe(TOTAL);
  await expect(page.getByRole("link", { name: "Next →" })).toHaveCount(0);
  // Back from the last page lands on 101–150 again (the bottom control this time).
  await page.getByRole("link", { name: "← Previous" }).last().click();
  await expect(counts.first()).toHaveText(`101–150 of ${TOTAL}`);

  // Sorting by bot: the server orders the whole list, not just the page shown.
  await page.getByRole("columnheader", { name: /Bot/ }).getByRole("link").click();
  await expect(page).toHaveURL(/sort=botName&direction=asc/);
  await expect(counts.first()).toHaveText(`1–50 of ${TOTAL}`);
  await expect(page.getByRole("columnheader", { name: /Bot/ })).toHaveAttribute("aria-sort", "ascending");
  const firstBots = await page.locator("tbody tr td:nth-child(3)").allInnerTexts();
  // 41 of 163 leases are aa-paging's: all on the first page when sorted ascending.
  expect(firstBots.filter((t) => t.startsWith("aa-paging"))).toHaveLength(41);
  expect(firstBots.slice(0, 41).every((t) => t.startsWith("aa-paging"))).toBe(true);
  await page.getByRole("columnheader", { name: /Bot/ }).getByRole("link").click();
  await expect(page).toHaveURL(/sort=botName&direction=desc/);
  await expect(page.locator("tbody tr td:nth-child(3)").first()).toHaveText(bots[1].name);

  // A justification is readable in full: tooltip, and a click expands it.
  const justification = page.locator("tbody tr").first().getByRole("button", { name: /Paging lease/ });
  await expect(justification).toHaveAttribute("title", /month-end ledger reconciliation run$/);
  await justification.click();
  await expect(justification).toHaveAttribute("aria-expanded", "true");
});
