// Security review, issue 10, in Chromium: the open redirect after a real sign-in, a
// copied cookie after sign-out, password change and "sign out everywhere", and the
// Content-Security-Policy on every page. (Invite links under forged headers: the HTTP
// suite, e2e/auth-hardening.test.ts. A browser cannot forge them for the server action:
// Next refuses an X-Forwarded-Host that differs from the Origin, and a forged
// X-Forwarded-Proto makes next-auth look for the __Secure- cookie, i.e. no session.)
import { test, expect, type Browser, type ConsoleMessage, type Page } from "@playwright/test";
import { api, OWNER, signIn, signOut, snap, useVault } from "./support/vault";

const vault = useVault();

/** A second browser with a copy of `page`'s cookies, as someone who lifted them would have. */
async function withCopiedCookies(browser: Browser, page: Page) {
  const context = await browser.newContext();
  await context.addCookies(await page.context().cookies());
  return context.newPage();
}

async function freshSignIn(browser: Browser, who: { email: string; password: string }) {
  const page = await (await browser.newContext()).newPage();
  await signIn(page, vault, who);
  return page;
}

test("3: after signing in, a callbackUrl that browsers read as another host still lands in the vault", async ({ page }) => {
  let visitedEvil = false;
  await page.context().route((url) => url.hostname.endsWith("evil.example"), (route) => {
    visitedEvil = true;
    return route.fulfill({ status: 200, contentType: "text/html", body: "<h1>evil</h1>" });
  });
  await page.goto(`${vault.url}/sign-in?callbackUrl=/%09/evil.example`);
  await page.getByLabel("Email").fill(OWNER.email);
  await page.getByLabel("Password").fill(OWNER.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByTestId("current-user")).toContainText(OWNER.email);
  expect(new URL(page.url()).origin).toBe(vault.url);

  // Signed in already: the page redirects at once.
  for (const callback of ["/%5Cevil.example", "/%09/evil.example", "/.//evil.example"]) {
    await page.goto(`${vault.url}/sign-in?callbackUrl=${callback}`);
    await expect(page.getByTestId("current-user")).toBeVisible();
    expect(new URL(page.url()).origin, callback).toBe(vault.url);
  }
  expect(visitedEvil).toBe(false);
});

test("7: a cookie copied before sign-out cannot create a bot afterwards", async ({ page, browser }) => {
  await signIn(page, vault);
  const thief = await withCopiedCookies(browser, page);
  await thief.goto(`${vault.url}/bots`);
  await expect(thief.getByRole("heading", { name: "Create a bot" })).toBeVisible();

  await signOut(page);

  await thief.getByLabel("Name").fill("after-sign-out-bot");
  await thief.getByRole("button", { name: "Create bot" }).click();
  await expect(thief.getByRole("alert").filter({ hasText: "session" })).toHaveText("Your session has ended: sign in again.");
  const { bots } = (await api(vault, "GET", "/api/v1/bots")) as { bots: { name: string }[] };
  expect(bots.map((b) => b.name)).not.toContain("after-sign-out-bot");
  await thief.reload();
  await expect(thief.getByRole("heading", { name: "Sign in to Runtime Vault" })).toBeVisible();
  await thief.context().close();
});

test("7: changing the password signs out the other sessions; sign out everywhere ends them all", async ({ page, browser }) => {
  const member = await vault.addMember("viewer");
  await signIn(page, vault, member);
  const laptop = await freshSignIn(browser, member);

  await page.getByRole("link", { name: "Your account" }).click();
  await expect(page.getByRole("heading", { name: "Your account" })).toBeVisible();
  await page.getByLabel("Current password").fill("not my password at all");
  await page.getByLabel("New password", { exact: true }).fill("a brand new password 1");
  await page.getByLabel("Repeat the new password").fill("a brand new password 1");
  await page.getByRole("button", { name: "Change password" }).click();
  await expect(page.getByText("This is not your current password")).toBeVisible();

  await page.getByLabel("Current password").fill(member.password);
  await page.getByLabel("New password", { exact: true }).fill("a brand new password 1");
  await page.getByLabel("Repeat the new password").fill("a brand new password 1");
  await page.getByRole("button", { name: "Change password" }).click();
  await expect(page.getByRole("status")).toHaveText("Password changed. Signed out 1 other session.");
  await snap(page, "account");

  // The other session is gone; this one stays.
  await laptop.reload();
  await expect(laptop.getByRole("heading", { name: "Sign in to Runtime Vault" })).toBeVisible();
  await page.reload();
  await expect(page.getByTestId("current-user")).toContainText(member.email);

  // Old password refused, new one accepted.
  await laptop.getByLabel("Email").fill(member.email);
  await laptop.getByLabel("Password").fill(member.password);
  await laptop.getByRole("button", { name: "Sign in" }).click();
  await expect(laptop.getByRole("alert").filter({ hasText: "incorrect" })).toHaveText("Email or password is incorrect.");
  await signIn(laptop, vault, { email: member.email, password: "a brand new password 1" });

  // Sign out everywhere: this browser and the laptop.
  await page.getByRole("button", { name: "Sign out everywhere" }).click();
  await expect(page.getByRole("heading", { name: "Sign in to Runtime Vault" })).toBeVisible();
  await laptop.reload();
  await expect(laptop.getByRole("heading", { name: "Sign in to Runtime Vault" })).toBeVisible();
  await laptop.context().close();
});

