import { expect, test, type Page } from "@playwright/test";
import { expectNoSevereViolations, hydrated, signUp, uniqueEmail } from "./support";

const NEW_PASSWORD = "copper lantern orchard whistles";

/**
 * The reset link mailed to `email`. The app runs in development without
 * SMTP_URL, so mail is kept at /dev/mail instead of sent.
 */
async function mailedResetLink(page: Page, email: string): Promise<string> {
  const mail = page
    .locator("article")
    .filter({ hasText: email })
    .filter({ hasText: "Reset your Taskward password" });
  await expect(async () => {
    await page.goto("/dev/mail");
    await expect(mail.first()).toBeVisible({ timeout: 1_000 });
  }).toPass();
  const link = mail.first().getByRole("link", { name: /reset-password\?token=/ });
  const href = await link.getAttribute("href");
  expect(href).toBeTruthy();
  return href!;
}

/** From the sign-in page to a new password and back in, as its owner would. */
async function recover(page: Page, email: string, scripted: boolean): Promise<void> {
  await page.goto("/signin");
  await page.getByRole("link", { name: "Forgot your password?" }).click();
  await expect(page).toHaveURL("/forgot-password");
  if (scripted) await hydrated(page);
  await page.getByLabel("Email").fill(email);
  await page.getByRole("button", { name: "Mail me a link" }).click();
  await expect(page.getByText("If an account has that address")).toBeVisible();

  await page.goto(await mailedResetLink(page, email));
  await expect(page.getByRole("heading", { name: "Choose a new password" })).toBeVisible();
  if (scripted) await hydrated(page);
  // A weak password is refused in words, and the link still works.
  await page.getByLabel("New password").fill("password1");
  await page.getByRole("button", { name: "Set the new password" }).click();
  await expect(page.getByRole("alert")).toContainText(/password/i);
  await page.getByLabel("New password").fill(NEW_PASSWORD);
  await page.getByRole("button", { name: "Set the new password" }).click();
  await expect(page).toHaveURL("/signin?reset");
  await expect(page.getByText("Your new password is set")).toBeVisible();

  if (scripted) await hydrated(page);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(NEW_PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL("/dashboard");
}

test("a forgotten password is reset through the mailed link, and the pages are accessible", async ({
  page,
  browser,
}) => {
  const email = uniqueEmail();
  await signUp(page, email);
  // Another browser: axe needs a page of a context of its own.
  const context = await browser.newContext();
  const stranger = await context.newPage();
  await stranger.goto("/forgot-password");
  await expectNoSevereViolations(stranger, "/forgot-password");
  await recover(stranger, email, true);
  // The session from before the reset has ended.
  await page.goto("/dashboard");
  await expect(page).toHaveURL(/\/signin/);

  // The used link says it no longer works, and offers a new one.
  const used = await mailedResetLink(stranger, email);
  await stranger.goto(used);
  await expect(stranger.getByText("does not work any more")).toBeVisible();
  await expectNoSevereViolations(stranger, "/reset-password");
  await context.close();
});

test.describe("without JavaScript", () => {
  test.use({ javaScriptEnabled: false });

  test("a forgotten password is reset with plain form posts", async ({ page, browser }) => {
    const email = uniqueEmail();
    const owner = await browser.newContext({ javaScriptEnabled: false });
    const signingUp = await owner.newPage();
    await signingUp.goto("/signup");
    await signingUp.getByLabel("Email").fill(email);
    await signingUp.getByLabel("Password").fill("velvet tractor umbrella sings");
    await signingUp.getByRole("button", { name: "Create account" }).click();
    await expect(signingUp).toHaveURL("/dashboard");
    await owner.close();

    await recover(page, email, false);
  });
});
