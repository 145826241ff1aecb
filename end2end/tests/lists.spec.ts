import { expect, test, type Page } from "@playwright/test";
import { expectNoSevereViolations, hydrated, PASSWORD, signUp, uniqueEmail } from "./support";

const titles = (page: Page) => page.locator(".todo-list .todo:not(.todo--pending) .todo__title");
const sidebar = (page: Page) => page.getByRole("navigation", { name: "Lists and views" });

async function addTodo(page: Page, title: string) {
  const input = page.getByLabel("New todo");
  await input.fill(title);
  await input.press("Enter");
  await expect(titles(page).filter({ hasText: title })).toBeVisible();
}

test("lists: make one from the sidebar, fill it, rename, reorder and delete it moving its todos", async ({ page }) => {
  await signUp(page, uniqueEmail());
  await page.goto("/todos");
  await hydrated(page);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Inbox");
  await addTodo(page, "Inbox thing");

  await page.getByLabel("New list").fill("Groceries");
  await page.getByRole("button", { name: "Add list" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Groceries");
  await expect(page).toHaveURL(/\/todos\?list=/);
  await hydrated(page);
  await addTodo(page, "Oat milk");
  await addTodo(page, "Bread");
  await expect(titles(page)).toHaveText(["Bread", "Oat milk"]);
  await expect(sidebar(page).getByRole("link", { name: /Groceries/ })).toContainText("2");
  await expect(sidebar(page).getByRole("link", { name: /Groceries/ })).toHaveAttribute("aria-current", "page");

  await page.getByLabel("New list").fill("Work");
  await page.getByRole("button", { name: "Add list" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Work");

  await sidebar(page).getByRole("link", { name: "Rename, order or delete lists" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Your lists");
  await expectNoSevereViolations(page, "/lists");
  await page.getByRole("button", { name: "Move Work up" }).click();
  await expect(page.locator(".lists__name")).toHaveText(["Inbox", "Work", "Groceries"]);
  await page.getByLabel("New name for Groceries").fill("Shopping");
  await page.getByRole("button", { name: "Rename" }).last().click();
  await expect(page.locator(".lists__name")).toHaveText(["Inbox", "Work", "Shopping"]);

  await page.getByRole("link", { name: "Delete Shopping" }).click();
  await expect(page.getByRole("heading", { name: "Delete “Shopping”?" })).toBeVisible();
  await expect(page.getByText("“Shopping” has 2 todos. What should happen to them?")).toBeVisible();
  await expectNoSevereViolations(page, "/lists?delete=");
  await page.getByLabel("Move them to the top of the Inbox").check();
  await page.getByRole("button", { name: "Delete the list" }).click();
  await expect(page.locator(".lists__name")).toHaveText(["Inbox", "Work"]);

  await page.goto("/todos");
  await expect(titles(page)).toHaveText(["Bread", "Oat milk", "Inbox thing"]);
});

test("manual order: drag and drop, and the move buttons by keyboard keep focus", async ({ page }) => {
  await signUp(page, uniqueEmail());
  await page.goto("/todos");
  await hydrated(page);
  for (const title of ["C", "B", "A"]) await addTodo(page, title);
  await expect(titles(page)).toHaveText(["A", "B", "C"]);

  const down = page.getByRole("button", { name: "Move “A” down" });
  await down.focus();
  await page.keyboard.press("Enter");
  await expect(titles(page)).toHaveText(["B", "A", "C"]);
  await expect(page.getByRole("button", { name: "Move “A” down" })).toBeFocused();
  await page.keyboard.press("Enter");
  await expect(titles(page)).toHaveText(["B", "C", "A"]);
  await page.getByRole("button", { name: "Move “A” up" }).focus();
  await page.keyboard.press("Space");
  await expect(titles(page)).toHaveText(["B", "A", "C"]);

  // Dragging C onto B puts it before B.
  const row = (title: string) => page.locator(".todo").filter({ has: page.getByRole("link", { name: title, exact: true }) });
  await row("C").dragTo(row("B"));
  await expect(titles(page)).toHaveText(["C", "B", "A"]);
  await page.reload();
  await expect(titles(page)).toHaveText(["C", "B", "A"]);
});

test("details: notes, a priority and a due date, opened in place", async ({ page }) => {
  await signUp(page, uniqueEmail());
  await page.goto("/todos");
  await hydrated(page);
  await addTodo(page, "Plan the trip");

  await page.getByRole("link", { name: "Plan the trip", exact: true }).click();
  await expect(page).toHaveURL("/todos");
  await page.getByLabel("Notes").fill("Lisbon in May\nthen Porto");
  await page.locator(".todo__details").getByLabel("Priority").selectOption("high");
  await page.locator(".todo__details").getByLabel("Due", { exact: true }).fill("2030-05-01");
  await page.getByRole("button", { name: "Save details" }).click();
  const row = page.locator(".todo", { hasText: "Plan the trip" });
  await expect(row.getByText("High priority")).toBeVisible();
  await expect(row.getByText("Due 1 May 2030")).toBeVisible();
  await expect(row.locator(".todo__notes")).toHaveText("Lisbon in May\nthen Porto");
  await expectNoSevereViolations(page, "/todos with a todo open");

  await page.reload();
  await hydrated(page);
  await expect(page.locator(".todo", { hasText: "Plan the trip" }).getByText("Notes")).toBeVisible();
  await page.getByRole("link", { name: "Plan the trip", exact: true }).click();
  await expect(page.locator(".todo__notes")).toHaveText("Lisbon in May\nthen Porto");
  await page.getByRole("link", { name: "Close" }).click();
  await expect(page.locator(".todo__details")).toHaveCount(0);
});

test("the sign-up takes the browser's time zone, and the account page changes it", async ({ browser }) => {
  const context = await browser.newContext({ timezoneId: "Asia/Tokyo" });
  const page = await context.newPage();
  await signUp(page, uniqueEmail());
  await page.goto("/account");
  await expect(page.getByLabel("Your time zone")).toHaveValue("Asia/Tokyo");
  await expectNoSevereViolations(page, "/account");
  await page.getByLabel("Your time zone").selectOption("Europe/Berlin");
  await page.getByRole("button", { name: "Save time zone" }).click();
  await expect(page.getByLabel("Your time zone")).toHaveValue("Europe/Berlin");
  await page.goto("/todos?view=today");
  await expect(page.getByText("your time zone is Europe/Berlin")).toBeVisible();
  await context.close();
});

test.describe("without JavaScript", () => {
  test.use({ javaScriptEnabled: false });

  async function signUpPlain(page: Page) {
    await page.goto("/signup");
    await page.getByLabel("Email").fill(uniqueEmail());
    await page.getByLabel("Password").fill(PASSWORD);
    await page.getByRole("button", { name: "Create account" }).click();
    await expect(page).toHaveURL("/dashboard");
  }

  async function addPlain(page: Page, title: string) {
    await page.getByLabel("New todo").fill(title);
    await page.getByRole("button", { name: "Add", exact: true }).click();
    await expect(titles(page).filter({ hasText: title })).toBeVisible();
  }

  test("lists, reordering and details are plain forms", async ({ page }) => {
    await signUpPlain(page);
    await page.goto("/todos");
    await page.getByLabel("New list").fill("Garden");
    await page.getByRole("button", { name: "Add list" }).click();
    await expect(page.getByRole("heading", { level: 1 })).toHaveText("Garden");
    for (const title of ["Third", "Second", "First"]) await addPlain(page, title);
    await expect(titles(page)).toHaveText(["First", "Second", "Third"]);

    await page.getByRole("button", { name: "Move “First” down" }).click();
    await expect(titles(page)).toHaveText(["Second", "First", "Third"]);
    await page.getByRole("button", { name: "Move “Third” up" }).click();
    await expect(titles(page)).toHaveText(["Second", "Third", "First"]);

    await page.getByRole("link", { name: "Third", exact: true }).click();
    await expect(page).toHaveURL(/open=/);
    await page.getByLabel("Notes").fill("Tulips by the fence");
    await page.locator(".todo__details").getByLabel("Priority").selectOption("low");
    await page.getByRole("button", { name: "Save details" }).click();
    await expect(page).not.toHaveURL(/open=/);
    await expect(page.locator(".todo", { hasText: "Third" }).getByText("Low priority")).toBeVisible();

    await page.goto("/lists");
    await page.getByRole("link", { name: "Delete Garden" }).click();
    await page.getByLabel("Delete them too").check();
    await page.getByRole("button", { name: "Delete the list" }).click();
    await expect(page.locator(".lists__name")).toHaveText(["Inbox"]);
  });
});
