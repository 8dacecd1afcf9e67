// One labelled <select> of a GET filter form (audit timeline, leases): "any" first, then
// the options, the current value chosen.
export interface FilterOption {
  value: string;
  label: string;
}

export function FilterSelect({ name, label, value, any, options }: { name: string; label: string; value: string | undefined; any: string; options: FilterOption[] }) {
  return (
    <label className="space-y-1 text-sm">
      <span className="font-medium">{label}</span>
      <select name={name} aria-label={label} defaultValue={value ?? ""} className="input">
        <option value="">{any}</option>
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    </label>
  );
}

export const botOptions = (bots: Array<{ id: string; name: string }>): FilterOption[] => bots.map((b) => ({ value: b.id, label: b.name }));
export const secretOptions = (secrets: Array<{ id: string; name: string; scope: string }>): FilterOption[] =>
  secrets.map((s) => ({ value: s.id, label: `${s.name} (${s.scope})` }));
