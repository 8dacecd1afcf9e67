"use client";
import { useEffect, useId, useState } from "react";
import { createPortal } from "react-dom";
import Link from "next/link";
import { ConfirmDialog } from "@/components/confirm-dialog";
import { Checkbox } from "@/components/field";
import type { FormState } from "@/lib/forms/form-state";
import { incidentAction } from "./actions";

interface Option {
  id: string;
  label: string;
}

type Kind = "bot" | "secret" | "all";

/**
 * The big red button: choose what to cut off, give a reason, confirm once. It starts at
 * the narrowest scope (one bot); the whole organization needs its name typed. The result
 * is shown on the page (in `#incident-result`, above the list), not in the closed dialog.
 */
export function IncidentControl({ bots, secrets, orgName }: { bots: Option[]; secrets: Option[]; orgName: string }) {
  const [kind, setKind] = useState<Kind>(bots.length > 0 ? "bot" : secrets.length > 0 ? "secret" : "all");
  const [result, setResult] = useState<FormState | null>(null);
  const [slot, setSlot] = useState<HTMLElement | null>(null);
  useEffect(() => setSlot(document.getElementById("incident-result")), []);
  const kinds: Kind[] = ["bot", "secret", "all"];
  const id = useId();
  const banner = result ? (
    <div role="status" className="card mb-4 flex flex-wrap items-center justify-between gap-2 border-emerald-300 bg-emerald-50 text-sm" data-testid="incident-result">
      <p>
        <strong>{result.message}</strong>{" "}
        <Link href="/audit?type=leases.revoked" className="link">
          See the audit events
        </Link>
      </p>
      <button type="button" className="btn btn-sm" onClick={() => setResult(null)}>
        Dismiss
      </button>
    </div>
  ) : null;
  return (
    <>
      {banner ? (slot ? createPortal(banner, slot) : banner) : null}
      <ConfirmDialog
        trigger="Incident: revoke all…"
        triggerClassName="btn btn-danger"
        title={kind === "all" ? `Revoke every lease of ${orgName}` : kind === "bot" ? "Revoke every lease of one bot" : "Revoke every lease of one secret"}
        description="Active leases stop resolving at once (410) and pending requests are cancelled. The reason lands in the audit trail."
        action={incidentAction}
        reason="required"
        confirmLabel="Revoke now"
        confirmText={kind === "all" ? orgName : undefined}
        onDone={setResult}
      >
        {/* Narrowest first: showModal focuses the first enabled control, "One bot". */}
        <fieldset className="space-y-2">
          <legend className="text-sm font-medium">Cut off</legend>
          {kinds.map((k) => (
            <label key={k} className="flex items-center gap-2 text-sm">
              <input
                type="radio"
                name="kind"
                value={k}
                checked={kind === k}
                onChange={() => setKind(k)}
                className="size-4"
                disabled={(k === "bot" && bots.length === 0) || (k === "secret" && secrets.length === 0)}
              />
              {k === "all" ? "The whole organization" : k === "bot" ? "One bot" : "One secret"}
            </label>
          ))}
        </fieldset>
        {kind === "bot" ? (
          <div className="space-y-1 text-sm">
            <label htmlFor={`${id}-bot`} className="block font-medium">
              Bot
            </label>
            <select id={`${id}-bot`} name="botId" className="input" required>
              {bots.map((b) => (
                <option key={b.id} value={b.id}>
                  {b.label}
                </option>
              ))}
            </select>
          </div>
        ) : null}
        {kind === "secret" ? (
          <div className="space-y-1 text-sm">
            <label htmlFor={`${id}-secret`} className="block font-medium">
              Secret
            </label>
            <select id={`${id}-secret`} name="secretId" className="input" required>
              {secrets.map((s) => (
                <option key={s.id} value={s.id}>
                  {s.label}
                </option>
              ))}
            </select>
          </div>
        ) : null}
        {kind === "all" ? <p className="rounded-md bg-red-50 p-2 text-sm text-red-800">Every bot of {orgName} loses every lease it holds.</p> : null}
        <Checkbox name="freezeBots" label="Also freeze the bots involved" hint="Frozen bots cannot request new leases until unfrozen." />
      </ConfirmDialog>
    </>
  );
}
