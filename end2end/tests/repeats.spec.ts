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

/** Adds `title`, due `due`, repeating by the preset `repeat`. */
async function addRepeating(page: Page, title: string, due: string, repeat: string) {
  await page.getByLabel("New todo").fill(title);
  const extras = page.locator(".todos__extras");
  if (!(await extras.evaluate((element) => (element as HTMLDetailsElement).open))) {
    await extras.locator("summary").click();
  }
  await extras.getByLabel("Due", { exact: true }).fill(due);
  await extras.getByLabel("Repeat", { exact: true }).selectOption(repeat);
  await page.getByRole("button", { name: "Add", exact: true }).click();
}

test("a repeating todo: made with a preset, changed to a custom rule, completed, and the next one appears", async ({ browser }) => {
  const context = await browser.newContext({ timezoneId: "UTC" });
  const page = await context.newPage();
  await signUp(page, uniqueEmail());
  await page.goto("/todos");
  await hydrated(page);

  await addRepeating(page, "Water the plants", day(0), "daily");
  await expect(rows(page, "Water the plants")).toHaveCount(1);
  await expect(rows(page, "Water the plants").getByText("Repeats daily")).toBeVisible();

  // A custom rule: every 2 weeks, from the details form.
  await rows(page, "Water the plants").locator(".todo__title").click();
  const details = page.locator(".todo__details");
  await details.getByLabel("Repeat", { exact: true }).selectOption("custom");
  await details.locator(".repeat-custom summary").click();
  await details.getByLabel("Every", { exact: true }).fill("2");
  await details.getByLabel("Unit", { exact: true }).selectOption("week");
  await details.getByLabel("Next date counts from").selectOption("completion");
  await expectNoSevereViolations(page, "/todos with a todo's repeat fields open");
  await details.getByRole("button", { name: "Save details" }).click();
  await expect(rows(page, "Water the plants").getByText("Repeats every 2 weeks after done")).toBeVisible();

  // Done: it stays done, and the next one is open, due two weeks out.
  await page.getByRole("button", { name: "Mark “Water the plants” as done" }).click();
  await expect(rows(page, "Water the plants")).toHaveCount(2);
  await expect(page.getByRole("button", { name: "Mark “Water the plants” as not done" })).toHaveCount(1);
  const next = rows(page, "Water the plants").filter({ hasNot: page.locator(".todo__check[aria-pressed=true]") });
  await expect(next.locator("time")).toHaveAttribute("datetime", day(14));
  await expect(next.getByText("Repeats every 2 weeks after done")).toBeVisible();

  // Undone and done again: still one next occurrence. (The next one sits
  // just above the one done.)
  const first = rows(page, "Water the plants").filter({ has: page.locator(`time[datetime="${day(0)}"]`) });
  await first.getByRole("button", { name: "Mark “Water the plants” as not done" }).click();
  await expect(page.getByRole("button", { name: "Mark “Water the plants” as not done" })).toHaveCount(0);
  await first.getByRole("button", { name: "Mark “Water the plants” as done" }).click();
  await expect(page.getByRole("button", { name: "Mark “Water the plants” as not done" })).toHaveCount(1);
  await page.reload();
  await expect(rows(page, "Water the plants")).toHaveCount(2);
  await context.close();
});

test.describe("without JavaScript", () => {
  test.use({ javaScriptEnabled: false });

  test("a repeating todo is a plain form, and marking it done makes the next one", async ({ page }) => {
    await page.goto("/signup");
    await page.getByLabel("Email").fill(uniqueEmail());
    await page.getByLabel("Password").fill(PASSWORD);
    await page.getByRole("button", { name: "Create account" }).click();
    await page.goto("/todos");

    await page.getByLabel("New todo").fill("Take vitamins");
    await page.locator(".todos__extras summary").click();
    const extras = page.locator(".todos__extras");
    await extras.getByLabel("Due", { exact: true }).fill(day(0));
    await extras.getByLabel("Repeat", { exact: true }).selectOption("daily");
    await page.getByRole("button", { name: "Add", exact: true }).click();
    await expect(rows(page, "Take vitamins").getByText("Repeats daily")).toBeVisible();

    await page.getByRole("button", { name: "Mark “Take vitamins” as done" }).click();
    await expect(rows(page, "Take vitamins")).toHaveCount(2);
    await expect(page.getByRole("button", { name: "Mark “Take vitamins” as not done" })).toHaveCount(1);
    await expect(page.getByText("Due Tomorrow")).toBeVisible();
  });

  test("quick add reads the new todo's title on submit, and a checkbox keeps it as typed", async ({ page }) => {
    await page.goto("/signup");
    await page.getByLabel("Email").fill(uniqueEmail());
    await page.getByLabel("Password").fill(PASSWORD);
    await page.getByRole("button", { name: "Create account" }).click();
    await page.goto("/todos");

    await page.getByLabel("New todo").fill("Pay rent every month on the 1st !high");
    await page.getByRole("button", { name: "Add", exact: true }).click();
    const rent = rows(page, "Pay rent");
    await expect(rent.locator(".todo__title")).toHaveText("Pay rent");
    await expect(rent.getByText("High priority")).toBeVisible();
    await expect(rent.getByText("Repeats monthly on the 1st")).toBeVisible();

    await page.getByLabel("New todo").fill("Buy tickets for Friday");
    await page.locator(".todos__extras summary").click();
    await page.getByLabel("Keep the title as typed").check();
    await page.getByRole("button", { name: "Add", exact: true }).click();
    await expect(rows(page, "Buy tickets for Friday").locator(".todo__title")).toHaveText("Buy tickets for Friday");
    await expect(rows(page, "Buy tickets for Friday").locator("time")).toHaveCount(0);
  });
});
