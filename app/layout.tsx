import type { ReactNode } from "react";
import { connection } from "next/server";
import "./globals.css";

export const metadata = { title: { default: "Runtime Vault", template: "%s · Runtime Vault" } };

export default async function RootLayout({ children }: { children: ReactNode }) {
  // Every page is rendered per request, never prerendered at build time: its scripts
  // need the request's CSP nonce (proxy.ts), which a static page could not carry.
  await connection();
  return (
    <html lang="en">
      <body className="min-h-screen bg-slate-50 font-sans text-slate-900 antialiased">{children}</body>
    </html>
  );
}
