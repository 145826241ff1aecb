import { expect, test, type Page } from "@playwright/test";
import { expectNoSevereViolations, hydrated, PASSWORD, signUp, uniqueEmail } from "./support";

const titles = (page: Page) => page.locator(".todo-list .todo:not(.todo--pending) .todo__title");

/** A date `days` from today in the browser's zone (the tests run in UTC). */
function day(days: number): string {
  const date = new Date();
  date.setUTCDate(date.getUTCDate() + days);
  return date.toISOString().slice(0, 10);
}

async function addDue(page: Page, title: string, due: string, priority?: string) {
  await page.getByLabel("New todo").fill(title);
  const extras = page.locator(".todos__extras");
  if (!(await extras.evaluate((element) => (element as HTMLDetailsElement).open))) {
    await extras.locator("summary").click();
  }
  await extras.getByLabel("Due", { exact: true }).fill(due);
  if (priority) await extras.getByLabel("Priority").selectOption(priority);
  await page.getByRole("button", { name: "Add", exact: true }).click();
  await expect(titles(page).filter({ hasText: title })).toBeVisible();
}

test("due dates: Today shows today's and overdue todos, Upcoming groups the week by day", async ({ browser }) => {
  const context = await browser.newContext({ timezoneId: "UTC" });
  const page = await context.newPage();
  await signUp(page, uniqueEmail());
  await page.goto("/todos");
  await hydrated(page);
  await addDue(page, "Pay the rent", day(-2), "high");
  await addDue(page, "Water the plants", day(0));
  await addDue(page, "Dentist", day(1));
  await addDue(page, "Far away", day(30));

  await page.getByRole("navigation", { name: "Lists and views" }).getByRole("link", { name: /Today/ }).click();
  await expect(page).toHaveURL("/todos?view=today");
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Today");
  await expect(titles(page)).toHaveText(["Pay the rent", "Water the plants"]);
  await expect(page.getByRole("heading", { name: "Overdue" })).toBeVisible();
  await expect(page.locator(".todo", { hasText: "Pay the rent" }).getByText(/^Overdue: /)).toBeVisible();
  await expect(page.locator(".todo", { hasText: "Water the plants" }).getByText("Due Today")).toBeVisible();
  await expectNoSevereViolations(page, "/todos?view=today");

  // Adding here makes a todo due today; completing one keeps it in view.
  await hydrated(page);
  await page.getByLabel("New todo").fill("Call mum");
  await page.getByLabel("New todo").press("Enter");
  await expect(titles(page)).toHaveText(["Pay the rent", "Water the plants", "Call mum"]);
  await page.getByRole("button", { name: "Mark “Water the plants” as done" }).click();
  await expect(page.getByRole("button", { name: "Mark “Water the plants” as not done" })).toBeVisible();

  await page.goto("/todos?view=upcoming");
  await expect(titles(page)).toHaveText(["Water the plants", "Call mum", "Dentist"]);
  await expect(page.locator(".todo-group__heading").first()).toHaveText(/^Today, /);
  await expect(page.locator(".todo-group__heading").nth(1)).toHaveText(/^Tomorrow, /);
  await expectNoSevereViolations(page, "/todos?view=upcoming");

  await page.goto("/dashboard");
  await expect(page.locator(".due-counts")).toContainText("Overdue1");
  await expect(page.locator(".due-counts")).toContainText("Due today1");
  await expect(page.locator(".list-progress")).toContainText("Inbox");
  await context.close();
});

test("search from any signed-in page finds titles and notes", async ({ page }) => {
  await signUp(page, uniqueEmail());
  await page.goto("/todos");
  await hydrated(page);
  await page.getByLabel("New todo").fill("Call the bank");
  await page.getByLabel("New todo").press("Enter");
  await page.getByLabel("New todo").fill("Buy oat milk");
  await page.getByLabel("New todo").press("Enter");
  await expect(titles(page)).toHaveText(["Buy oat milk", "Call the bank"]);
  await page.getByRole("link", { name: "Call the bank", exact: true }).click();
  await page.getByLabel("Notes").fill("Ask about the lost card");
  await page.getByRole("button", { name: "Save details" }).click();
  await expect(page.locator(".todo__notes")).toHaveText("Ask about the lost card");

  await page.goto("/dashboard");
  await page.getByRole("searchbox", { name: "Search your todos" }).fill("card");
  await page.getByRole("searchbox", { name: "Search your todos" }).press("Enter");
  await expect(page).toHaveURL("/todos?q=card");
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Search: card");
  await expect(titles(page)).toHaveText(["Call the bank"]);
  await expect(page.getByText("1 todo found")).toBeVisible();
  await expect(page.getByRole("searchbox", { name: "Search your todos" })).toHaveValue("card");
  await expectNoSevereViolations(page, "/todos?q=card");

  await page.getByRole("searchbox", { name: "Search your todos" }).fill("nothing like it");
  await page.getByRole("searchbox", { name: "Search your todos" }).press("Enter");
  await expect(page.getByText("No todo matches that search.")).toBeVisible();
});

test.describe("without JavaScript", () => {
  test.use({ javaScriptEnabled: false });

  test("a due date, the Today view and a search are plain forms and links", async ({ page }) => {
    await page.goto("/signup");
    await page.getByLabel("Email").fill(uniqueEmail());
    await page.getByLabel("Password").fill(PASSWORD);
    await page.getByRole("button", { name: "Create account" }).click();
    await page.goto("/todos");

    await page.getByLabel("New todo").fill("Renew passport");
    await page.locator(".todos__extras summary").click();
    await page.locator(".todos__extras").getByLabel("Due", { exact: true }).fill(day(-1));
    await page.getByRole("button", { name: "Add", exact: true }).click();
    await expect(titles(page)).toHaveText(["Renew passport"]);
    await expect(page.getByText("Overdue: Yesterday")).toBeVisible();

    await page.getByRole("link", { name: /Today/ }).first().click();
    await expect(page.getByRole("heading", { level: 1 })).toHaveText("Today");
    await expect(titles(page)).toHaveText(["Renew passport"]);

    await page.getByRole("searchbox", { name: "Search your todos" }).fill("pass");
    await page.getByRole("button", { name: "Search", exact: true }).click();
    await expect(page).toHaveURL("/todos?q=pass");
    await expect(titles(page)).toHaveText(["Renew passport"]);
  });
});
