const TONES: Record<string, string> = {
  active: "bg-emerald-100 text-emerald-800",
  success: "bg-emerald-100 text-emerald-800",
  pending: "bg-amber-100 text-amber-800",
  frozen: "bg-sky-100 text-sky-800",
  denied: "bg-red-100 text-red-800",
  failure: "bg-red-100 text-red-800",
  revoked: "bg-red-100 text-red-800",
  // Handed back by the bot itself: the normal end of a lease, not an intervention.
  released: "bg-slate-100 text-slate-700 ring-1 ring-inset ring-slate-300",
  expired: "bg-slate-200 text-slate-700",
  used: "bg-slate-200 text-slate-700",
};

export function StatusBadge({ status }: { status: string }) {
  return <span data-status={status} className={`inline-block rounded-full px-2 py-0.5 text-xs font-medium ${TONES[status] ?? "bg-slate-100 text-slate-700"}`}>{status}</span>;
}
