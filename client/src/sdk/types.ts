// Response shapes of the Runtime Vault API, kept here so the SDK has no server imports.

/** `released`: the bot handed the lease back itself; `revoked`: an admin, an incident or a rule ended it. */
export type LeaseStatus = "pending" | "active" | "expired" | "denied" | "revoked" | "released" | "used";

export interface IssuedLease {
  id: string;
  secret: string;
  scope: string;
  status: "active";
  singleUse: boolean;
  expiresAt: string;
  leaseToken: string;
}

/** The secret needs human approval: poll `leases.get` until it is decided. */
export interface PendingLease {
  id: string;
  status: "pending";
}

export interface BotLease {
  id: string;
  secret: string;
  scope: string;
  status: LeaseStatus;
  singleUse: boolean;
  expiresAt: string;
  resolveCount: number;
  createdAt: string;
  /** Present once: on the first read of a lease that was approved after a pending request. */
  leaseToken?: string;
}

export interface ResolvedSecret {
  secret: string;
  scope: string;
  version: number;
  value: string;
  expiresAt: string;
}

export interface LeaseRequest {
  secret: string;
  scope?: string;
  justification: string;
  ttlSeconds?: number;
  singleUse?: boolean;
  /** Mount name, when the lease is for a mounted MCP server (grants may require it). */
  mount?: string;
  /** The MCP tool call the lease is for: recorded on the lease and its events; a mount's mapping may limit which tools receive the secret. */
  tool?: string;
}

/** One secret a bot may lease (GET /api/vault/secrets): names and scopes, never values. */
export interface VaultSecret {
  name: string;
  scope: string;
  /**
   * The text to put in tool arguments: `{{secret:NAME}}`, with `@scope` unless that scope is
   * the bot's environment and no mount of the bot maps the name in another scope.
   */
  reference: string;
  /** Set when the grant serves only leases through this mount. */
  mount: string | null;
  /** vault.read returns the value itself (the grant is marked revealToAgent). */
  revealToAgent: boolean;
}

export interface VaultSecretList {
  /** The bot's environment: references without `@scope` lease in it. */
  environment: string;
  secrets: VaultSecret[];
}

/** POST /api/vault/read. */
export interface VaultReadRequest {
  secret: string;
  /** Omitted: the bot's environment. */
  scope?: string;
  /** The mount the agent works through (mount-limited grants need it). */
  mount?: string;
  /** Required when the org's policy requires justifications. */
  justification?: string;
}

interface VaultReadBase {
  secret: string;
  scope: string;
  reference: string;
  /**
   * The secret is under an approval rule: vault.read never reveals it, and a tool call
   * using the reference waits for human approval of its lease.
   */
  approvalRequired: boolean;
}

/** The reference, and the value only when the grant is marked revealToAgent. */
export type VaultReadResult = (VaultReadBase & { revealed: false }) | (VaultReadBase & { revealed: true; value: string });

export interface SecretMeta {
  id: string;
  name: string;
  scope: string;
  description: string;
  tags: string[];
  currentVersion: number;
  createdAt: string;
  rotatedAt: string;
  grantCount?: number;
  activeLeaseCount?: number;
}

export interface Bot {
  id: string;
  name: string;
  description: string;
  /** The scope the bot's lease requests use when they name none ("default" unless set). */
  environment: string;
  frozen: boolean;
  frozenAt: string | null;
  createdAt: string;
  grantCount?: number;
  activeLeaseCount?: number;
}

export interface Grant {
  id: string;
  botId: string;
  secretId: string;
  maxTtlSeconds: number | null;
  singleUseOnly: boolean;
  mountId: string | null;
  /** vault.read hands the plaintext to the agent (its conversation then holds it). */
  revealToAgent: boolean;
  createdAt: string;
  bot: { name: string };
  secret: { name: string; scope: string };
}

export interface Lease {
  id: string;
  botId: string;
  secretId: string | null;
  secretName: string;
  scope: string;
  justification: string;
  /** The mount and MCP tool the lease was requested through, when it was. */
  mount: string | null;
  tool: string | null;
  singleUse: boolean;
  status: LeaseStatus;
  expiresAt: string;
  resolveCount: number;
  lastResolvedAt: string | null;
  revokedAt: string | null;
  revokeReason: string | null;
  createdAt: string;
}

export interface MountMapping {
  secret: string;
  scope: string;
  env: string | null;
  /** Only these tools' calls may reference the secret ({{secret:NAME}}); absent: any tool. */
  tools?: string[];
}

export interface Mount {
  id: string;
  name: string;
  botId: string;
  /** A local stdio server; null for a remote one (url). */
  command: string | null;
  args: string[];
  /** A remote Streamable HTTP server; null for a local one (command). */
  url: string | null;
  /** Remote mounts: header name → value template with {{secret:NAME}}. */
  headers: Record<string, string>;
  mappings: MountMapping[];
  justificationTemplate: string;
  ttlSeconds: number | null;
  createdAt: string;
  updatedAt: string;
  bot: { name: string };
}

/** What a bot sees of its own mount. */
export type BotMount = Pick<Mount, "name" | "command" | "args" | "url" | "headers" | "mappings" | "justificationTemplate" | "ttlSeconds" | "updatedAt">;

export interface MountInput {
  name: string;
  botId: string;
  /** Exactly one of command (a local stdio server) and url (a remote Streamable HTTP server). */
  command?: string | null;
  args?: string[];
  url?: string | null;
  headers?: Record<string, string>;
  mappings: Array<{ secret: string; scope?: string; env?: string | null; tools?: string[] }>;
  justificationTemplate: string;
  ttlSeconds?: number | null;
}

export interface AuditEvent {
  seq: number;
  id: string;
  type: string;
  actorType: "bot" | "user" | "system";
  actorId: string | null;
  botId: string | null;
  secretId: string | null;
  secretName: string | null;
  scope: string | null;
  secretVersion: number | null;
  leaseId: string | null;
  justification: string | null;
  outcome: "success" | "denied" | "failure";
  reason: string | null;
  ip: string | null;
  data: unknown;
  createdAt: string;
  prevHash: string;
  hash: string;
}

export interface AuditQuery {
  type?: string;
  botId?: string;
  secretId?: string;
  leaseId?: string;
  outcome?: "success" | "denied" | "failure";
  from?: string;
  to?: string;
  cursor?: string;
  limit?: number;
}

/**
 * GET /api/v1/audit/verify. `checked`: sealed events in the chain; `mode`: from the last
 * signed checkpoint ("incremental", the default) or from the chain's start ("full");
 * `walked`: events recomputed; `anchor`: the newest checkpoint in the server's anchor
 * file, outside the database, that the chain was checked against (null: none);
 * `unsealed`: events recorded but not sealed into the chain yet; `archived`: events up to
 * `throughSeq` were archived to a file (verify it offline) and the chain in the database
 * starts after them.
 */
export type VerifyResult = ({ ok: true } | { ok: false; brokenAt: number; reason: string }) & {
  checked: number;
  mode: "full" | "incremental";
  walked: number;
  anchor: { seq: number; signedAt: string } | null;
  unsealed: { count: number; oldestAgeMs: number };
  archived: { throughSeq: number; archivedAt: string } | null;
};

/** One Server-Sent Event of the live stream: `event` is `vault.accessed`, `vault.denied` or the audit type. */
export interface StreamedEvent {
  event: string;
  id: string;
  data: AuditEvent;
}
