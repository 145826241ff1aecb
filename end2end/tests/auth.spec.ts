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
});

test("a personal API token is made on the security page, shown once, works for a script and is deleted", async ({
  page,
  request,
}) => {
  const email = uniqueEmail();
  await signUp(page, email);

  await page.goto("/account");
  await page.getByRole("link", { name: "API tokens for scripts" }).click();
  await expect(page).toHaveURL("/account/security");
  await expect(page.getByText("You have no API tokens.")).toBeVisible();
  await page.getByLabel("Name").fill("nightly backup");
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
