// Entry of the single-file executable (scripts/build-sea.mjs bundles it into one
// CommonJS file, as Node's single executable applications require). In such an
// executable process.argv[1] repeats the executable's path, so the arguments start at 2
// as they do under `node bin/runtime-vault.js`.
import { main } from "./main.ts";

void main(process.argv.slice(2));
