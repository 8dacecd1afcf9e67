// The audit timeline page pages with the cursor the list hands back: by seq for a text
// search, by (createdAt, seq) for a time range, where the cursor carries createdAt.
import { randomBytes } from "node:crypto";
import { test, expect, type Page } from "@playwright/test";
import { signIn, useVault } from "./support/vault";
import { sealAudit } from "../test/seal-audit";

const vault = useVault();
const BASE = Date.UTC(2021, 2, 14, 9, 0, 0);
const EVENTS = 120; // the page shows 50

/** Follows "Older →" to the end; returns the seqs shown and the cursors used. */
async function readAllPages(page: Page) {
  const seqs: number[] = [];
  const cursors: string[] = [];
  for (;;) {
    await expect(page.getByRole("heading", { name: "Audit timeline" })).toBeVisible();
    seqs.push(...(await page.locator("tbody tr td:nth-child(2)").allTextContents()).map(Number));
    // The pager is above and below the table: the two links go to the same page.
    const pagers = page.getByRole("link", { name: "Older →" });
    if ((await pagers.count()) === 2) expect(await pagers.nth(1).getAttribute("href")).toBe(await pagers.first().getAttribute("href"));
    const older = pagers.first();
    if ((await older.count()) === 0) return { seqs, cursors };
    // Follow the link's own href: a click can race the first page's live refresh.
    const next = new URL((await older.getAttribute("href"))!, page.url());
    cursors.push(next.searchParams.get("cursor")!);
    await page.goto(next.toString());
  }
}

test("the audit page pages a time range and a text search with Older →", async ({ page }) => {
  // createdAt runs against seq for most events, and every seventh shares one millisecond.
  // Recorded in one statement and sealed in that order: seq order is array order.
  await vault.prisma.auditPending.createMany({
    data: Array.from({ length: EVENTS }, (_, i) => ({
      id: `evt_${randomBytes(12).toString("hex")}`,
      orgId: vault.orgId,
      type: "lease.granted",
      actorType: "system" as const,
      outcome: "success" as const,
      justification: `Paging check ${String(i).padStart(3, "0")}`,
      createdAt: new Date(i % 7 === 0 ? BASE + 30 * 60_000 : BASE + (EVENTS - i) * 1000),
    })),
  });
  await sealAudit(vault.prisma, vault.orgId);
  const inserted = await vault.prisma.auditEvent.findMany({
    where: { orgId: vault.orgId, justification: { startsWith: "Paging check" } },
    select: { seq: true, createdAt: true },
  });
  const byTime = [...inserted].sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || Number(b.seq - a.seq)).map((e) => Number(e.seq));
  const bySeq = inserted.map((e) => Number(e.seq)).sort((a, b) => b - a);

  await signIn(page, vault);
  await page.goto(`${vault.url}/audit`);
  await page.getByLabel("From (UTC)").fill("2021-03-14T09:00");
  await page.getByLabel("To (UTC)").fill("2021-03-14T10:00");
  await page.getByRole("button", { name: "Apply filters" }).click();
  await expect(page).toHaveURL(/from=2021-03-14T09%3A00/);
  const ranged = await readAllPages(page);
  expect(ranged.seqs).toEqual(byTime);
  expect(ranged.cursors).toHaveLength(2);
  for (const c of ranged.cursors) expect(c).toMatch(/^t\d+\.\d+$/);
  await expect(page.getByText("Some filters were invalid")).toHaveCount(0);

  await page.goto(`${vault.url}/audit`);
  await page.getByLabel("Justification contains").fill("PAGING CHECK");
  await page.getByRole("button", { name: "Apply filters" }).click();
  const searched = await readAllPages(page);
  expect(searched.seqs).toEqual(bySeq);
  for (const c of searched.cursors) expect(c).toMatch(/^\d+$/);
});
