import AxeBuilder from "@axe-core/playwright";
import { execFileSync } from "node:child_process";
import { expect, test, type Page } from "@playwright/test";
import { E2E_JWT_SECRET, binary, dataDir } from "../playwright.config";
import { PASSWORD, hydrated, signUp, uniqueEmail } from "./support";

/** `taskward admin grant <email>`, on the app's own database. */
function grantAdmin(email: string): void {
  execFileSync(binary, ["admin", "grant", email], {
    env: { ...process.env, DATA_DIR: dataDir, JWT_SECRET: E2E_JWT_SECRET, LOG_LEVEL: "error" },
  });
}

/** Signs up with a plain form post (no JavaScript). */
async function signUpWithoutScript(page: Page, email: string): Promise<void> {
  await page.goto("/signup");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page).toHaveURL("/dashboard");
}

async function noSevereViolations(page: Page, path: string): Promise<void> {
  const results = await new AxeBuilder({ page }).analyze();
  const severe = results.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  expect(severe.map((v) => `${v.id}: ${v.help}`), path).toEqual([]);
}

test("an administrator made on the command line runs the console, which is accessible", async ({ page }) => {
  const email = uniqueEmail();
  await signUp(page, email);
  await page.goto("/admin");
  await expect(page.getByRole("heading", { name: "Not allowed" })).toBeVisible();

  grantAdmin(email);
  await page.goto("/dashboard");
  await page.getByRole("link", { name: "Admin" }).click();
  await expect(page.getByRole("heading", { name: "Administration" })).toBeVisible();
  await page.getByLabel("Search by email").fill(email);
  await page.getByRole("main").getByRole("button", { name: "Search" }).click();
  await expect(
    page.getByRole("region", { name: "Users" }).getByRole("rowheader", { name: email }),
  ).toBeVisible();
  await noSevereViolations(page, "/admin");

  // Mail: a test mail to oneself is queued and listed (kept at /dev/mail here).
  await page.getByRole("navigation", { name: "Administration" }).getByRole("link", { name: "Mail" }).click();
  await expect(page).toHaveURL("/admin/mail");
  await page.getByLabel("Send a test mail to").fill(email);
  await page.getByRole("button", { name: "Send a test mail" }).click();
  await expect(page.getByText("The test mail is queued")).toBeVisible();
  // Its sign-up mailed a confirmation link to the same address: the test mail is the other row.
  const testMail = page.getByRole("region", { name: "Outbox" }).getByRole("row").filter({ hasText: "Test mail" });
  await expect(testMail.getByRole("rowheader", { name: email })).toBeVisible();
  await noSevereViolations(page, "/admin/mail");

  await page.goto("/account/sessions");
  await expect(page.getByText("(this device)")).toBeVisible();
  await expect(page.getByText("Made an administrator")).toBeVisible();
  await noSevereViolations(page, "/account/sessions");
});

test.describe("without JavaScript", () => {
  test.use({ javaScriptEnabled: false });

  test("an administrator disables an account with a reason, and its owner is told", async ({ page, browser }) => {
    const admin = uniqueEmail();
    await signUpWithoutScript(page, admin);
    grantAdmin(admin);

    const owner = await browser.newContext({ javaScriptEnabled: false });
    const ownerPage = await owner.newPage();
    const ownerEmail = uniqueEmail();
    await signUpWithoutScript(ownerPage, ownerEmail);

    await page.goto(`/admin?q=${encodeURIComponent(ownerEmail)}`);
    const users = page.getByRole("region", { name: "Users" });
    await users.getByRole("link", { name: ownerEmail }).click();
    await expect(page).toHaveURL(/\/admin\/users\/[0-9a-f-]{36}$/);
    await page.getByLabel("Reason, shown to its owner").fill("Spam, reported three times");
    await page.getByRole("button", { name: "Disable" }).click();
    await expect(page.getByText("Disabled: Spam, reported three times")).toBeVisible();
    await expect(page.getByRole("region", { name: "Recent events" })).toContainText(
      "Account disabled by an administrator",
    );

    // The owner's session has ended.
    await ownerPage.goto("/todos");
    await expect(ownerPage).toHaveURL(/\/signin/);
    await owner.close();
  });
});

