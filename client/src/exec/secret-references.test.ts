import { describe, expect, it } from "vitest";
import { findReferences, formatReference, parseReference, referenceKey, substituteReferences } from "./secret-references.ts";
import { substituteArgs, unresolvedPlaceholders } from "./secret-args.ts";

describe("secret references", () => {
  it("formats and parses both forms", () => {
    expect(formatReference("GITHUB_TOKEN")).toBe("{{secret:GITHUB_TOKEN}}");
    expect(formatReference("GITHUB_TOKEN", "production")).toBe("{{secret:GITHUB_TOKEN@production}}");
    expect(parseReference("{{secret:GITHUB_TOKEN}}")).toEqual({ name: "GITHUB_TOKEN" });
    expect(parseReference("{{secret:GITHUB_TOKEN@prod-eu}}")).toEqual({ name: "GITHUB_TOKEN", scope: "prod-eu" });
    for (const bad of ["{{secret:github_token}}", "{{secret:A@Prod}}", "x{{secret:A}}", "{{secret:A}} ", "{{secret:}}", "{{secret:A@}}", "{{ secret:A }}"]) {
      expect(parseReference(bad)).toBeNull();
    }
  });

  it("finds references anywhere in nested arguments, each once, not in keys", () => {
    const args = {
      url: "https://api.example.com/?key={{secret:API_KEY}}",
      headers: [{ name: "Authorization", value: "Bearer {{secret:TOKEN@production}}" }],
      nested: { deep: { list: ["{{secret:API_KEY}}", 42, null, true, "{{secret:TOKEN}}{{secret:API_KEY}}"] } },
      "{{secret:IN_KEY}}": "plain",
      broken: "{{secret:lower}} {{secret:A@B}} {secret:X}",
    };
    expect(findReferences(args)).toEqual([{ name: "API_KEY" }, { name: "TOKEN", scope: "production" }, { name: "TOKEN" }]);
    expect(findReferences("{{secret:A}}")).toEqual([{ name: "A" }]);
    expect(findReferences([1, null, undefined, {}])).toEqual([]);
  });

  it("substitutes by reference key, inside longer strings, leaving unknown references and keys alone", () => {
    const values = new Map([
      [referenceKey({ name: "API_KEY" }), "k$1&'\"v"],
      [referenceKey({ name: "TOKEN", scope: "production" }), "tok"],
    ]);
    const args = {
      url: "https://x/?key={{secret:API_KEY}}&again={{secret:API_KEY}}",
      auth: "Bearer {{secret:TOKEN@production}}",
      other: "{{secret:TOKEN}}",
      list: [{ v: "{{secret:API_KEY}}" }, 7],
      "{{secret:API_KEY}}": 1,
    };
    const out = substituteReferences(args, values);
    expect(out).toEqual({
      // Replacement text is literal: `$1` and `&` are not replacement patterns.
      url: "https://x/?key=k$1&'\"v&again=k$1&'\"v",
      auth: "Bearer tok",
      other: "{{secret:TOKEN}}",
      list: [{ v: "k$1&'\"v" }, 7],
      "{{secret:API_KEY}}": 1,
    });
    // The input is not modified.
    expect(args.url).toBe("https://x/?key={{secret:API_KEY}}&again={{secret:API_KEY}}");
  });

  it("arguments keep taking only the name form", () => {
    const warnings: string[] = [];
    const out = substituteArgs(["--key={{secret:A}}", "{{secret:A@prod}}", "{{secret:B}}"], new Map([["A", "v"]]), "srv", (m) => warnings.push(m));
    expect(out).toEqual(["--key=v", "{{secret:A@prod}}", "{{secret:B}}"]);
    expect(warnings).toHaveLength(1);
    expect(unresolvedPlaceholders(["{{secret:A}}", "{{secret:B}}", "{{secret:C@prod}}"], new Set(["A"]))).toEqual(["B"]);
  });
});
