// First start without bootstrap variables: the sign-in page says where to look, `npm
// start` prints a one-time setup link, and opening it creates the organization and its
// owner, who lands signed in on the overview; the link does not work twice. Runs the
// real start script (against a scratch database cloned from the migrated template).
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import { test, expect } from "@playwright/test";
import { createDatabase, dropDatabase } from "../lib/db/scratch-database";
import { snap } from "./support/vault";

const ADMIN_URL = process.env.DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";
const ROOT = process.cwd();
// What `npm start` runs, minus npm: `node --import tsx scripts/start.ts`.
const START_ARGS = (JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8")).scripts.start as string).split(" ").slice(1);
const OWNER = { org: "Acme Robotics", email: "founder@vault.test", password: "first owner password" };

test.describe.configure({ mode: "serial" });

let dbName = "";
let url = "";
let child: ChildProcess | undefined;
let logs: () => string = () => "";
let stop: () => Promise<void> = async () => {};

test.beforeAll(async () => {
  test.setTimeout(150_000);
  // Imported lazily: only the helpers, which do not use __dirname (see support/server.ts).
  const { freePort, captureOutput, killGroup, waitForOk } = await import("../test/server");
  dbName = `rv_e2e_${randomBytes(6).toString("hex")}`;
  const databaseUrl = await createDatabase(ADMIN_URL, dbName, process.env.RV_E2E_TEMPLATE);
  const port = await freePort();
  const env: NodeJS.ProcessEnv = { ...process.env, DATABASE_URL: databaseUrl, RV_SKIP_BUILD: "1", PORT: String(port), HOSTNAME: "127.0.0.1", NEXT_TELEMETRY_DISABLED: "1" };
  for (const name of ["NODE_ENV", "NEXTAUTH_URL", "RV_BOOTSTRAP_ADMIN_EMAIL", "RV_BOOTSTRAP_ADMIN_PASSWORD", "RV_BOOTSTRAP_API_TOKEN"]) delete env[name];
  const started = spawn(process.execPath, START_ARGS, { cwd: ROOT, detached: true, stdio: ["ignore", "pipe", "pipe"], env });
  child = started;
  logs = captureOutput(started);
  stop = () => killGroup(started);
  url = `http://127.0.0.1:${port}`;
  await waitForOk(`${url}/api/health`, started, 120_000, logs);
});

test.afterAll(async () => {
  if (child) await stop();
  if (dbName) await dropDatabase(ADMIN_URL, dbName);
});

function printedLink(): string {
  const links = [...logs().matchAll(/(http:\/\/\S+\/setup#token=[A-Za-z0-9_-]+)/g)].map((m) => m[1]);
  expect(links, logs()).toHaveLength(1);
  return links[0];
}

test("the sign-in page of an empty vault says where the setup link is", async ({ page }) => {
  await page.goto(`${url}/sign-in`);
  await expect(page.getByTestId("setup-hint")).toContainText("Look for the setup link in the console where npm start runs");
  await snap(page, "sign-in-before-setup");
});

test("the printed link creates the owner, who lands signed in on the overview", async ({ page, browser }) => {
  const link = printedLink();
  expect(link.startsWith(`${url}/setup#token=`)).toBe(true);
  const token = link.split("#token=")[1];

  // A wrong token is refused and creates nothing.
  await page.goto(`${url}/setup#token=${"x".repeat(43)}`);
  await page.getByLabel("Organization name").fill(OWNER.org);
  await page.getByLabel("Your email").fill("intruder@vault.test");
  await page.getByLabel("Password", { exact: true }).fill(OWNER.password);
  await page.getByLabel("Repeat it").fill(OWNER.password);
  await page.getByRole("button", { name: "Create owner and sign in" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "This setup link is invalid or has expired" })).toBeVisible();

  // (From another document: /setup → /setup#token=… alone would be a same-page jump.)
  await page.goto("about:blank");
  await page.goto(link);
  await expect(page.getByRole("heading", { name: "Set up Runtime Vault" })).toBeVisible();
  // The token leaves the address bar (and the history) once the page has read it.
  await expect.poll(() => page.url()).toBe(`${url}/setup`);
  await page.getByLabel("Organization name").fill(OWNER.org);
  await page.getByLabel("Your email").fill(OWNER.email);
  await page.getByLabel("Password", { exact: true }).fill(OWNER.password);
  await page.getByLabel("Repeat it").fill(OWNER.password);
  await snap(page, "setup");
  await page.getByRole("button", { name: "Create owner and sign in" }).click();
  await expect(page).toHaveURL(`${url}/overview`);
  await expect(page.getByTestId("current-user")).toContainText(OWNER.email);
  await snap(page, "overview-after-setup");
  expect(await page.content()).not.toContain(token);

  // Single use, and the vault is no longer waiting for setup.
  const other = await browser.newPage();
  try {
    await other.goto(link);
    await expect(other.getByText("This vault already has an owner")).toBeVisible();
    await expect(other.getByLabel("Organization name")).toHaveCount(0);
    await other.goto(`${url}/sign-in`);
    await expect(other.getByRole("heading", { name: "Sign in to Runtime Vault" })).toBeVisible();
    await expect(other.getByTestId("setup-hint")).toHaveCount(0);
  } finally {
    await other.close();
  }
  expect(logs()).not.toContain(OWNER.password);
});
