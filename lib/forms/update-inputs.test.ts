// Finding 2b: the secret metadata form's action cleared the tags (and with them an
// approval rule's tag) when a request left the field out. An omitted field never clears.
import { describe, expect, it } from "vitest";
import { updatePolicySchema } from "../validations/policy";
import { updateSecretSchema } from "../validations/secret";
import { policyInput, secretMetadataInput } from "./update-inputs";

const form = (fields: [string, string][]) => {
  const fd = new FormData();
  for (const [k, v] of fields) fd.append(k, v);
  return fd;
};

describe("secretMetadataInput", () => {
  it("leaves out the tags when the request leaves them out", () => {
    const input = updateSecretSchema.parse(secretMetadataInput(form([["id", "sec_x"], ["description", "Payroll export"]])));
    expect(input).toEqual({ description: "Payroll export" });
    expect(input.tags).toBeUndefined();
  });

  it("clears only what was sent empty", () => {
    expect(updateSecretSchema.parse(secretMetadataInput(form([["tags", ""]])))).toEqual({ tags: [] });
    expect(updateSecretSchema.parse(secretMetadataInput(form([["description", ""]])))).toEqual({ description: "" });
    expect(updateSecretSchema.parse(secretMetadataInput(form([["tags", "pci, finance"]])))).toEqual({ tags: ["pci", "finance"] });
  });

  it("refuses a request that sends nothing to change", () => {
    expect(updateSecretSchema.safeParse(secretMetadataInput(form([["id", "sec_x"]]))).success).toBe(false);
  });
});

describe("policyInput", () => {
  it("changes only the fields sent: approval rules and switches left out stay as they are", () => {
    const input = updatePolicySchema.parse(policyInput(form([["approvalsRequired", "2"]])));
    expect(input).toEqual({ approvalsRequired: 2 });
  });

  it("reads the policy form as it posts: hidden entries make 'none' and 'off' explicit", () => {
    const input = updatePolicySchema.parse(
      policyInput(
        form([
          ["requireJustification", "0"],
          ["singleUseByDefault", "0"],
          ["singleUseByDefault", "1"],
          ["approvalSecretIds", ""],
          ["approvalTags", ""],
        ]),
      ),
    );
    expect(input).toEqual({ requireJustification: false, singleUseByDefault: true, approvalSecretIds: [], approvalTags: [] });
  });
});
