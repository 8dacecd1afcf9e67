// The chain's hash lives with the client code (lib/sdk/audit-chain.ts), so the CLI's
// offline verify and the server hash exactly the same canonical text; one source.
export { canonicalEvent, chainHash, GENESIS_HASH, type ChainedFields } from "@/lib/sdk/audit-chain";
