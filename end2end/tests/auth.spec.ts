import { createHmac } from "node:crypto";
import { expect, test } from "@playwright/test";
import {
  PASSWORD,
  SESSION_COOKIE,
  expectNoSevereViolations,
  expiredToken,
  hydrated,
  signUp,
  uniqueEmail,
} from "./support";

test("sign up lands on the dashboard, signed in, with a way to sign out", async ({ page }) => {
  const email = uniqueEmail();

  await signUp(page, email);

  await expect(page.getByRole("heading", { level: 1 })).toHaveText(`Hello, ${email}`);
  await expect(page.getByRole("banner").getByText(email)).toBeVisible();
  await expect(page.getByRole("button", { name: "Sign out" })).toBeVisible();
  const cookie = (await page.context().cookies()).find((c) => c.name === SESSION_COOKIE);
  expect(cookie?.httpOnly).toBe(true);
  expect(cookie?.sameSite).toBe("Strict");
});

test("sign out, then sign in again", async ({ page }) => {
  const email = uniqueEmail();
  await signUp(page, email);

  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL("/");
  await page.goto("/dashboard");
  await expect(page).toHaveURL("/signin?next=/dashboard");

  await hydrated(page);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL("/dashboard");
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(`Hello, ${email}`);
});

test("a wrong password is explained inline and keeps the email", async ({ page }) => {
  const email = uniqueEmail();
  await signUp(page, email);
  await page.context().clearCookies();

  await page.goto("/signin");
  await hydrated(page);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill("not my password at all");
  await page.getByRole("button", { name: "Sign in" }).click();

  await expect(page.getByRole("alert")).toHaveText("Invalid email or password.");
  await expect(page).toHaveURL("/signin");
  await expect(page.getByLabel("Email")).toHaveValue(email);
  await expect(page.getByLabel("Password")).toHaveValue("");
});

test("an expired session sends the user to sign in with an explanation, then back", async ({ page }) => {
  const email = uniqueEmail();
  await signUp(page, email);
  // The browser now holds a genuine session token whose time is up.
  await page.context().clearCookies();
  const token = expiredToken(email);
  await page.evaluate(
    ([name, value]) => (document.cookie = `${name}=${value}; Path=/; Secure; SameSite=Strict`),
    [SESSION_COOKIE, token],
  );

  await page.goto("/account");

  await expect(page).toHaveURL("/signin?next=/account&expired=1");
  await expect(page.getByRole("status")).toHaveText("Your session expired, please sign in again.");
  await hydrated(page);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL("/account");
});

test("the account page changes the password and signs out everywhere", async ({ page }) => {
  const email = uniqueEmail();
  await signUp(page, email);

  await page.getByRole("link", { name: "Account", exact: true }).click();
  await expect(page).toHaveURL("/account");
  await expect(page.getByText(`Signed in as ${email}`)).toBeVisible();

  await page.getByLabel("Current password").fill(PASSWORD);
  await page.getByLabel("New password").fill("quiet lantern orbit mosaic");
  await page.getByRole("button", { name: "Change password" }).click();
  await expect(page.getByText("Password changed. Your other sessions have been signed out.")).toBeVisible();

  await page.getByRole("button", { name: "Sign out everywhere" }).click();
  await expect(page).toHaveURL(/\/signin/);
  await page.goto("/dashboard");
  await expect(page).toHaveURL("/signin?next=/dashboard");
});

test.describe("without JavaScript", () => {
  test.use({ javaScriptEnabled: false });

  test("sign up, sign out and sign in are plain form posts", async ({ page }) => {
    const email = uniqueEmail();

    await page.goto("/signup");
    await page.getByLabel("Email").fill(email);
    await page.getByLabel("Password").fill(PASSWORD);
    await page.getByRole("button", { name: "Create account" }).click();
    await expect(page).toHaveURL("/dashboard");
    await expect(page.getByRole("heading", { level: 1 })).toHaveText(`Hello, ${email}`);

    await page.getByRole("button", { name: "Sign out" }).click();
    await expect(page).toHaveURL("/");

    await page.goto("/signin");
    await page.getByLabel("Email").fill(email);
    await page.getByLabel("Password").fill("not my password at all");
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page.getByRole("alert")).toHaveText("Invalid email or password.");
    await expect(page.getByLabel("Email")).toHaveValue(email);
    await expect(page.getByLabel("Password")).toHaveValue("");

    await page.getByLabel("Email").fill(email);
    await page.getByLabel("Password").fill(PASSWORD);
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page).toHaveURL("/dashboard");
  });

  test("two-step sign-in is set up and used with plain form posts", async ({ page }) => {
    const email = uniqueEmail();
    await page.goto("/signup");
    await page.getByLabel("Email").fill(email);
    await page.getByLabel("Password").fill(PASSWORD);
    await page.getByRole("button", { name: "Create account" }).click();
    await expect(page).toHaveURL("/dashboard");

    await page.goto("/account/security");
    await page.getByLabel("Your password").fill(PASSWORD);
    await page.getByRole("button", { name: "Set up an authenticator app" }).click();
    const key = (await page.locator(".totp-key").innerText()).replace(/\s/g, "");
    const step = await freshStep();
    await page.getByLabel("Code from your app").fill(totp(key, step - 1));
    await page.getByRole("button", { name: "Turn on two-step sign-in" }).click();
    await expect(page.locator(".recovery-codes li")).toHaveCount(10);

    await page.getByRole("button", { name: "Sign out" }).click();
    await page.goto("/signin");
    await page.getByLabel("Email").fill(email);
    await page.getByLabel("Password").fill(PASSWORD);
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page).toHaveURL(/\/signin\/second-factor/);
    await page.getByLabel("Code").fill(totp(key, step - 1));
    await page.getByRole("button", { name: "Verify" }).click();
    await expect(page.getByRole("alert")).toContainText("That code is not right, or it was used already");
    await page.getByLabel("Code").fill(totp(key, step));
    await page.getByRole("button", { name: "Verify" }).click();
    await expect(page).toHaveURL("/dashboard");
  });
});

