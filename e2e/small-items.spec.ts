// The small things: a favicon on every page (no 404), the secret value survives a refusal
// (kept by the browser, never echoed by the server), a new bot token comes with usage
// snippets, a mount card shows its TTL, and the approvals page speaks English.
import { test, expect } from "@playwright/test";
import { api, signIn, useVault } from "./support/vault";

const vault = useVault();

test("favicon, kept value, bot usage, mount TTL, approvals grammar", async ({ page }) => {
  const missing: string[] = [];
  page.on("response", (res) => {
    if (res.status() === 404) missing.push(res.url());
  });
  await signIn(page, vault);
  await page.goto(`${vault.url}/catalogue`);
  const icon = await page.locator('link[rel="icon"]').first().getAttribute("href");
  expect(icon).toBeTruthy();
  expect((await page.request.get(new URL(icon!, vault.url).toString())).status()).toBe(200);

  // A refused secret keeps its value in the field (the server sent no value back).
  await page.getByLabel("Name").fill("not upper case");
  await page.getByLabel("Value").fill("kept-after-refusal");
  await page.getByRole("button", { name: "Add secret" }).click();
  await expect(page.locator('[data-field-error="name"]')).toBeVisible();
  await expect(page.getByLabel("Value")).toHaveValue("kept-after-refusal");
  await page.getByLabel("Name").fill("KEPT_VALUE_KEY");
  await page.getByRole("button", { name: "Add secret" }).click();
  await expect(page.getByRole("status")).toContainText("KEPT_VALUE_KEY (default) added at version 1");
  await expect(page.getByLabel("Value")).toHaveValue("");

  await page.goto(`${vault.url}/bots`);
  await page.getByLabel("Name").fill("usage-bot");
  await page.getByRole("button", { name: "Create bot" }).click();
  const usage = page.getByTestId("bot-usage");
  await usage.getByText("How to use this token").click();
  await expect(usage).toContainText(`export RV_URL=${vault.url}`);
  await expect(usage).toContainText("runtime-vault exec --secret");
  await expect(usage).toContainText('"mcpServers"');
  await expect(usage).toContainText("rvb_…paste the bot token here");

  // A rotated token gets the same help on the bot's page.
  await page.getByRole("link", { name: "Set this bot’s permissions" }).click();
  await page.getByRole("button", { name: "Rotate token" }).click();
  await page.getByRole("dialog").getByRole("button", { name: "Rotate token" }).click();
  const rotated = page.getByTestId("bot-usage");
  await rotated.getByText("How to use this token").click();
  await expect(rotated).toContainText(`export RV_URL=${vault.url}`);

  const bot = await api(vault, "POST", "/api/v1/bots", { name: "ttl-bot" });
  await api(vault, "POST", "/api/v1/mounts", {
    name: "ttl-mount",
    botId: bot.id,
    command: "node",
    args: ["server.mjs"],
    mappings: [{ secret: "KEPT_VALUE_KEY", env: "KEPT_VALUE_KEY" }],
    justificationTemplate: "TTL shown on the card",
    ttlSeconds: 1800,
  });
  await page.goto(`${vault.url}/mounts`);
  await expect(page.getByTestId("mount-ttl")).toHaveText("30 min");

  await page.goto(`${vault.url}/approvals`);
  await expect(page.getByText("One approval releases a lease; one denial ends it.")).toBeVisible();
  expect(missing).toEqual([]);
});
