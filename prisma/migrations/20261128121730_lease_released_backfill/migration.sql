-- A bot's own release was stored as a revocation with this reason; it is its own status
-- now (a separate migration from the enum value: a new value cannot be used in the
-- transaction that adds it).
UPDATE "Lease" SET "status" = 'released' WHERE "status" = 'revoked' AND "revokeReason" = 'released by bot';

-- Leases issued through a mount before the lease kept the mount's name and the tool:
-- the mount's current name, and the tool the MCP relay wrote into the justification.
UPDATE "Lease" l SET "mount" = m."name" FROM "Mount" m WHERE l."mountId" = m."id" AND l."mount" IS NULL;
UPDATE "Lease" SET "tool" = substring("justification" from '\[mcp mount [^\]]*: tool call ([^\]]*)\]$')
 WHERE "tool" IS NULL AND "justification" ~ '\[mcp mount [^\]]*: tool call [^\]]*\]$';
