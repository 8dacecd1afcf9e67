"use client";
import { useState } from "react";
import { ConfirmDialog } from "@/components/confirm-dialog";
import { Checkbox } from "@/components/field";
import { incidentAction } from "./actions";

interface Option {
  id: string;
  label: string;
}

/** The big red button: choose what to cut off, give a reason, confirm once. */
export function IncidentControl({ bots, secrets }: { bots: Option[]; secrets: Option[] }) {
  const [kind, setKind] = useState<"bot" | "secret" | "all">("all");
  return (
    <ConfirmDialog
      trigger="Incident: revoke all…"
      triggerClassName="btn btn-danger"
      title="Revoke every lease"
      description="Active leases stop resolving at once (410) and pending requests are cancelled. The reason lands in the audit trail."
      action={incidentAction}
      reason="required"
      confirmLabel="Revoke now"
    >
      <fieldset className="space-y-2">
        <legend className="text-sm font-medium">Cut off</legend>
        {(["all", "bot", "secret"] as const).map((k) => (
          <label key={k} className="flex items-center gap-2 text-sm">
            <input type="radio" name="kind" value={k} checked={kind === k} onChange={() => setKind(k)} className="size-4" />
            {k === "all" ? "The whole organization" : k === "bot" ? "One bot" : "One secret"}
          </label>
        ))}
      </fieldset>
      {kind === "bot" ? (
        <label className="block space-y-1 text-sm">
          <span className="font-medium">Bot</span>
          <select name="botId" className="input" required>
            {bots.map((b) => (
              <option key={b.id} value={b.id}>
                {b.label}
              </option>
            ))}
          </select>
        </label>
      ) : null}
      {kind === "secret" ? (
        <label className="block space-y-1 text-sm">
          <span className="font-medium">Secret</span>
          <select name="secretId" className="input" required>
            {secrets.map((s) => (
              <option key={s.id} value={s.id}>
                {s.label}
              </option>
            ))}
          </select>
        </label>
      ) : null}
      <Checkbox name="freezeBots" label="Also freeze the bots involved" hint="Frozen bots cannot request new leases until unfrozen." />
    </ConfirmDialog>
  );
}
