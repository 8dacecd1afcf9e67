// Finding 9: the README's roles table, the permission table and the routes must agree
// on who may freeze and unfreeze a bot (e2e/four-eyes.test.ts checks the routes).
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { can, PERMISSIONS } from "./roles";

const readme = readFileSync(path.join(__dirname, "../../README.md"), "utf8");

/** Roles named in the last cell of the Admin API table row that mentions `route`. */
function rolesInTable(route: string): string[] {
  const row = readme.split("\n").find((line) => line.startsWith("| ") && line.includes(route));
  if (!row) throw new Error(`no roles table row mentions ${route}`);
  const cells = row.split(" | ");
  return [...cells[cells.length - 1].matchAll(/\b(owner|admin|security|viewer)\b/g)].map((m) => m[1]);
}

describe("freezing bots", () => {
  it("is an incident power the security role has; unfreezing restores access and is not", () => {
    expect(can("security", "bots:freeze")).toBe(true);
    expect(can("security", "bots:write")).toBe(false);
    expect(can("viewer", "bots:freeze")).toBe(false);
  });

  it("is documented as the code has it", () => {
    expect(rolesInTable("`POST /api/v1/bots/{id}/freeze`")).toEqual([...PERMISSIONS["bots:freeze"]]);
    expect(rolesInTable("`…/unfreeze`")).toEqual([...PERMISSIONS["bots:write"]]);
  });
});

describe("approval coverage", () => {
  it("is removed by owners only, as the table says", () => {
    expect(PERMISSIONS["approvals:remove-coverage"]).toEqual(["owner"]);
    expect(rolesInTable("`GET/PUT /api/v1/policy`")).toEqual([...PERMISSIONS["policy:write"]]);
  });
});
