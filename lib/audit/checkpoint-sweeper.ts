// Each server process signs checkpoints for every org whose chain has grown, every
// RV_AUDIT_CHECKPOINT_MS (default 250 ms). That interval is the window in which someone
// with write access to the database could still remove or rewrite the newest events
// unnoticed; everything older is covered by a signature they cannot make.
import type { PrismaClient } from "@/lib/generated/prisma/client";
import { checkpointAuditChain } from "./checkpoint-audit-chain";

export interface CheckpointSweeper {
  /** One pass over the orgs whose chain is ahead of its checkpoint. */
  sweep(): Promise<void>;
  stop(): void;
}

export function startCheckpointSweeper(db: PrismaClient, { intervalMs = Number(process.env.RV_AUDIT_CHECKPOINT_MS) || 250 } = {}): CheckpointSweeper {
  // Org → head seq that failed to check, so a broken chain is reported once, not every tick.
  const broken = new Map<string, bigint>();
  let running: Promise<void> | null = null;

  async function pass() {
    let behind: { orgId: string; lastSeq: bigint }[];
    try {
      behind = await db.$queryRaw`
        SELECT h."orgId", h."lastSeq" FROM "AuditHead" h LEFT JOIN "AuditCheckpoint" c ON c."orgId" = h."orgId"
         WHERE h."lastSeq" > COALESCE(c."seq", 0) LIMIT 200`;
    } catch {
      return; // Database away: the next tick tries again; requests report the outage.
    }
    for (const { orgId, lastSeq } of behind) {
      if (broken.get(orgId) === lastSeq) continue;
      try {
        const result = await checkpointAuditChain(db, { orgId });
        if (result.ok) broken.delete(orgId);
        else {
          broken.set(orgId, lastSeq);
          console.error(`[runtime-vault] audit chain of ${orgId} not signed: ${result.reason} (seq ${result.brokenAt})`);
        }
      } catch {
        return;
      }
    }
  }

  const sweep = () => (running ??= pass().finally(() => (running = null)));
  const timer = setInterval(() => void sweep(), intervalMs);
  timer.unref();
  return { sweep, stop: () => clearInterval(timer) };
}
