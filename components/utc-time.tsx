import { formatTime } from "@/lib/format";

/**
 * A time in the app's one format ("YYYY-MM-DD HH:MM:SS UTC", lib/format.ts), broken after
 * the date so that time columns stay narrow enough for a 1280 px table.
 */
export function UtcTime({ value }: { value: Date | string | null | undefined }) {
  const text = formatTime(value);
  const at = text.indexOf(" ");
  if (!value || at < 0) return <span>{text}</span>;
  return (
    <time dateTime={new Date(value).toISOString()} className="whitespace-nowrap">
      <span className="block">{text.slice(0, at)} </span>
      <span className="block text-slate-500">{text.slice(at + 1)}</span>
    </time>
  );
}
