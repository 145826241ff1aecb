import { expect, test, type Page } from "@playwright/test";
import { PASSWORD, expectNoSevereViolations, signUp, uniqueEmail } from "./support";

/**
 * The confirmation link mailed to `address` about `subject`, as /dev/mail
 * shows it (the app runs in development without SMTP_URL).
 */
async function mailedLink(page: Page, address: string, subject: string): Promise<string> {
  const mail = page.locator("article").filter({ hasText: address }).filter({ hasText: subject });
  await expect(async () => {
    await page.goto("/dev/mail");
    await expect(mail.first()).toBeVisible({ timeout: 1_000 });
  }).toPass();
  const href = await mail.first().getByRole("link", { name: /verify-email\?token=/ }).getAttribute("href");
  expect(href).toBeTruthy();
  return href!;
}

test("the address is confirmed with the mailed link, and the pages are accessible", async ({ page }) => {
  const email = uniqueEmail();
  await signUp(page, email);
  await page.goto("/account");
  await expect(page.getByText(`Please confirm ${email}.`)).toBeVisible();
  await expect(page.getByRole("button", { name: "Send the link again" })).toBeVisible();
  await expectNoSevereViolations(page, "/account, unconfirmed");

  await page.goto(await mailedLink(page, email, "Confirm your email address for Taskward"));
  await expect(page.getByRole("heading", { name: "Confirm your email address" })).toBeVisible();
  await expectNoSevereViolations(page, "/verify-email");
  await page.getByRole("button", { name: "Confirm my address" }).click();
  await expect(page).toHaveURL("/verify-email?confirmed");
  await expect(page.getByText("Your email address is confirmed.")).toBeVisible();

  await page.goto("/account");
  await expect(page.getByText("Confirmed", { exact: true })).toBeVisible();
  await expect(page.getByRole("button", { name: "Send the link again" })).toHaveCount(0);
});

test.describe("without JavaScript", () => {
  test.use({ javaScriptEnabled: false });

  test("the account moves to a new address only when its link is followed", async ({ page }) => {
    const [email, newEmail] = [uniqueEmail(), uniqueEmail()];
    await page.goto("/signup");
    await page.getByLabel("Email").fill(email);
    await page.getByLabel("Password").fill(PASSWORD);
    await page.getByRole("button", { name: "Create account" }).click();
    await expect(page).toHaveURL("/dashboard");
    await page.goto("/account");
    await page.getByLabel("New email address").fill(newEmail);
    await page.getByLabel("Your password", { exact: true }).fill("not my password");
    await page.getByRole("button", { name: "Change email address" }).click();
    await expect(page.getByRole("alert").filter({ hasText: "password" })).toBeVisible();
    await expect(page.getByLabel("New email address")).toHaveValue(newEmail);

    await page.getByLabel("Your password", { exact: true }).fill(PASSWORD);
    await page.getByRole("button", { name: "Change email address" }).click();
    await expect(page).toHaveURL("/account?email_change=sent");
    await expect(page.getByText(newEmail)).toBeVisible();
    await expect(page.getByText(`Signed in as ${email}`)).toBeVisible();

    await page.goto(await mailedLink(page, newEmail, "Confirm your new email address for Taskward"));
    await page.getByRole("button", { name: "Confirm my address" }).click();
    await expect(page).toHaveURL("/verify-email?moved");
    await page.goto("/account");
    await expect(page.getByText(`Signed in as ${newEmail}`)).toBeVisible();
    await expect(page.getByText("Confirmed", { exact: true })).toBeVisible();
  });
});