test("15: every page sends a nonce-based script policy and runs without a CSP violation", async ({ page }) => {
  const violations: string[] = [];
  const onConsole = (msg: ConsoleMessage) => {
    if (/Content Security Policy|Refused to (execute|load|apply)/i.test(msg.text())) violations.push(`${page.url()}: ${msg.text()}`);
  };
  page.on("console", onConsole);
  page.on("pageerror", (err) => violations.push(`${page.url()}: page error ${err.message}`));

  const secret = (await api(vault, "POST", "/api/v1/secrets", { name: "CSP_CHECK_KEY", value: "csp-check-value" })) as { id: string };
  const bot = (await api(vault, "POST", "/api/v1/bots", { name: "csp-check-bot" })) as { bot?: { id: string }; id?: string };
  const botId = bot.bot?.id ?? bot.id;

  // The header, and the nonce it names on every script of the page.
  const first = await page.goto(`${vault.url}/sign-in`);
  const csp = (await first!.headerValue("content-security-policy"))!;
  const nonce = /script-src 'self' 'nonce-([A-Za-z0-9+/=]+)' 'strict-dynamic'/.exec(csp)?.[1];
  expect(nonce, csp).toBeTruthy();
  expect(csp).toContain("object-src 'none'");
  expect(csp).toContain("base-uri 'self'");
  expect(csp).toContain("frame-ancestors 'none'");
  const scriptSrc = csp.split(";").find((d) => d.trim().startsWith("script-src"))!;
  expect(scriptSrc).not.toContain("unsafe-inline");
  expect(scriptSrc).not.toContain("unsafe-eval");
  expect(csp).toContain("default-src 'self'");
  const html = await first!.text();
  const scripts = html.match(/<script\b[^>]*>/g) ?? [];
  expect(scripts.length).toBeGreaterThan(0);
  for (const tag of scripts) expect(tag).toContain(`nonce="${nonce}"`);
  const second = await page.goto(`${vault.url}/sign-in`);
  expect(await second!.headerValue("content-security-policy")).not.toContain(nonce!);

  // An inline script without the nonce, as a reflected XSS would put it into the page, does not run.
  await page.route(`${vault.url}/sign-in?xss=1`, async (route) => {
    const real = await route.fetch();
    const body = (await real.text()).replace("<body", "<script>window.__injected = true</script><body");
    await route.fulfill({ response: real, body });
  });
  await page.goto(`${vault.url}/sign-in?xss=1`);
  await expect(page.getByRole("heading", { name: "Sign in to Runtime Vault" })).toBeVisible();
  expect(await page.evaluate(() => (window as { __injected?: boolean }).__injected ?? false)).toBe(false);
  expect(violations.join("\n")).toMatch(/inline script/i);
  await page.unroute(`${vault.url}/sign-in?xss=1`);
  violations.length = 0;

  // Every page, through the app's own navigation where there is one.
  await signIn(page, vault);
  const links = ["Overview", "Catalogue", "Bots", "Mounts", "Leases", "Approvals", "Audit timeline", "Org policy", "Members", "API tokens", "Your account"];
  for (const name of links) {
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name, exact: true }).click();
    await expect(page.getByRole("heading", { level: 1 }).first()).toBeVisible();
    await expect(page).toHaveURL(/\/[a-z]/);
  }
  for (const path of [`/catalogue/${secret.id}`, `/bots/${botId}`, "/audit?type=member.signed_in", "/no-such-page", "/set-password", "/set-password?token=abcdefghijklmnopqrstuvwxyz"]) {
    const res = await page.goto(`${vault.url}${path}`);
    expect(await res!.headerValue("content-security-policy"), path).toMatch(/script-src 'self' 'nonce-/);
    // The audit timeline holds its live event stream open: the network never goes idle there.
    await page.waitForLoadState(path.startsWith("/audit") ? "load" : "networkidle");
  }
  // Client-side work still runs: a form submission through a server action and a dialog.
  await page.goto(`${vault.url}/catalogue/${secret.id}`);
  await page.getByRole("button", { name: /delete/i }).first().click();
  await expect(page.getByRole("dialog")).toBeVisible();
  await page.keyboard.press("Escape");
  await page.goto(`${vault.url}/bots`);
  await page.getByLabel("Name").fill("csp-form-bot");
  await page.getByRole("button", { name: "Create bot" }).click();
  await expect(page.getByTestId("shown-once")).toBeVisible();
  await signOut(page);
  expect(violations).toEqual([]);
});
