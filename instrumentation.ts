// Runs once when the server starts. A production server without a usable master key
// would accept requests and then fail every secret read and write; refuse to start
// instead, with the reason, so a missing key shows at deploy time. The same goes for
// an RV_TRUSTED_PROXIES value that cannot be read. Then start signing audit
// then start sealing audit events into the signed chain (lib/audit/audit-sealer.ts), and
// shipping them to the audit sinks when RV_AUDIT_SINKS names any (lib/audit/sinks). On
// SIGTERM/SIGINT, end what would hold up Next's graceful stop (lib/server/install-graceful-stop.ts).
export async function register() {
  // One positive NEXT_RUNTIME test around everything: the edge build drops the block,
  // so it never sees process.exit. `next build` loads this too and must not need a key.
  if (process.env.NEXT_RUNTIME === "nodejs" && process.env.NEXT_PHASE !== "phase-production-build") {
    const { installPeerStamp, parseTrustedProxies, TrustedProxiesError } = await import("./lib/api/client-address");
    try {
      parseTrustedProxies(process.env.RV_TRUSTED_PROXIES);
    } catch (err) {
      if (!(err instanceof TrustedProxiesError)) throw err;
      console.error(`Runtime Vault: ${err.message}`);
      process.exit(1);
    }
    // Route handlers cannot see the socket; without the stamp every request's address is unknown.
    installPeerStamp();

    // Not with NEXT_MANUAL_SIG_HANDLE: then stopping is the embedder's call, and a listener
    // here would swallow the signal's default exit.
    if (!process.env.NEXT_MANUAL_SIG_HANDLE) {
      const { installGracefulStop } = await import("./lib/server/install-graceful-stop");
      installGracefulStop();
    }

    if (process.env.NODE_ENV === "production") {
      const { keyProviderFromEnv, MasterKeyError } = await import("./lib/crypto/key-provider");
      try {
        keyProviderFromEnv();
      } catch (err) {
        if (!(err instanceof MasterKeyError)) throw err;
        console.error(`Runtime Vault: ${err.message}`);
        process.exit(1);
      }
    }
    // An HSM that is down at start does not stop the server: requests needing the key
    // answer 503 key_provider_unavailable until it is back (lib/crypto/pkcs11-token.ts).
    // Cached data keys and the HSM session go at exit.
    const { closeKeyProvider, checkKeyProvider } = await import("./lib/crypto/close-key-provider");
    process.once("exit", closeKeyProvider);
    if (!process.env.NEXT_MANUAL_SIG_HANDLE) {
      process.once("SIGTERM", closeKeyProvider);
      process.once("SIGINT", closeKeyProvider);
    }
    checkKeyProvider();
    // Audit sinks (RV_AUDIT_SINKS): refuse to start on a configuration that cannot be read.
    const { parseSinksConfig, AuditSinkConfigError } = await import("./lib/audit/sinks/sink-config");
    let sinks: ReturnType<typeof parseSinksConfig> = null;
    try {
      sinks = parseSinksConfig();
    } catch (err) {
      if (!(err instanceof AuditSinkConfigError)) throw err;
      console.error(`Runtime Vault: ${err.message}`);
      process.exit(1);
    }

    if (process.env.DATABASE_URL) {
      const { prisma } = await import("./lib/db/prisma");
      const { startAuditSealer } = await import("./lib/audit/audit-sealer");
      startAuditSealer(prisma);
      if (sinks) {
        const { startAuditShipper } = await import("./lib/audit/sinks/audit-shipper");
        const shipper = startAuditShipper({ databaseUrl: process.env.DATABASE_URL, config: sinks, publish: true });
        // No new deliveries once stopping; one cut off in flight is shipped again after the restart.
        if (!process.env.NEXT_MANUAL_SIG_HANDLE) {
          process.once("SIGTERM", () => void shipper.stop());
          process.once("SIGINT", () => void shipper.stop());
        }
      }
    }
  }
}