test("a personal API token is made on the security page, shown once, works for a script and is deleted", async ({
  page,
  request,
}) => {
  const email = uniqueEmail();
  await signUp(page, email);

  await page.goto("/account");
  await page.getByRole("link", { name: "Two-step sign-in and API tokens for scripts" }).click();
  await expect(page).toHaveURL("/account/security");
  await expect(page.getByText("You have no API tokens.")).toBeVisible();
  await page.getByLabel("Name", { exact: true }).fill("nightly backup");
  await page.getByLabel("May").selectOption("read");
  await page.getByLabel("Expires").selectOption("never");
  await page.getByRole("button", { name: "Make a token" }).click();

  const secret = await page.getByLabel("Your new token").inputValue();
  expect(secret).toMatch(/^tw_pat_[A-Za-z0-9_-]{43}$/);
  await expect(page.getByRole("rowheader", { name: "nightly backup" })).toBeVisible();
  await expectNoSevereViolations(page, "/account/security");

  // A script reads with it, and may not write.
  const read = await request.get("/api/v1/todos", { headers: { authorization: `Bearer ${secret}` } });
  expect(read.status()).toBe(200);
  const write = await request.post("/api/v1/todos", {
    headers: { authorization: `Bearer ${secret}` },
    data: { title: "not allowed" },
  });
  expect(write.status()).toBe(403);

  // Shown once: a reload lists it without the secret.
  await page.reload();
  await expect(page.getByLabel("Your new token")).toHaveCount(0);
  await expect(page.getByRole("rowheader", { name: "nightly backup" })).toBeVisible();
  await page.goto("/account/sessions");
  await expect(page.getByRole("region", { name: "API tokens" }).getByText("nightly backup")).toBeVisible();

  await page.goto("/account/security");
  await page.getByRole("button", { name: "Delete the token nightly backup" }).click();
  await expect(page.getByText("You have no API tokens.")).toBeVisible();
  const after = await request.get("/api/v1/todos", { headers: { authorization: `Bearer ${secret}` } });
  expect(after.status()).toBe(401);
});

/** RFC 4648 base32, as the security page shows the key (spaces aside). */
function base32(text: string): Buffer {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  let bits = 0;
  let value = 0;
  const bytes: number[] = [];
  for (const char of text.replace(/[\s=]/g, "")) {
    value = (value << 5) | alphabet.indexOf(char);
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      bytes.push((value >> bits) & 0xff);
    }
  }
  return Buffer.from(bytes);
}

/** The authenticator app's code for a 30-second step (RFC 6238). */
function totp(key: string, step: number): string {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(step));
  const hash = createHmac("sha1", base32(key)).update(counter).digest();
  const offset = hash[19] & 0x0f;
  return String((hash.readUInt32BE(offset) & 0x7fffffff) % 1_000_000).padStart(6, "0");
}

/** The current step, once at least 10 seconds of it remain. */
async function freshStep(): Promise<number> {
  const into = Math.floor(Date.now() / 1000) % 30;
  if (into > 20) await new Promise((done) => setTimeout(done, (30 - into) * 1000));
  return Math.floor(Date.now() / 1000 / 30);
}

