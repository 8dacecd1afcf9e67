// The chain's hash lives with the client code (client/src/sdk/audit-chain.ts), so the CLI's
// offline verify and the server hash exactly the same canonical text; one source.
export { canonicalEvent, chainHash, GENESIS_HASH, type ChainedFields } from "runtime-vault/audit-chain";
