// runtime-vault audit tail|export|verify
import { createWriteStream } from "node:fs";
import { writeFile } from "node:fs/promises";
import { once } from "node:events";
import { Readable } from "node:stream";
import type { ReadableStream as WebReadableStream } from "node:stream/web";
import { pipeline } from "node:stream/promises";
import { parse } from "../args";
import { context } from "../context";
import { CliError, UsageError } from "../errors";
import { info, printJson } from "../output";
import { watchLifeline } from "../lifeline";
import type { AuditEvent, VerifyResult } from "../../sdk/types";
import { verifyOffline } from "./audit-verify-offline";

const CSV_COLUMNS = ["seq", "createdAt", "type", "outcome", "actorType", "actorId", "botId", "secretName", "scope", "secretVersion", "leaseId", "justification", "reason", "ip", "hash"] as const;

/** RFC 4180 quoting; a leading = + - @ is defused so spreadsheets do not run it as a formula. */
function csvCell(value: unknown): string {
  let s = value === null || value === undefined ? "" : String(value);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function toCsv(events: AuditEvent[]): string {
  const lines = [CSV_COLUMNS.join(",")];
  for (const e of events) lines.push(CSV_COLUMNS.map((c) => csvCell(e[c])).join(","));
  return lines.join("\r\n") + "\r\n";
}

function describe(e: AuditEvent, event: string): string {
  const what = [e.secretName && `${e.secretName}${e.scope ? `@${e.scope}` : ""}`, e.botId && `bot=${e.botId}`, e.leaseId && `lease=${e.leaseId}`].filter(Boolean).join(" ");
  const why = e.justification ? ` "${e.justification}"` : e.reason ? ` (${e.reason})` : "";
  return `${e.seq}\t${e.createdAt}\t${event}\t${e.outcome}\t${what}${why}`;
}

/** The online verify's one line: the result, the anchor it was checked against, what is archived and unsealed. */
export function describeVerify(r: VerifyResult): string {
  const notes = [
    r.anchor ? `anchor #${r.anchor.seq} (signed ${r.anchor.signedAt})` : "no anchor on the server",
    ...(r.archived ? [`#1–#${r.archived.throughSeq} archived`] : []),
    r.unsealed.count ? `${r.unsealed.count} unsealed (oldest ${r.unsealed.oldestAgeMs} ms)` : "0 unsealed",
  ].join("; ");
  return r.ok
    ? `ok: ${r.checked} event(s), ${r.walked} recomputed (${r.mode}); ${notes}`
    : `BROKEN at seq ${r.brokenAt}: ${r.reason} (${r.checked} verified before it); ${notes}`;
}

export async function auditCommand([sub, ...argv]: string[]): Promise<number> {
  switch (sub) {
    case "tail": {
      const { values } = parse(argv, { after: { type: "string" } }, { max: 0 });
      const ctx = context(values);
      const abort = new AbortController();
      const stop = () => abort.abort();
      process.once("SIGINT", stop);
      process.once("SIGTERM", stop);
      // Also when whoever reads it is gone (parent dead, stdout closed).
      const unwatch = watchLifeline(stop);
      try {
        for await (const { event, data } of ctx.admin().audit.stream({ after: values.after, signal: abort.signal, onReconnect: () => info("event stream interrupted; resuming") })) {
          if (abort.signal.aborted) break;
          process.stdout.write((ctx.json ? JSON.stringify({ event, ...data }) : describe(data, event)) + "\n");
        }
      } finally {
        unwatch();
      }
      return 0;
    }
    case "export": {
      const { values } = parse(argv, { format: { type: "string" }, from: { type: "string" }, to: { type: "string" }, type: { type: "string" }, output: { type: "string", short: "o" } }, { max: 0 });
      const format = values.format ?? (values.json ? "json" : "csv");
      if (format !== "csv" && format !== "json" && format !== "jsonl") throw new UsageError("--format is csv, json or jsonl");
      const ctx = context(values);
      if (format === "jsonl") {
        // The whole chain, streamed from the server as it is: what `audit verify --export` checks.
        if (values.from || values.to || values.type) throw new UsageError("--format jsonl exports the whole chain (for offline verify): --from, --to and --type do not apply");
        const body = Readable.fromWeb((await ctx.admin().audit.exportChain()) as WebReadableStream<Uint8Array>);
        if (values.output) {
          await pipeline(body, createWriteStream(values.output, { mode: 0o600 }));
          info(`exported the audit chain to ${values.output}; verify it with: runtime-vault audit verify --export ${values.output}`);
        } else {
          for await (const chunk of body) if (!process.stdout.write(chunk)) await once(process.stdout, "drain");
        }
        return 0;
      }
      const events: AuditEvent[] = [];
      for await (const e of ctx.admin().audit.all({ from: values.from, to: values.to, type: values.type })) events.push(e);
      events.reverse(); // oldest first, as the chain runs
      const text = format === "csv" ? toCsv(events) : JSON.stringify(events, null, 2) + "\n";
      if (values.output) {
        await writeFile(values.output, text, { mode: 0o600 });
        info(`exported ${events.length} event(s) to ${values.output}`);
      } else process.stdout.write(text);
      return 0;
    }
    case "verify": {
      const { values } = parse(
        argv,
        {
          full: { type: "boolean" },
          export: { type: "string" },
          archive: { type: "string", multiple: true },
          "from-archive": { type: "string", multiple: true },
          anchor: { type: "string" },
        },
        { max: 0 },
      );
      const archives = [...(values.archive ?? []), ...(values["from-archive"] ?? [])];
      if (values.export || archives.length > 0) {
        if (values.full) throw new UsageError("--full is for the online verify; --export and --archive always walk every event");
        return verifyOffline({ exportFile: values.export, archives, anchorFile: values.anchor, json: values.json === true });
      }
      if (values.anchor) throw new UsageError("--anchor goes with --export or --archive (the online verify uses the server's anchor file)");
      const ctx = context(values);
      const result = await ctx.admin().audit.verify({ full: values.full });
      if (ctx.json) printJson(result);
      else process.stdout.write(describeVerify(result) + "\n");
      return result.ok ? 0 : 1;
    }
    default:
      throw new (sub ? CliError : UsageError)(sub ? `Unknown command: audit ${sub}` : "audit needs a subcommand: tail, export, verify", 2);
  }
}
