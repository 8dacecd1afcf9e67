// The client's version, as in client/package.json (the build checks they agree). A
// constant rather than a read of package.json: the single-file executable has none.
export const VERSION = "0.1.0";
