import type { ReactNode } from "react";
import { redirect } from "next/navigation";
import { getSessionUser } from "@/lib/auth/get-session-user";
import { can } from "@/lib/auth/roles";
import { prisma } from "@/lib/db/prisma";
import { NavLinks } from "@/components/nav-links";
import { NavMenu } from "@/components/nav-menu";
import { SignOutButton } from "@/components/sign-out-button";

export const dynamic = "force-dynamic";

export default async function AdminLayout({ children }: { children: ReactNode }) {
  // The proxy only redirects by cookie; this is the real check (and each page checks its permission).
  const user = await getSessionUser();
  if (!user) redirect("/sign-in");
  const pending = await prisma.lease.count({ where: { orgId: user.orgId, status: "pending", expiresAt: { gt: new Date() } } });
  const items = [
    { href: "/overview", label: "Overview" },
    { href: "/catalogue", label: "Catalogue" },
    { href: "/bots", label: "Bots" },
    { href: "/mounts", label: "Mounts" },
    { href: "/leases", label: "Leases" },
    { href: "/approvals", label: "Approvals", badge: pending },
    ...(can(user.role, "audit:read") ? [{ href: "/audit", label: "Audit timeline" }] : []),
    { href: "/policy", label: "Org policy" },
    ...(can(user.role, "members:write") ? [{ href: "/members", label: "Members" }] : []),
    { href: "/tokens", label: "API tokens" },
    { href: "/account", label: "Your account" },
  ];
  return (
    <div className="md:flex">
      <aside className="relative border-b border-slate-200 bg-slate-100 md:sticky md:top-0 md:h-screen md:w-56 md:shrink-0 md:border-b-0 md:border-r">
        <div className="px-4 py-3 pr-28 md:pr-4">
          <a href="#main" className="sr-only focus:not-sr-only">
            Skip to content
          </a>
          <p className="font-semibold">Runtime Vault</p>
          <p className="text-xs text-slate-600 md:mt-1">{user.orgName}</p>
        </div>
        <NavMenu>
          <nav aria-label="Main" className="px-2 pb-2">
            <NavLinks items={items} />
          </nav>
          <div className="flex items-center justify-between gap-2 border-t border-slate-200 px-4 py-3 text-xs text-slate-600 md:absolute md:bottom-0 md:w-56 md:flex-col md:items-start">
            <span data-testid="current-user">
              {user.email} · <strong>{user.role}</strong>
            </span>
            <SignOutButton />
          </div>
        </NavMenu>
      </aside>
      <main id="main" className="min-w-0 flex-1 px-4 py-6 md:px-8">
        {children}
      </main>
    </div>
  );
}
