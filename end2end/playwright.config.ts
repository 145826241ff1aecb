import { defineConfig } from "@playwright/test";
import * as os from "node:os";
import * as path from "node:path";
import * as fs from "node:fs";

// scripts/test builds the release app and passes its location here. The app
// runs on its own port with a fresh SQLite database for each test run.
const port = Number(process.env.E2E_PORT ?? 3100);
// localhost, not 127.0.0.1: browsers refuse passkeys on an IP address.
const baseURL = `http://localhost:${port}`;
const repoRoot = path.resolve(__dirname, "..");
// Exported for tests that run the binary's command line (taskward admin ...).
export const binary = process.env.TASKWARD_BIN ?? path.join(repoRoot, "target", "release", "taskward");
const siteRoot = process.env.TASKWARD_SITE_ROOT ?? path.join(repoRoot, "target", "site");
// Created once, in the runner, and handed to the workers, so that they and
// the app's command line see the same database.
export const dataDir =
  process.env.TASKWARD_E2E_DATA_DIR ??
  (process.env.TASKWARD_E2E_DATA_DIR = fs.mkdtempSync(path.join(os.tmpdir(), "taskward-e2e-")));
// Known to the tests (tests/support.ts) so they can forge an expired session.
export const E2E_JWT_SECRET = "e2e0c0ffee5ecret1d2c3b4a5968778695a4b3c2d1e0f9e8d7c6b5a4938271605";

export default defineConfig({
  testDir: "./tests",
  timeout: 30_000,
  expect: { timeout: 10_000 },
  fullyParallel: true,
  forbidOnly: !!process.env.CI,
  retries: 0,
  workers: 2,
  reporter: process.env.CI ? [["list"]] : [["list"], ["html", { open: "never" }]],
  use: {
    baseURL,
    trace: "retain-on-failure",
    browserName: "chromium",
    launchOptions: {
      // Debian's Chromium; Playwright's own browser download cannot run here.
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    },
  },
  webServer: {
    command: binary,
    url: `http://127.0.0.1:${port}/healthz`,
    reuseExistingServer: false,
    timeout: 60_000,
    stdout: "pipe",
    stderr: "pipe",
    env: {
      APP_ENV: "development",
      LISTEN_ADDR: `127.0.0.1:${port}`,
      PUBLIC_ORIGIN: baseURL,
      DATA_DIR: dataDir,
      LOG_LEVEL: "warn",
      JWT_SECRET: E2E_JWT_SECRET,
      // Every test signs in from 127.0.0.1; the limits have their own Rust tests.
      AUTH_ATTEMPTS_PER_MINUTE: "1000",
      LEPTOS_SITE_ROOT: siteRoot,
      LEPTOS_OUTPUT_NAME: "taskward",
      LEPTOS_ENV: "PROD",
      // A push service the browser-list test names; nothing is sent there.
      WEB_PUSH_ALLOWED_HOSTS: "push.invalid",
    },
  },
});
