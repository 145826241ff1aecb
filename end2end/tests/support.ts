import AxeBuilder from "@axe-core/playwright";
import { createHmac, randomUUID } from "node:crypto";
import { expect, type Page } from "@playwright/test";
import { E2E_JWT_SECRET } from "../playwright.config";

export const PASSWORD = "velvet tractor umbrella sings";
export const SESSION_COOKIE = "__Host-taskward_session";

export function uniqueEmail(): string {
  return `e2e-${randomUUID()}@example.com`;
}

/** Waits until the wasm bundle has taken over the page. */
export async function hydrated(page: Page): Promise<void> {
  await expect(page.locator("html")).toHaveAttribute("data-hydrated", "true");
}

export async function signUp(page: Page, email: string, password = PASSWORD): Promise<void> {
  await page.goto("/signup");
  await hydrated(page);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page).toHaveURL("/dashboard");
}

/** A correctly signed session token whose expiry is in the past. */
export function expiredToken(email: string): string {
  const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString("base64url");
  const now = Math.floor(Date.now() / 1000);
  const header = encode({ alg: "HS256", typ: "JWT" });
  const payload = encode({
    sub: randomUUID(),
    email,
    iat: now - 7200,
    nbf: now - 7200,
    exp: now - 3600,
    iss: "taskward",
    aud: "taskward",
    jti: randomUUID(),
    sid: randomUUID(),
  });
  const signature = createHmac("sha256", E2E_JWT_SECRET).update(`${header}.${payload}`).digest("base64url");
  return `${header}.${payload}.${signature}`;
}

/** axe finds nothing serious or critical on the page as it is now. */
export async function expectNoSevereViolations(page: Page, what: string): Promise<void> {
  const results = await new AxeBuilder({ page }).analyze();
  const severe = results.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  expect(severe.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target).join(", ")})`), what).toEqual([]);
}
