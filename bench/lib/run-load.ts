// Runs bench/load.ts (autocannon) in its own process for one load point, and other bench
// scripts through tsx, so the load never shares an event loop with what it measures.
import { randomBytes } from "node:crypto";
import { spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import path from "node:path";
import type { LoadPoint } from "./report";
import { ROOT } from "./server";

export function runTsx(script: string, argv: string[], env: Record<string, string> = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(path.join(ROOT, "node_modules", ".bin", "tsx"), [script, ...argv], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, ...env } });
    let out = "", err = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (err += d));
    child.on("exit", (code) => (code === 0 ? resolve(out) : reject(new Error(`${script} exited ${code}: ${err.slice(-2000)}`))));
  });
}

/** One load point; `tmp` holds the config file. */
export async function load(tmp: string, cfg: Record<string, unknown>): Promise<LoadPoint & { used: number }> {
  const file = path.join(tmp, `load-${randomBytes(4).toString("hex")}.json`);
  writeFileSync(file, JSON.stringify(cfg));
  const out = await runTsx("bench/load.ts", [file]);
  return JSON.parse(out.trim().split("\n").pop()!);
}
