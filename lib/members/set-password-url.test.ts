import { describe, expect, it } from "vitest";
import { publicOrigin, setPasswordUrl } from "./set-password-url";

describe("set-password links", () => {
  it("use NEXTAUTH_URL's origin when it is set", () => {
    expect(setPasswordUrl("tok", { NEXTAUTH_URL: "https://vault.example.com/some/path", PORT: "3000" })).toBe("https://vault.example.com/set-password?token=tok");
  });
  it("fall back to the origin the server listens on, then to localhost:$PORT", () => {
    expect(publicOrigin({ __NEXT_PRIVATE_ORIGIN: "http://127.0.0.1:4123", PORT: "4123" })).toBe("http://127.0.0.1:4123");
    expect(publicOrigin({ PORT: "8080" })).toBe("http://localhost:8080");
    expect(publicOrigin({})).toBe("http://localhost:3000");
    expect(publicOrigin({ NEXTAUTH_URL: "not a url", PORT: "8080" })).toBe("http://localhost:8080");
  });
});
