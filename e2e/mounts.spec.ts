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

test("owner creates a remote mount with a header and a tool-limited secret", async ({ page }) => {
  await api(vault, "POST", "/api/v1/bots", { name: "crm-mcp" });
  await signIn(page, vault);
  await page.goto(`${vault.url}/mounts`);
  const form = page.getByRole("form", { name: "Create a mount" });
  await form.getByLabel("Name").fill("crm");
  await form.getByLabel("Bot").selectOption({ label: "crm-mcp" });
  await form.getByLabel("URL").fill("http://crm.example.com/mcp");
  await form.getByLabel("Headers").fill("Authorization: Bearer {{secret:CRM_TOKEN}}");
  await form.getByLabel("Secrets").fill("CRM_TOKEN@production\nSTRIPE_KEY@production:create_invoice,refund");
  await form.getByLabel("Justification").fill("CRM MCP server for the support agent");
  await form.getByRole("button", { name: "Create mount" }).click();
  // Plain http leaves the machine: refused.
  await expect(form.getByText(/Use an https:\/\/ URL/)).toBeVisible();
  await form.getByLabel("URL").fill("https://crm.example.com/mcp");
  await form.getByLabel("Bot").selectOption({ label: "crm-mcp" });
  await form.getByRole("button", { name: "Create mount" }).click();
  await expect(page.getByText("Mount crm created")).toBeVisible();
  const section = page.getByRole("region", { name: /^crm/ });
  await expect(section.getByText("https://crm.example.com/mcp")).toBeVisible();
  await expect(section.getByText("Authorization: Bearer {{secret:CRM_TOKEN}}")).toBeVisible();
  await expect(section.getByText("STRIPE_KEY@production → tool calls (only create_invoice, refund)")).toBeVisible();
});
