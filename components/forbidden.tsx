/**
 * What a role without access sees instead of a page: rendered by app/(admin)/forbidden.tsx
 * when requirePageUser interrupts with `forbidden()`, which also sets the 403 status.
 * It takes no props (Next renders it for the whole segment ahead of time); the sidebar
 * already names the member's role.
 */
export function Forbidden() {
  return (
    <div className="card max-w-xl" role="alert" data-status="403">
      <h1 className="text-lg font-semibold">403 — not allowed</h1>
      <p className="mt-2 text-sm text-slate-600">
        Your role does not include this page. Ask an owner if you need it. This attempt was recorded in the audit trail.
      </p>
    </div>
  );
}
