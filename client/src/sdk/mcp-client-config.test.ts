import { describe, expect, it } from "vitest";
import { GATEWAY_ENTRY_NAME, mcpClientConfig } from "./mcp-client-config.ts";

describe("mcpClientConfig", () => {
  it("one mount: the entry is named after it, unchanged", () => {
    expect(mcpClientConfig({ mount: { name: "accounting" }, vaultUrl: "https://vault.example.com/" }).config.mcpServers).toEqual({
      accounting: { command: "runtime-vault", args: ["mcp", "run", "accounting"], env: { RV_URL: "https://vault.example.com", RV_BOT_TOKEN: expect.stringMatching(/^rvb_…/) } },
    });
  });

  it("several mounts, or --gateway: one gateway entry", () => {
    const several = mcpClientConfig({ mount: { name: "accounting" }, mounts: ["github"], vaultUrl: "https://v" }).config.mcpServers;
    expect(several).toEqual({ [GATEWAY_ENTRY_NAME]: expect.objectContaining({ args: ["mcp", "run", "accounting", "github"] }) });
    const one = mcpClientConfig({ mount: { name: "crm" }, gateway: true, vaultUrl: "https://v" }).config.mcpServers;
    expect(one).toEqual({ crm: expect.objectContaining({ args: ["mcp", "run", "crm", "--gateway"] }) });
  });
});
