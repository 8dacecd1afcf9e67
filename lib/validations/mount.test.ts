import { describe, expect, it } from "vitest";
import { createMountSchema, mountRecipeIssues, updateMountSchema } from "./mount";

const base = { name: "crm", botId: "bot_" + "0".repeat(24), justificationTemplate: "CRM ({{mount}})" };
const issues = (input: Record<string, unknown>) => {
  const r = createMountSchema.safeParse({ ...base, ...input });
  return r.success ? [] : r.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
};

describe("mount validation", () => {
  it("takes a local command or a remote url, exactly one", () => {
    expect(issues({ command: "node", mappings: [{ secret: "K", env: "K" }] })).toEqual([]);
    expect(issues({ url: "https://mcp.example.com/mcp", headers: { Authorization: "Bearer {{secret:K}}" }, mappings: [{ secret: "K" }] })).toEqual([]);
    expect(issues({ mappings: [{ secret: "K", env: "K" }] })).toEqual(["mappings: Give either a command (a local server) or a url (a remote server), not both"]);
    expect(issues({ command: "node", url: "https://x.example/mcp", mappings: [{ secret: "K", env: "K" }] })[0]).toMatch(/either a command .* or a url/);
  });

  it("allows plain http only on loopback, and no credentials in the url", () => {
    const remote = (url: string) => issues({ url, headers: { Authorization: "Bearer {{secret:K}}" }, mappings: [{ secret: "K" }] });
    for (const ok of ["http://127.0.0.1:8080/mcp", "http://localhost/mcp", "http://[::1]:3000/mcp", "https://api.example.com/mcp"]) expect(remote(ok)).toEqual([]);
    for (const bad of ["http://api.example.com/mcp", "http://127.0.0.2/mcp", "ftp://x/mcp", "https://user:pw@api.example.com/mcp", "not a url"]) expect(remote(bad)[0]).toMatch(/^url: /);
  });

  it("checks headers: names, reserved ones, one-line values, placeholders mapped", () => {
    const remote = (headers: Record<string, string>, mappings: unknown[] = [{ secret: "K" }]) => issues({ url: "https://x.example/mcp", headers, mappings });
    expect(remote({ "Mcp-Session-Id": "{{secret:K}}" })[0]).toMatch(/set by the bridge/);
    expect(remote({ "Bad Header": "{{secret:K}}" })[0]).toMatch(/valid HTTP header name/);
    expect(remote({ Authorization: "Bearer {{secret:K}}\r\nX-Evil: 1" })[0]).toMatch(/one line/);
    expect(remote({ Authorization: "Bearer {{secret:OTHER}}" })).toContain("mappings: Header placeholder {{secret:OTHER}} has no mapping");
    // A credential header takes a reference, never a literal (it would be stored and shown in clear).
    expect(remote({ Authorization: "Bearer ghp_literal", "X-Trace": "{{secret:K}}" })).toContain("headers.Authorization: Authorization carries a credential: use a {{secret:NAME}} reference, never the value");
    expect(remote({ "X-Api-Key": "literal", "X-Trace": "{{secret:K}}" })[0]).toMatch(/X-Api-Key carries a credential/);
    expect(remote({ "X-Request-Source": "agent", Authorization: "Bearer {{secret:K}}" })).toEqual([]);
    expect(issues({ command: "node", headers: { A: "b" }, mappings: [{ secret: "K", env: "K" }] })).toContain("mappings: Headers are for remote (url) mounts");
    expect(issues({ url: "https://x.example/mcp", args: ["--x"], mappings: [{ secret: "K", tools: ["t"] }] })).toContain("mappings: A remote (url) mount takes no arguments");
    expect(issues({ url: "https://x.example/mcp", mappings: [{ secret: "K", env: "K" }] })).toContain("mappings: A remote (url) mount has no environment: put secrets in headers");
  });

  it("a mapping may list the tools that receive it, and then needs no env or argument", () => {
    expect(issues({ command: "node", mappings: [{ secret: "K", tools: ["create_invoice", "refund.v2"] }] })).toEqual([]);
    expect(issues({ command: "node", mappings: [{ secret: "K" }] })[0]).toMatch(/goes nowhere.*or list the tools/);
    expect(issues({ command: "node", mappings: [{ secret: "K", tools: [] }] })[0]).toMatch(/List at least one tool/);
    expect(issues({ command: "node", mappings: [{ secret: "K", tools: ["bad name"] }] })[0]).toMatch(/tool name/);
    // A value in the environment reaches every tool: a list there would promise nothing.
    expect(issues({ command: "node", mappings: [{ secret: "K", env: "K", tools: ["t"] }] })[0]).toMatch(/given to the server at launch/);
    expect(issues({ command: "node", args: ["{{secret:K}}"], mappings: [{ secret: "K", tools: ["t"] }] })[0]).toMatch(/given to the server at launch/);
  });

  it("an update is checked as the merged recipe", () => {
    expect(updateMountSchema.safeParse({ url: null }).success).toBe(true);
    expect(mountRecipeIssues({ command: null, url: null, args: [], headers: {}, mappings: [{ secret: "K", scope: undefined, env: "K" }] })[0]).toMatch(/either a command/);
  });
});
