import type { Permission } from "@/lib/auth/roles";

/** What a role without access sees instead of the page (the refusal is audited). */
export function Forbidden({ permission, role }: { permission: Permission; role: string }) {
  return (
    <div className="card max-w-xl" role="alert" data-status="403">
      <h1 className="text-lg font-semibold">403 — not allowed</h1>
      <p className="mt-2 text-sm text-slate-600">
        Your role ({role}) does not include <code>{permission}</code>. Ask an owner if you need it. This attempt was recorded in the audit trail.
      </p>
    </div>
  );
}
