import { SetPasswordForm } from "./set-password-form";

export const dynamic = "force-dynamic";
export const metadata = { title: "Set your password" };

export default async function SetPasswordPage({ searchParams }: { searchParams: Promise<{ token?: string }> }) {
  const { token } = await searchParams;
  return (
    <main className="flex min-h-screen items-center justify-center px-4">
      <div className="card w-full max-w-sm space-y-4 p-6">
        <h1 className="text-xl font-semibold">Set your password</h1>
        {token ? <SetPasswordForm token={token} /> : <p className="text-sm text-slate-600">This link is incomplete. Open the full link you were given.</p>}
      </div>
    </main>
  );
}
