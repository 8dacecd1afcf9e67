// The premise of storable-text.ts, checked against Node's own UTF-8 encoder (what the pg
// driver uses): what it calls storable survives the trip unchanged, and its replacement
// is exactly what the trip makes of the rest.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isStorableText, isWellFormedText, toStorableJson, toStorableText } from "./storable-text";

const utf8RoundTrip = (s: string) => Buffer.from(s, "utf8").toString("utf8");
const text = fc.oneof(fc.string({ unit: "binary", maxLength: 20 }), fc.constantFrom("\udfff", "\ud800", "\ud83d\ude00", "\ude00\ud83d", "a\u0000b", "e\u0301"));

describe("storable text", () => {
  it("well-formed is exactly what UTF-8 keeps, and the replacement is what UTF-8 makes of the rest", () => {
    fc.assert(
      fc.property(text, (s) => {
        expect(isWellFormedText(s)).toBe(utf8RoundTrip(s) === s);
        expect(toStorableText(s)).toBe(utf8RoundTrip(s).replaceAll("\u0000", "\ufffd"));
        expect(isStorableText(toStorableText(s))).toBe(true);
      }),
      { numRuns: 2000 },
    );
    expect([isStorableText("\ud83d\ude00"), isStorableText("\ud83d"), isStorableText("a\u0000"), isWellFormedText("a\u0000")]).toEqual([true, false, false, true]);
  });

  it("reduces data to the JSON value jsonb gives back", () => {
    expect(toStorableJson({ b: undefined, d: new Date(0), n: NaN, "\udfff": ["x\u0000"], nested: { f: () => 1 } })).toEqual({
      d: "1970-01-01T00:00:00.000Z",
      n: null,
      "\ufffd": ["x\ufffd"],
      nested: {},
    });
    expect(toStorableJson(undefined)).toBeNull();
  });
});
