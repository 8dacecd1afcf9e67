// runtime-vault audit verify --export FILE | --archive FILE… [--anchor FILE]: verifies
// audit files with no database and no server (lib/sdk/verify-audit-files.ts). Signatures
// (an archive's, and the files' checkpoints) are checked only with the vault's master
// key in RV_MASTER_KEY or RV_MASTER_KEY_FILE (older keys in RV_PREVIOUS_MASTER_KEYS);
// without it the chain is still fully checked, and the output says the signatures were not.
import { accessSync, constants, readFileSync } from "node:fs";
import { macCheckFromMasterKeys, parseAnchors, type ChainCheckpoint, type MacCheck } from "../../sdk/audit-chain";
import { verifyAuditFiles, type OfflineVerifyResult } from "../../sdk/verify-audit-files";
import { CliError } from "../errors";
import { printJson } from "../output";

function readText(file: string, what: string): string {
  try {
    return readFileSync(file, "utf8");
  } catch (err) {
    throw new CliError(`cannot read the ${what} ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

function masterKey(base64: string, source: string): Buffer {
  const key = Buffer.from(base64.trim(), "base64");
  if (key.length !== 32) throw new CliError(`${source} must be 32 bytes encoded as base64 (got ${key.length} bytes)`);
  return key;
}

/** The vault's master keys from the environment, as the server reads them; none: signatures are not checked. */
function macFromEnv(env: NodeJS.ProcessEnv): MacCheck | undefined {
  const keys: Buffer[] = [];
  if (env.RV_MASTER_KEY) keys.push(masterKey(env.RV_MASTER_KEY, "RV_MASTER_KEY"));
  else if (env.RV_MASTER_KEY_FILE) keys.push(masterKey(readText(env.RV_MASTER_KEY_FILE, "master key file"), "RV_MASTER_KEY_FILE"));
  (env.RV_PREVIOUS_MASTER_KEYS ?? "").split(",").filter((s) => s.trim()).forEach((s, i) => keys.push(masterKey(s, `RV_PREVIOUS_MASTER_KEYS[${i}]`)));
  return keys.length ? macCheckFromMasterKeys(keys) : undefined;
}

const range = (start: { seq: string }, end: { seq: string }) => (BigInt(end.seq) > BigInt(start.seq) ? `#${BigInt(start.seq) + 1n}–#${end.seq}` : "no events");

function describe(result: OfflineVerifyResult, anchored: boolean): string[] {
  const { chain, files } = result;
  const lines: string[] = [];
  if (result.ok) {
    const archives = files.filter((f) => f.kind === "archive");
    const signatures = !chain.keyed
      ? "signatures not checked (no key given: set RV_MASTER_KEY to check them)"
      : archives.length
        ? `signatures valid (${archives.length} archive(s), ${chain.orgs.reduce((n, o) => n + o.signaturesChecked, 0)} checkpoint(s))`
        : `checkpoint signatures valid (${chain.orgs.reduce((n, o) => n + o.signaturesChecked, 0)})`;
    lines.push(`ok: ${chain.events} event(s) of ${chain.orgs.length} org(s) verified offline${anchored ? ", against the anchor" : ""}; ${signatures}`);
  } else {
    lines.push(result.brokenAt !== undefined ? `BROKEN at seq ${result.brokenAt} (${result.orgId}): ${result.reason}` : `BROKEN: ${result.reason}`);
  }
  for (const o of chain.orgs) {
    const start = o.start.fromGenesis ? "from genesis" : `continuing #${o.start.seq}`;
    const anchor = o.anchor
      ? `, anchor #${o.anchor.seq}${o.anchor.signedAt ? ` (signed ${o.anchor.signedAt})` : ""} ${o.anchor.matched ? "matched" : o.anchor.note ? `not checked: ${o.anchor.note}` : "NOT matched"}`
      : "";
    lines.push(`  ${o.orgId}: ${range(o.start, o.end)} ${start} (${o.events} event(s))${anchor}${o.ok ? "" : `: broken at #${o.brokenAt}`}`);
  }
  for (const f of files) {
    const what = f.kind === "archive" ? `archive of ${Array.isArray(f.header?.partitions) ? (f.header!.partitions as string[]).join(", ") : "?"}` : "export";
    const sig = f.signature === null ? "" : f.signature === "unchecked" ? ", signature not checked (no key)" : `, signature ${f.signature}`;
    lines.push(`  ${f.file}: ${what}, ${f.events} event(s)${sig}${f.problem ? `: ${f.problem}` : ""}`);
  }
  return lines;
}

export async function verifyOffline(opts: { exportFile?: string; archives: string[]; anchorFile?: string; json: boolean }): Promise<number> {
  let anchors: Map<string, ChainCheckpoint> | undefined;
  if (opts.anchorFile) {
    anchors = parseAnchors(readText(opts.anchorFile, "anchor file"));
    if (anchors.size === 0) throw new CliError(`${opts.anchorFile} holds no checkpoint (expected anchor lines or a {"orgId","seq","hash"} object)`);
  }
  for (const file of [...opts.archives, ...(opts.exportFile ? [opts.exportFile] : [])]) {
    try {
      accessSync(file, constants.R_OK);
    } catch (err) {
      throw new CliError(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
  }
  const result = await verifyAuditFiles({ archives: opts.archives, exportFile: opts.exportFile, anchors, mac: macFromEnv(process.env) });
  if (opts.json) printJson(result);
  else process.stdout.write(describe(result, Boolean(anchors)).join("\n") + "\n");
  return result.ok ? 0 : 1;
}
