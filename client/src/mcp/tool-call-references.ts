// `{{secret:NAME}}` / `{{secret:NAME@scope}}` in a tool call's arguments: each is leased
// for this call alone (single-use, through the mount, naming the tool, so the vault
// checks the grant, a mount-limited grant and the mapping's tool list, and records a
// refusal as lease.denied), resolved, and substituted just before the call goes to the
// server. The values are returned so that everything the server says is masked.
import type { BotClient } from "../sdk/bot-client.ts";
import { RuntimeVaultError } from "../sdk/errors.ts";
import type { BotMount } from "../sdk/types.ts";
import type { MaskedSecret } from "../exec/mask.ts";
import { findReferences, referenceKey, substituteReferences } from "../exec/secret-references.ts";
import { cleanToolName, mountJustification } from "./justification.ts";

/** JSON-RPC error code of a refused reference (implementation-defined server error range). */
export const REFERENCE_REFUSED = -32003;
/** A reference's lease lives only for the call; single use ends it at the resolve anyway. */
const REFERENCE_TTL_SECONDS = 60;
/** How long a call waits for humans to approve a reference's lease before it is refused. */
const APPROVAL_WAIT_MS = 10 * 60_000;

export interface ReferenceOptions {
  /** How often to look at a pending lease (default 2 s). */
  pollMs?: number;
  /** Told once per reference that waits for approval. */
  notify?: (message: string) => void;
  approvalWaitMs?: number;
}

export class ReferenceRefused extends Error {
  constructor(readonly reference: string, readonly tool: string, reason: string) {
    // Names the reference and the vault's reason (which never holds a value).
    super(`Runtime Vault refused ${reference} for tool ${tool}: ${reason}`);
  }
}

export interface ResolvedCall {
  arguments: unknown;
  /** The values substituted (for masking the answer). */
  secrets: MaskedSecret[];
}

function reasonOf(err: unknown): string {
  if (err instanceof RuntimeVaultError) return `${err.code}: ${err.message}`;
  return "the vault could not be reached";
}

/** Leases, resolves and substitutes every reference in `args`; throws ReferenceRefused on the first refusal. */
export async function resolveToolCallReferences(
  bot: BotClient,
  mount: Pick<BotMount, "name" | "justificationTemplate" | "mappings">,
  tool: string,
  args: unknown,
  opts: ReferenceOptions = {},
): Promise<ResolvedCall> {
  const refs = findReferences(args);
  if (refs.length === 0) return { arguments: args, secrets: [] };
  const values = new Map<string, string>();
  const secrets: MaskedSecret[] = [];
  for (const ref of refs) {
    const key = referenceKey(ref);
    // Without a scope, the scope the mount maps the secret in (else the bot's environment).
    const scope = ref.scope ?? mount.mappings.find((m) => m.secret === ref.name)?.scope ?? undefined;
    let lease;
    try {
      lease = await bot.leases.request({
        secret: ref.name,
        scope,
        justification: mountJustification(mount, { tool, reference: key }),
        ttlSeconds: REFERENCE_TTL_SECONDS,
        singleUse: true,
        mount: mount.name,
        // Never empty: an unnamed tool must still meet a mapping's tool list.
        tool: cleanToolName(tool)?.trim() || "?",
      });
    } catch (err) {
      throw new ReferenceRefused(key, tool, reasonOf(err));
    }
    let issued: { id: string; leaseToken: string };
    if (lease.status === "pending") {
      opts.notify?.(`${key} for tool ${tool} needs approval; the call waits for lease ${lease.id} to be approved…`);
      issued = await awaitApproval(bot, lease.id, key, tool, opts);
    } else issued = lease;
    try {
      const { value } = await bot.leases.resolve(issued);
      values.set(key, value);
      secrets.push({ name: ref.name, value });
    } catch (err) {
      throw new ReferenceRefused(key, tool, reasonOf(err));
    }
  }
  return { arguments: substituteReferences(args, values), secrets };
}

/** Polls a pending lease until approvers decide (its first read after approval carries the token). */
async function awaitApproval(bot: BotClient, id: string, key: string, tool: string, opts: ReferenceOptions): Promise<{ id: string; leaseToken: string }> {
  const deadline = Date.now() + (opts.approvalWaitMs ?? APPROVAL_WAIT_MS);
  while (Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, opts.pollMs ?? 2_000));
    let lease;
    try {
      lease = await bot.leases.get(id);
    } catch (err) {
      if (err instanceof RuntimeVaultError && err.status < 500) throw new ReferenceRefused(key, tool, reasonOf(err));
      continue; // the vault is briefly unreachable: keep waiting
    }
    if (lease.status === "pending") continue;
    if (lease.status === "active" && lease.leaseToken) return { id, leaseToken: lease.leaseToken };
    throw new ReferenceRefused(key, tool, `lease ${id} was not approved (${lease.status})`);
  }
  throw new ReferenceRefused(key, tool, `lease ${id} is still waiting for approval; retry once it is approved`);
}

/** The JSON-RPC error answering a refused call. */
export function refusalError(id: unknown, err: ReferenceRefused) {
  return { jsonrpc: "2.0" as const, id: id ?? null, error: { code: REFERENCE_REFUSED, message: err.message, data: { reference: err.reference, tool: err.tool } } };
}
