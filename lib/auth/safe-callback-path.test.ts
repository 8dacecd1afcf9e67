import { describe, expect, it } from "vitest";
import { safeCallbackPath, sameOriginRedirect } from "./safe-callback-path";

// Each of these was (or could be) read by a browser as another origin.
const ATTACKS = [
  "/\\evil.example",
  "/\t/evil.example",
  "/\n/evil.example",
  "/\r\n/evil.example",
  "//evil.example",
  "/\\/evil.example",
  "/.//evil.example",
  "/./\\evil.example",
  "https://evil.example/overview",
  "javascript:alert(1)",
  "\\\\evil.example",
  " /\\evil.example",
];

describe("safeCallbackPath", () => {
  it.each(ATTACKS)("refuses %j", (value) => {
    const path = safeCallbackPath(value);
    expect(path).toBe("/overview");
  });

  it("keeps same-origin paths, with query and fragment", () => {
    expect(safeCallbackPath("/bots/bot_1?tab=grants#x")).toBe("/bots/bot_1?tab=grants#x");
    expect(safeCallbackPath("/audit?q=a%20b")).toBe("/audit?q=a%20b");
    expect(safeCallbackPath("/catalogue/../members")).toBe("/members");
  });

  it("whatever it returns, a browser resolves to the same origin", () => {
    for (const value of [...ATTACKS, "/x", "/%5Cevil.example", "/%09/evil.example", "/..%2F..%2Fevil"]) {
      const path = safeCallbackPath(value);
      expect(new URL(path, "https://vault.example").origin).toBe("https://vault.example");
      expect(path.startsWith("//")).toBe(false);
    }
  });

  it("falls back for missing or non-path values", () => {
    expect(safeCallbackPath(undefined)).toBe("/overview");
    expect(safeCallbackPath("")).toBe("/overview");
    expect(safeCallbackPath("overview")).toBe("/overview");
    expect(safeCallbackPath("/\\evil.example", "/sign-in")).toBe("/sign-in");
  });
});

describe("sameOriginRedirect", () => {
  const base = "https://vault.example";
  it("keeps same-origin URLs and paths", () => {
    expect(sameOriginRedirect("/bots", base)).toBe("https://vault.example/bots");
    expect(sameOriginRedirect("https://vault.example/audit?x=1", base)).toBe("https://vault.example/audit?x=1");
  });
  it.each([...ATTACKS, "https://vault.example.evil.example/", "http://vault.example/"])("sends %j to the base URL", (value) => {
    expect(sameOriginRedirect(value, base)).toBe(base);
  });
  it("refuses non-strings", () => {
    expect(sameOriginRedirect({ toString: () => "/x" }, base)).toBe(base);
  });
});
