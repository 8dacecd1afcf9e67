import { describe, expect, it } from "vitest";
import { spawn } from "node:child_process";
import { pipeMasked, waitForExit } from "./child.ts";
import { maskPatterns, StreamMasker } from "./mask.ts";

describe("pipeMasked", () => {
  it("closes the child's output once the reader of ours is gone, so the child stops as in a plain pipe", async () => {
    const writer = spawn(process.execPath, ["-e", "setInterval(() => process.stdout.write('line\\n'), 10)"], { stdio: ["ignore", "pipe", "ignore"] });
    const reader = spawn("head", ["-n", "1"], { stdio: ["pipe", "ignore", "ignore"] });
    try {
      await pipeMasked(writer.stdout!, new StreamMasker(maskPatterns([{ name: "K", value: "not-printed" }])), reader.stdin!);
      // The writer's next write fails (EPIPE), which ends it.
      expect((await waitForExit(writer)).code).not.toBe(0);
    } finally {
      writer.kill("SIGKILL");
    }
  });
});
