"use client";
import Link from "next/link";
import { usePathname } from "next/navigation";

export function NavLinks({ items }: { items: { href: string; label: string; badge?: number }[] }) {
  const pathname = usePathname();
  return (
    <ul className="flex flex-col gap-1">
      {items.map((item) => {
        const current = pathname === item.href || pathname.startsWith(item.href + "/");
        return (
          <li key={item.href}>
            <Link
              href={item.href}
              aria-current={current ? "page" : undefined}
              className={`flex items-center justify-between gap-2 whitespace-nowrap rounded-md px-3 py-1.5 text-sm ${current ? "bg-slate-900 text-white" : "text-slate-700 hover:bg-slate-200"}`}
            >
              {item.label}
              {item.badge ? <span className="rounded-full bg-amber-400 px-1.5 text-xs font-semibold text-slate-900">{item.badge}</span> : null}
            </Link>
          </li>
        );
      })}
    </ul>
  );
}
