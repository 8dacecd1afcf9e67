// What proxy.ts lets through to Next's server action decoding: the shapes React's
// encodeReply gives our forms, with and without JavaScript, and nothing that fails to decode.
import { NextRequest } from "next/server";
import { describe, expect, it } from "vitest";
import { ACTION_BODY_LIMIT_BYTES, actionRequestRefusal } from "./action-request";

const ID = "60a490893055960289c46c4cd0b174eb78030d7208";

function request(body: string | [string, string][], headers: Record<string, string> = {}) {
  const boundary = "----rvtest";
  const text = typeof body === "string" ? body : body.map(([k, v]) => `--${boundary}\r\ncontent-disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`).join("") + `--${boundary}--\r\n`;
  const type = typeof body === "string" ? "text/plain;charset=UTF-8" : `multipart/form-data; boundary=${boundary}`;
  return new NextRequest("http://vault.test/set-password", {
    method: "POST",
    body: text,
    headers: { host: "vault.test", "content-type": type, "content-length": String(Buffer.byteLength(text)), ...headers },
  });
}
const fetchAction = { "next-action": ID, origin: "http://vault.test" };
const status = async (req: NextRequest, page = { actionIds: new Set([ID]) }) => (await actionRequestRefusal(req, page))?.status ?? "passes";

describe("server action requests", () => {
  it("lets through what our forms send", async () => {
    expect(await status(request([["_1_token", "t"], ["_1_password", "$secret"], ["0", '[{"status":400,"message":"$$x","values":"$undefined"},"$K1"]']], fetchAction))).toBe("passes");
    expect(await status(request("[]", fetchAction))).toBe("passes");
    // Without JavaScript: the bound action and its arguments as $ACTION_ rows.
    const noScript: [string, string][] = [["$ACTION_REF_1", ""], ["$ACTION_1:0", `{"id":"${ID}","bound":"$@1"}`], ["$ACTION_1:1", "[{}]"], ["$ACTION_KEY", "k1"], ["token", "t"]];
    expect(await status(request(noScript, { origin: "http://vault.test" }))).toBe("passes");
    expect(await status(request([[`$ACTION_ID_${ID}`, ""], ["token", "t"]]))).toBe("passes");
    // A POST that is no action at all is Next's to render.
    expect(await status(request("a=1", { "content-type": "application/x-www-form-urlencoded" }))).toBe("passes");
  });

  it("refuses what React could not decode, with 400", async () => {
    for (const body of ["0=[{,,", "", '[{},"$Q1"]', '["$nope"]', '[{},"$h1"]', '[{"a":["$T"]}]', '["$@1"]', "[".repeat(200_000) + "]".repeat(200_000)]) {
      expect(await status(request(body, fetchAction)), body.slice(0, 20)).toBe(400);
    }
    for (const rows of [[["0", "[{,,"]], [["_1_x", "y"]], [["1e0", "[]"], ["0", "[]"]], [["S1", "x"], ["0", "[]"]], [["0", '["$R1"]']]] as [string, string][][]) {
      expect(await status(request(rows, fetchAction)), JSON.stringify(rows)).toBe(400);
    }
    for (const rows of [[["$ACTION_REF_1", ""]], [["$ACTION_REF_1", ""], ["$ACTION_1:0", `{"id":"${ID}","bound":"$@2"}`]], [["$ACTION_1:0", "{"]], [["$ACTION_ID_zz", ""]]] as [string, string][][]) {
      expect(await status(request(rows)), JSON.stringify(rows)).toBe(400);
    }
    expect(await status(new NextRequest("http://vault.test/set-password", { method: "POST", body: "--x\r\nbroken", headers: { ...fetchAction, host: "vault.test", "content-type": "multipart/form-data; boundary=x" } }))).toBe(400);
  });

  it("refuses other actions, other origins, oversized bodies and signed-out callers", async () => {
    expect(await status(request("[]", { ...fetchAction, "next-action": "00".repeat(21) }))).toBe(404);
    expect(await status(request([[`$ACTION_ID_${"ab".repeat(21)}`, ""]]))).toBe(404);
    expect(await status(request("[]", fetchAction), { actionIds: null } as never)).toBe("passes");
    for (const origin of ["http://evil.test", "null", "::"]) expect(await status(request("[]", { ...fetchAction, origin })), origin).toBe(403);
    expect(await status(request("[]", { ...fetchAction, "content-length": String(ACTION_BODY_LIMIT_BYTES + 1) }))).toBe(413);
    expect((await actionRequestRefusal(request("[]", fetchAction), { signedIn: async () => false }))?.status).toBe(401);
    expect(await actionRequestRefusal(request("[]", fetchAction), { signedIn: async () => true })).toBeNull();
  });
});
