#!/usr/bin/env node
// `runtime-vault` CLI: loads the TypeScript entry through tsx in this same process,
// so exit codes and signals reach the caller unchanged.
import { register } from "tsx/esm/api";
import { fileURLToPath } from "node:url";

const root = new URL("../", import.meta.url);
register({ tsconfig: fileURLToPath(new URL("tsconfig.json", root)) });
const { main } = await import(new URL("lib/cli/main.ts", root).href);
await main(process.argv.slice(2));