/** The page is no wider than the window: nothing is drawn past its edge. */
async function fitsTheWindow(page: Page, what: string): Promise<void> {
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow, what).toBeLessThanOrEqual(0);
  // Every card holds its content; a wide table scrolls inside its own box.
  const spilling = await page.evaluate(() =>
    [...document.querySelectorAll(".card")].filter((card) => card.scrollWidth > card.clientWidth + 1).length,
  );
  expect(spilling, what).toBe(0);
}

for (const width of [1280, 390]) {
  test(`every console page fits a ${width} px window`, async ({ page }) => {
    await page.setViewportSize({ width, height: 900 });
    const email = uniqueEmail();
    await signUp(page, email);
    grantAdmin(email);
    for (let index = 0; index < 3; index++) {
      const other = await page.context().browser()!.newContext();
      await signUp(await other.newPage(), uniqueEmail());
      await other.close();
    }
    await page.goto(`/admin?q=${encodeURIComponent(email)}`);
    await page.getByRole("region", { name: "Users" }).getByRole("link", { name: email }).click();
    const accountPage = new URL(page.url()).pathname;
    for (const path of ["/admin", accountPage, "/admin/signup", "/admin/invitations", "/admin/mail"]) {
      await page.goto(path);
      await expect(page.getByRole("heading", { name: "Administration" })).toBeVisible();
      await fitsTheWindow(page, `${path} at ${width} px`);
    }
    await noSevereViolations(page, "/admin/mail");
    await page.goto(accountPage);
    await noSevereViolations(page, accountPage);
  });
}

/** The invitation link the console shows once after making one. */
async function makeInvitation(page: Page, email?: string): Promise<string> {
  await page.goto("/admin/invitations");
  if (email) await page.getByLabel("For this email only (optional)").fill(email);
  await page.getByRole("button", { name: "Make an invitation link" }).click();
  const link = await page.locator(".invitation-link").textContent();
  expect(link).toMatch(/\/signup\?invite=[A-Za-z0-9_-]{43}$/);
  return new URL(link!).pathname + new URL(link!).search;
}

for (const javaScriptEnabled of [true, false]) {
  test.describe(javaScriptEnabled ? "invitations, with JavaScript" : "invitations, without JavaScript", () => {
    test.use({ javaScriptEnabled });

    test("an invitation link made in the console signs its address up, once", async ({ page, browser }) => {
      const admin = uniqueEmail();
      await signUpWithoutScript(page, admin);
      grantAdmin(admin);
      const invitee = uniqueEmail();
      const link = await makeInvitation(page, invitee);
      await expect(page.getByRole("row", { name: new RegExp(invitee) })).toContainText("1 of 1");

      const guest = await browser.newContext({ javaScriptEnabled });
      const guestPage = await guest.newPage();
      await guestPage.goto(link);
      await expect(guestPage.getByText("You were invited.")).toBeVisible();
      await expect(guestPage.getByLabel("Email")).toHaveValue(invitee);
      if (javaScriptEnabled) await hydrated(guestPage);
      await guestPage.getByLabel("Password").fill(PASSWORD);
      await guestPage.getByRole("button", { name: "Create account" }).click();
      await expect(guestPage).toHaveURL("/dashboard");

      // Used: the link now says so, and the console counts it.
      await guestPage.context().clearCookies();
      await guestPage.goto(link);
      await expect(guestPage.getByText("That invitation has been used up.")).toBeVisible();
      await expect(guestPage.getByLabel("Password")).toHaveCount(0);
      await guest.close();
      await page.goto("/admin/invitations");
      await expect(page.getByRole("row", { name: new RegExp(invitee) })).toContainText("0 of 1");
    });
  });
}

test("the sign-up and invitation pages of the console are accessible", async ({ page }) => {
  const admin = uniqueEmail();
  await signUp(page, admin);
  grantAdmin(admin);
  await page.goto("/admin/signup");
  await expect(page.getByRole("heading", { name: "Who may make an account" })).toBeVisible();
  await expect(page.getByLabel("Open: anyone can make an account")).toBeChecked();
  await noSevereViolations(page, "/admin/signup");
  await makeInvitation(page);
  await noSevereViolations(page, "/admin/invitations");
  await page.context().clearCookies();
  await page.goto("/signup?invite=not-a-real-invitation");
  await expect(page.getByText("That invitation link is not valid")).toBeVisible();
  await noSevereViolations(page, "/signup?invite=…");
});
