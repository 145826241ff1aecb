import { expect, test, type Page } from "@playwright/test";
import { expectNoSevereViolations, hydrated, PASSWORD, signUp, uniqueEmail } from "./support";

const rows = (page: Page, title: string) =>
  page.locator(".todo-list .todo:not(.todo--pending)").filter({ has: page.locator(".todo__title", { hasText: title }) });

/** A date `days` from today in UTC (the tests run in UTC). */
function day(days: number): string {
  const date = new Date();
  date.setUTCDate(date.getUTCDate() + days);
  return date.toISOString().slice(0, 10);
}

/** Adds `title` due `due` at 18:00, repeating daily, reminding `reminder`. */
async function addWithReminder(page: Page, title: string, due: string, reminder: string) {
  await page.getByLabel("New todo").fill(title);
  const extras = page.locator(".todos__extras");
  if (!(await extras.evaluate((element) => (element as HTMLDetailsElement).open))) {
    await extras.locator("summary").click();
  }
  await extras.getByLabel("Due", { exact: true }).fill(due);
  await extras.getByLabel("Time (optional)").fill("18:00");
  await extras.getByLabel("Repeat", { exact: true }).selectOption("daily");
  await extras.getByLabel("Reminder", { exact: true }).selectOption(reminder);
  await page.getByRole("button", { name: "Add", exact: true }).click();
}

test("a repeating todo with a reminder: made, completed, and the next one reminds too", async ({ browser }) => {
  const context = await browser.newContext({ timezoneId: "UTC" });
  const page = await context.newPage();
  await signUp(page, uniqueEmail());
  await page.goto("/todos");
  await hydrated(page);

  await addWithReminder(page, "Take out the bins", day(1), "60");
  const bins = rows(page, "Take out the bins");
  await expect(bins.getByText("Reminds 1 hour before")).toBeVisible();

  // Changed in the details: a day before.
  await bins.locator(".todo__title").click();
  const details = page.locator(".todo__details");
  await expect(details.getByLabel("Reminder", { exact: true })).toHaveValue("60");
  await details.getByLabel("Reminder", { exact: true }).selectOption("1440");
  await expectNoSevereViolations(page, "/todos with a todo's reminder field open");
  await details.getByRole("button", { name: "Save details" }).click();
  await expect(bins.getByText("Reminds 1 day before")).toBeVisible();

  await page.getByRole("button", { name: "Mark “Take out the bins” as done" }).click();
  await expect(rows(page, "Take out the bins")).toHaveCount(2);
  const next = rows(page, "Take out the bins").filter({ hasNot: page.locator(".todo__check[aria-pressed=true]") });
  await expect(next.locator("time")).toHaveAttribute("datetime", day(2));
  await expect(next.getByText("Reminds 1 day before")).toBeVisible();
  // The one done no longer says it reminds.
  const done = rows(page, "Take out the bins").filter({ has: page.locator(".todo__check[aria-pressed=true]") });
  await expect(done.getByText("Reminds")).toHaveCount(0);

  // The notifications page: the settings and the log, axe-clean.
  await page.goto("/account/notifications");
  await expect(page.getByRole("heading", { name: "How reminders reach you" })).toBeVisible();
  await expect(page.getByText("No reminders yet.")).toBeVisible();
  await expectNoSevereViolations(page, "/account/notifications");
  await context.close();
});

test.describe("without JavaScript", () => {
  test.use({ javaScriptEnabled: false });

  test("a reminder is a plain form field, and the notifications page saves and sends a test", async ({ page }) => {
    await page.goto("/signup");
    await page.getByLabel("Email").fill(uniqueEmail());
    await page.getByLabel("Password").fill(PASSWORD);
    await page.getByRole("button", { name: "Create account" }).click();
    await page.goto("/todos");

    await page.getByLabel("New todo").fill("Call the dentist");
    await page.locator(".todos__extras summary").click();
    const extras = page.locator(".todos__extras");
    await extras.getByLabel("Due", { exact: true }).fill(day(1));
    await extras.getByLabel("Reminder", { exact: true }).selectOption("0");
    await page.getByRole("button", { name: "Add", exact: true }).click();
    await expect(rows(page, "Call the dentist").getByText("Reminds at the due time")).toBeVisible();
    await page.getByRole("button", { name: "Mark “Call the dentist” as done" }).click();
    await expect(rows(page, "Call the dentist").getByText("Reminds")).toHaveCount(0);

    await page.goto("/account/notifications");
    await page.getByLabel("A todo due on a day without a time reminds at").fill("07:30");
    await page.getByLabel("New todos with a due date remind").selectOption("15");
    await page.getByRole("button", { name: "Save", exact: true }).click();
    await expect(page.getByText("Saved.")).toBeVisible();
    await expect(page.getByLabel("A todo due on a day without a time reminds at")).toHaveValue("07:30");
    await expect(page.getByLabel("New todos with a due date remind")).toHaveValue("15");

    await page.getByRole("button", { name: "Send me a test" }).click();
    await expect(page.getByText("Test sent")).toBeVisible();
    // Without a confirmed address the log says why nothing went out.
    const log = page.getByRole("table");
    await expect(log.getByText("Test reminder")).toBeVisible();
    await expect(log.getByText("not confirmed yet")).toBeVisible();

    // The default reminder applies to a new todo with a date.
    await page.goto("/todos");
    await page.getByLabel("New todo").fill("Renew the insurance");
    await page.locator(".todos__extras summary").click();
    await page.locator(".todos__extras").getByLabel("Due", { exact: true }).fill(day(3));
    await page.getByRole("button", { name: "Add", exact: true }).click();
    await expect(rows(page, "Renew the insurance").getByText("Reminds 15 minutes before")).toBeVisible();
  });
});
