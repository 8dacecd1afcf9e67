import { requirePageUser } from "@/lib/auth/require-page-user";
import { sessionMaxAgeSeconds } from "@/lib/sessions/session-lifetime";
import { PageHeader } from "@/components/page-header";
import { ChangePasswordForm, SignOutEverywhereForm } from "./account-forms";

export const metadata = { title: "Your account" };

export default async function AccountPage() {
  const user = await requirePageUser("metadata:read", "/account");
  return (
    <>
      <PageHeader title="Your account" description={`Signed in as ${user.email}. A session ends when you sign out, or ${Math.round(sessionMaxAgeSeconds() / 3600)} hours after sign-in at the latest.`} />
      <div className="space-y-6">
        <ChangePasswordForm />
        <SignOutEverywhereForm />
      </div>
    </>
  );
}
