// Mounts page: an admin creates an MCP launch recipe in the browser and copies a
// client configuration that names the mount but carries no secret and no token.
import { test, expect } from "@playwright/test";
import { api, signIn, snap, useVault } from "./support/vault";
import { sealAudit } from "../test/seal-audit";

const vault = useVault();

test("owner creates a mount and gets a ready-to-paste MCP client configuration", async ({ page }) => {
  const value = `ledger-${Date.now()}-value`;
  await api(vault, "POST", "/api/v1/secrets", { name: "ACCOUNTING_API_KEY", value });
  const bot = await api(vault, "POST", "/api/v1/bots", { name: "accounting-mcp" });

  await signIn(page, vault);
  await page.goto(`${vault.url}/mounts`);
  await expect(page.getByText("No mounts yet")).toBeVisible();
  const form = page.getByRole("form", { name: "Create a mount" });
  await form.getByLabel("Name").fill("accounting");
  await form.getByLabel("Bot").selectOption({ label: "accounting-mcp" });
  await form.getByLabel("Command").fill("node");
  await form.getByLabel("Arguments").fill("server.mjs");
  await form.getByLabel("Secrets").fill("ACCOUNTING_API_KEY=ACCOUNTING_KEY");
  await form.getByLabel("Justification").fill("Accounting MCP server for month-end close");
  await form.getByRole("button", { name: "Create mount" }).click();
  await expect(page.getByText("Mount accounting created")).toBeVisible();

  const config = page.locator("pre").filter({ hasText: "mcpServers" });
  const parsed = JSON.parse((await config.textContent()) ?? "{}");
  expect(parsed.mcpServers.accounting).toMatchObject({ command: "runtime-vault", args: ["mcp", "run", "accounting"] });
  expect(parsed.mcpServers.accounting.env.RV_URL).toBe(vault.url);
  await snap(page, "mounts");
  const html = await page.content();
  expect(html).not.toContain(value);
  expect(html).not.toContain(bot.token);
  await sealAudit(vault.prisma);
  const event = await vault.prisma.auditEvent.findFirstOrThrow({ where: { orgId: vault.orgId, type: "mount.created" } });
  expect(event.actorType).toBe("user");
});
