// The first-start page behind the one-time link `npm start` prints while no owner exists.
import Link from "next/link";
import { prisma } from "@/lib/db/prisma";
import { ownerExists } from "@/lib/setup/owner-exists";
import { SetupForm } from "./setup-form";

export const dynamic = "force-dynamic";
export const metadata = { title: "Set up Runtime Vault" };

export default async function SetupPage() {
  const done = await ownerExists(prisma);
  return (
    <main className="flex min-h-screen items-center justify-center px-4">
      <div className="card w-full max-w-sm space-y-4 p-6">
        <div>
          <h1 className="text-xl font-semibold">Set up Runtime Vault</h1>
          {done ? null : <p className="mt-1 text-sm text-slate-600">Name your organization and create its owner account.</p>}
        </div>
        {done ? (
          <div className="space-y-3">
            <p className="text-sm text-slate-600">This vault already has an owner, so setup links no longer work.</p>
            <Link href="/sign-in" className="btn btn-primary">
              Sign in
            </Link>
          </div>
        ) : (
          <SetupForm />
        )}
      </div>
    </main>
  );
}
