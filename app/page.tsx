import { redirect } from "next/navigation";

// The admin app's home is the overview; the proxy sends signed-out visitors to sign-in.
export default function Home() {
  redirect("/overview");
}
