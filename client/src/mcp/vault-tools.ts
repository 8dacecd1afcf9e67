// The vault's own MCP tools, served by `runtime-vault mcp serve` and by the gateway of
// `runtime-vault mcp run`: vault_list (what the bot may use, never values) and vault_read
// (the reference primitive). The agent gets `{{secret:NAME}}` to put in tool arguments;
// the relay swaps in the value on the way to the server, so the conversation never holds
// it. Only a grant marked revealToAgent makes vault_read return the plaintext.
import type { BotClient } from "../sdk/bot-client.ts";
import { RuntimeVaultError } from "../sdk/errors.ts";
import type { VaultReadResult, VaultSecretList } from "../sdk/types.ts";
import { formatReference } from "../exec/secret-references.ts";

export interface VaultToolResult {
  content: Array<{ type: "text"; text: string }>;
  isError?: boolean;
}

export const VAULT_TOOLS: Array<{ name: string; description: string; inputSchema: object }> = [
  {
    name: "vault_list",
    description:
      "List the secrets this agent may use (names, scopes and the reference to put in tool arguments). Never returns values.",
    inputSchema: { type: "object", properties: {}, additionalProperties: false },
  },
  {
    name: "vault_read",
    description:
      "Get a reference to a secret, such as {{secret:OPENAI_API_KEY}}, to put in the arguments of a tool call (a header, a password field, a URL): " +
      "the vault relay replaces it with the value, which you never see. Access is checked and audited. " +
      "The value itself is returned only when an administrator allowed it for this secret.",
    inputSchema: {
      type: "object",
      properties: {
        secret: { type: "string", description: "The secret's name, e.g. OPENAI_API_KEY (as vault_list shows it)" },
        scope: { type: "string", description: "The secret's scope when it is not the default one (as vault_list shows it)" },
        justification: { type: "string", description: "Why the secret is needed, in a sentence (the vault's policy may require it)" },
      },
      required: ["secret"],
      additionalProperties: false,
    },
  },
];

const text = (t: string, isError = false): VaultToolResult => (isError ? { content: [{ type: "text", text: t }], isError } : { content: [{ type: "text", text: t }] });

const USE_SENTENCE =
  "Put the reference, exactly as written, in the arguments of a tool call: tool calls relayed by `runtime-vault mcp run` replace it with the value, so you never see it.";

export function describeList(list: VaultSecretList): string {
  if (list.secrets.length === 0) return "No secrets are granted to this agent.";
  const lines = list.secrets.map((s) => {
    const notes = [s.mount ? `only through mount ${s.mount}` : null, s.revealToAgent ? "vault_read returns its value" : null].filter(Boolean);
    return `- ${s.name} (scope ${s.scope}): ${s.reference}${notes.length ? ` [${notes.join("; ")}]` : ""}`;
  });
  return `Secrets this agent may use (values are never listed):\n${lines.join("\n")}\n${USE_SENTENCE}`;
}

export function describeRead(read: VaultReadResult): string {
  const approval = read.approvalRequired ? "\nThis secret needs human approval: a tool call using the reference waits until its lease is approved." : "";
  if (read.revealed) {
    return `Value of ${read.secret} (scope ${read.scope}): ${read.value}\nPrefer the reference ${read.reference} in tool arguments: it keeps the value out of the conversation.`;
  }
  return `Reference: ${read.reference}\n${USE_SENTENCE}${approval}`;
}

function readArgs(args: unknown): { secret: string; scope?: string; justification?: string } | string {
  if (args === undefined || args === null) return "vault_read needs {\"secret\": \"NAME\"}";
  if (typeof args !== "object" || Array.isArray(args)) return "vault_read's arguments must be an object";
  const { secret, scope, justification, ...rest } = args as Record<string, unknown>;
  if (Object.keys(rest).length > 0) return "vault_read takes only secret, scope and justification";
  if (typeof secret !== "string" || secret === "") return "vault_read needs {\"secret\": \"NAME\"}";
  if (scope !== undefined && typeof scope !== "string") return "scope must be a string";
  if (justification !== undefined && typeof justification !== "string") return "justification must be a string";
  return { secret, scope: scope || undefined, justification };
}

/** A 400's field problems (paths and zod's messages: never the input itself). */
function issuesOf(err: RuntimeVaultError): string {
  const issues = err.details.issues;
  if (!Array.isArray(issues)) return "";
  const lines = issues.slice(0, 5).map((i: { path?: unknown; message?: unknown }) => `${Array.isArray(i.path) ? i.path.join(".") : ""}: ${String(i.message ?? "")}`);
  return lines.length ? ` (${lines.join("; ")})` : "";
}

/** Runs one vault tool as the bot. Refusals come back as tool errors (API messages carry no values). */
export async function callVaultTool(bot: BotClient, name: string, args: unknown, ctx: { mount?: string }): Promise<VaultToolResult> {
  try {
    if (name === "vault_list") {
      return text(describeList(await bot.vault.list({ mount: ctx.mount })));
    }
    if (name === "vault_read") {
      const parsed = readArgs(args);
      if (typeof parsed === "string") return text(parsed, true);
      const read = await bot.vault.read(parsed.secret, { scope: parsed.scope, justification: parsed.justification, mount: ctx.mount });
      return text(describeRead(read));
    }
    return text(`Unknown vault tool: ${name.slice(0, 64)}`, true);
  } catch (err) {
    if (err instanceof RuntimeVaultError) return text(`The vault refused: ${err.code}: ${err.message}${issuesOf(err)}`, true);
    throw err;
  }
}
