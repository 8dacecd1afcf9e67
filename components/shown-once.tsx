import { CopyButton } from "./copy-button";

/** A credential displayed exactly once: it is in this response and nowhere else. */
export function ShownOnce({ label, value }: { label: string; value: string }) {
  return (
    <div className="space-y-2 rounded-md border border-amber-300 bg-amber-50 p-3" role="status">
      <p className="text-sm font-medium text-amber-900">{label} — copy it now: it will not be shown again.</p>
      <div className="flex flex-wrap items-center gap-2">
        <code className="break-all rounded bg-white px-2 py-1 font-mono text-xs" data-testid="shown-once">
          {value}
        </code>
        <CopyButton value={value} />
      </div>
    </div>
  );
}
