#!/usr/bin/env node
// `runtime-vault` CLI: the compiled JavaScript, in this same process, so exit codes and
// signals reach the caller unchanged.
import { main } from "../dist/esm/cli/main.js";

await main(process.argv.slice(2));
