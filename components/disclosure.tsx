"use client";
// Folds a block (filters, an "Add" form) away behind a button at narrow widths, so the
// list it belongs to is on the first screen. From `md` up the block is always shown and
// the button is hidden, unless `always` folds it at every width.
import { useId, useState, type ReactNode } from "react";

export interface DisclosureProps {
  /** The button's text, e.g. "Filters" or "Add a secret". */
  label: string;
  children: ReactNode;
  defaultOpen?: boolean;
  /** Fold at every width, not only below `md`. */
  always?: boolean;
  className?: string;
}

export function Disclosure({ label, children, defaultOpen = false, always = false, className = "" }: DisclosureProps) {
  const [open, setOpen] = useState(defaultOpen);
  const id = useId();
  return (
    <div className={className}>
      <button
        type="button"
        className={`btn mb-2 ${always ? "" : "md:hidden"}`}
        aria-expanded={open}
        aria-controls={id}
        onClick={() => setOpen(!open)}
      >
        <span aria-hidden="true">{open ? "▾" : "▸"}</span> {label}
      </button>
      <div id={id} className={open ? "" : always ? "hidden" : "hidden md:block"}>
        {children}
      </div>
    </div>
  );
}