test("two-step sign-in: set up from the QR code's key, sign in with a code, then with a recovery code", async ({
  page,
}) => {
  const email = uniqueEmail();
  await signUp(page, email);
  await page.goto("/account/security");
  await page.getByLabel("Your password").fill(PASSWORD);
  await page.getByRole("button", { name: "Set up an authenticator app" }).click();
  await expect(page.getByRole("img", { name: /QR code/ })).toBeVisible();
  const key = (await page.locator(".totp-key").innerText()).replace(/\s/g, "");
  expect(key).toMatch(/^[A-Z2-7]{32}$/);
  await expectNoSevereViolations(page, "/account/security while setting up");

  const step = await freshStep();
  await page.getByLabel("Code from your app").fill(totp(key, step - 1));
  await page.getByRole("button", { name: "Turn on two-step sign-in" }).click();
  const codes = page.locator(".recovery-codes li");
  await expect(codes).toHaveCount(10);
  const recovery = await codes.first().innerText();
  expect(recovery).toMatch(/^[0-9a-z]{4}-[0-9a-z]{4}-[0-9a-z]{4}-[0-9a-z]{4}$/);
  await expect(page.getByRole("link", { name: "Download them as a text file" })).toBeVisible();
  await expectNoSevereViolations(page, "/account/security with new recovery codes");
  await page.reload();
  await expect(codes).toHaveCount(0);
  await expect(page.getByText("You have 10 recovery codes")).toBeVisible();

  // Signing in asks for the code after the password.
  await page.getByRole("button", { name: "Sign out" }).click();
  await page.goto("/signin?next=/todos");
  await hydrated(page);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL("/signin/second-factor?next=/todos");
  await expectNoSevereViolations(page, "/signin/second-factor");
  await hydrated(page);
  await page.getByLabel("Code").fill("000000" === totp(key, step) ? "111111" : "000000");
  await page.getByRole("button", { name: "Verify" }).click();
  await expect(page.getByRole("alert")).toContainText("That code is not right");
  await page.getByLabel("Code").fill(totp(key, step));
  await page.getByRole("button", { name: "Verify" }).click();
  await expect(page).toHaveURL("/todos");

  // A recovery code signs in once and says how many are left.
  await page.getByRole("button", { name: "Sign out" }).click();
  await page.goto("/signin");
  await hydrated(page);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL("/signin/second-factor");
  await hydrated(page);
  await page.getByLabel("Code").fill(recovery);
  await page.getByRole("button", { name: "Verify" }).click();
  await expect(page).toHaveURL("/account/security?recovery_codes_left=9");
  await expect(page.getByText("You have 9 recovery codes").first()).toBeVisible();
});

test("passkeys: add one on the security page, sign in with it alone and after the password, delete it", async ({
  page,
}) => {
  const email = uniqueEmail();
  await signUp(page, email);
  // Chromium's virtual authenticator (CDP), as a phone or laptop with a
  // screen lock would be: it keeps discoverable credentials and verifies
  // its holder.
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("WebAuthn.enable");
  const { authenticatorId } = await cdp.send("WebAuthn.addVirtualAuthenticator", {
    options: {
      protocol: "ctap2",
      transport: "internal",
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      automaticPresenceSimulation: true,
    },
  });

  await page.goto("/account/security");
  await hydrated(page);
  await expect(page.getByText("You have no passkeys.")).toBeVisible();
  await page.getByLabel("Name of the passkey").fill("This laptop");
  await page.getByLabel("Password, to add a passkey").fill(PASSWORD);
  await page.getByRole("button", { name: "Add a passkey" }).click();
  await expect(page.locator(".passkey__name")).toHaveText("This laptop");
  await expect(page.getByText("never used")).toBeVisible();
  const { credentials } = await cdp.send("WebAuthn.getCredentials", { authenticatorId });
  expect(credentials).toHaveLength(1);
  expect(credentials[0].isResidentCredential).toBe(true);
  await expectNoSevereViolations(page, "/account/security with a passkey");

  // Signed out, the passkey alone signs in: no email, no password.
  await page.getByRole("button", { name: "Sign out" }).click();
  await page.goto("/signin?next=/todos");
  await hydrated(page);
  await expectNoSevereViolations(page, "/signin with passkeys");
  await page.getByRole("button", { name: "Use a passkey" }).click();
  await expect(page).toHaveURL("/todos");

  // The password alone no longer does: the passkey is the second step.
  await page.getByRole("button", { name: "Sign out" }).click();
  await page.goto("/signin");
  await hydrated(page);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL("/signin/second-factor");
  await hydrated(page);
  await expectNoSevereViolations(page, "/signin/second-factor with a passkey");
  await page.getByRole("button", { name: "Use a passkey" }).click();
  await expect(page).toHaveURL("/dashboard");

  // Deleted, it signs in no more.
  await page.goto("/account/security");
  await expect(page.getByText(/last used/)).toBeVisible();
  await page.getByLabel("Password, to delete the passkey This laptop").fill(PASSWORD);
  await page.getByRole("button", { name: "Delete the passkey This laptop" }).click();
  await expect(page.getByText("You have no passkeys.")).toBeVisible();
  await page.getByRole("button", { name: "Sign out" }).click();
  await page.goto("/signin");
  await hydrated(page);
  await page.getByRole("button", { name: "Use a passkey" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "That passkey was not accepted" })).toBeVisible();
  await expect(page).toHaveURL("/signin");
});
