// A list's search box: a plain GET form, so the search is in the URL (shareable) and
// a new search starts again at the first page in the chosen order.
/** `label` names the form for screen readers ("Search secrets"); the field itself is "Search". */
export function ListSearch({ label, q, sort, direction, placeholder }: { label: string; q?: string; sort: string; direction: string; placeholder?: string }) {
  return (
    <form method="get" role="search" aria-label={label} className="flex flex-wrap items-end gap-2">
      <input type="hidden" name="sort" value={sort} />
      <input type="hidden" name="direction" value={direction} />
      <label className="min-w-0 flex-1 space-y-1 text-sm sm:max-w-xs">
        <span className="font-medium">Search</span>
        <input type="search" name="q" defaultValue={q ?? ""} className="input" placeholder={placeholder} />
      </label>
      <button type="submit" className="btn">
        Search
      </button>
      {q ? (
        <a href="?" className="btn">
          Clear
        </a>
      ) : null}
    </form>
  );
}
