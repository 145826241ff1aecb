import AxeBuilder from "@axe-core/playwright";
import { expect, test, type Page } from "@playwright/test";
import { hydrated, signUp, uniqueEmail } from "./support";

async function addTodo(page: Page, title: string) {
  const input = page.getByLabel("New todo");
  await input.fill(title);
  await input.press("Enter");
  await expect(page.locator(".todo:not(.todo--pending) .todo__title", { hasText: title })).toBeVisible();
}

const titles = (page: Page) => page.locator(".todo-list .todo:not(.todo--pending) .todo__title");

test("the TodoMVC flow: add, complete, edit in place, delete, mark all, clear", async ({ page }) => {
  await signUp(page, uniqueEmail());
  await page.goto("/todos");
  await hydrated(page);
  await expect(page.getByText("Nothing here yet. Add your first todo above.")).toBeVisible();

  for (const title of ["Buy milk", "Call the bank", "Water the plants"]) {
    await addTodo(page, title);
  }
  await expect(titles(page)).toHaveText(["Water the plants", "Call the bank", "Buy milk"]);
  await expect(page.getByLabel("New todo")).toHaveValue("");
  await expect(page.getByText("3 items left")).toBeVisible();

  await page.getByRole("button", { name: "Mark “Buy milk” as done" }).click();
  await expect(page.getByText("2 items left")).toBeVisible();
  await expect(page.getByRole("button", { name: "Mark “Buy milk” as not done" })).toHaveAttribute("aria-pressed", "true");

  // Edit in place: Enter saves.
  await page.getByLabel("Edit “Call the bank”").click();
  const editor = page.getByLabel("Title", { exact: true });
  await editor.fill("Call the bank about the card");
  await editor.press("Enter");
  await expect(titles(page)).toHaveText(["Water the plants", "Call the bank about the card", "Buy milk"]);
  await expect(page, "edited in place, not on the no-JavaScript form").not.toHaveURL(/edit=/);

  // Escape cancels.
  await page.getByLabel("Edit “Water the plants”").click();
  await page.getByLabel("Title", { exact: true }).fill("Something else");
  await page.getByLabel("Title", { exact: true }).press("Escape");
  await expect(titles(page).first()).toHaveText("Water the plants");

  await page.getByRole("button", { name: "Delete “Water the plants”" }).click();
  await expect(titles(page)).toHaveText(["Call the bank about the card", "Buy milk"]);

  await page.getByRole("button", { name: "Mark all as done" }).click();
  await expect(page.getByText("0 items left")).toBeVisible();
  await page.getByRole("button", { name: "Clear completed" }).click();
  await expect(page.getByText("Nothing here yet. Add your first todo above.")).toBeVisible();
});

test("a refused change is explained and nothing is lost", async ({ page }) => {
  await signUp(page, uniqueEmail());
  await page.goto("/todos");
  await hydrated(page);
  await addTodo(page, "Keep me");

  await page.getByLabel("Edit “Keep me”").click();
  await page.getByLabel("Title", { exact: true }).fill("   ");
  await page.getByLabel("Title", { exact: true }).press("Enter");

  await expect(page.getByRole("alert").filter({ hasText: "A todo needs a title." })).toBeVisible();
  await expect(titles(page)).toHaveText(["Keep me"]);
});

test("the next title typed while one is saving is kept", async ({ page }) => {
  await signUp(page, uniqueEmail());
  await page.goto("/todos");
  await hydrated(page);
  // Hold the first save until the next title has been typed.
  let release!: () => void;
  const typed = new Promise<void>((resolve) => (release = resolve));
  let held = false;
  await page.route("**/api/todos/create", async (route) => {
    if (!held) {
      held = true;
      await typed;
    }
    await route.continue();
  });
  const input = page.getByLabel("New todo");
  await input.fill("Call the bank");
  await input.press("Enter");
  await input.fill("Buy oat milk");
  release();
  await expect(titles(page)).toHaveText(["Call the bank"]);
  await expect(input, "the first save did not wipe the next title").toHaveValue("Buy oat milk");
  await input.press("Enter");
  await expect(titles(page)).toHaveText(["Buy oat milk", "Call the bank"]);
  await expect(input).toHaveValue("");
});

test("a title being edited survives the reload after another change", async ({ page }) => {
  await signUp(page, uniqueEmail());
  await page.goto("/todos");
  await hydrated(page);
  await addTodo(page, "Book the hall");
  await addTodo(page, "Send invites");
  // Hold the first change until the edit has begun.
  let release!: () => void;
  const editing = new Promise<void>((resolve) => (release = resolve));
  await page.route("**/api/todos/update", async (route) => {
    await editing;
    await route.continue();
  });
  await page.getByRole("button", { name: "Mark “Book the hall” as done" }).click();
  await page.getByLabel("Edit “Send invites”").click();
  const editor = page.getByLabel("Title", { exact: true });
  await editor.fill("Send the invites");
  release();
  // The count changes only once the page has been swapped in again.
  await expect(page.getByText("1 item left")).toBeVisible();
  await expect(editor, "still editing, as typed").toHaveValue("Send the invites");
  await expect(editor).toBeFocused();
  await editor.press("Enter");
  await expect(titles(page)).toHaveText(["Send the invites", "Book the hall"]);
});

test("a change that never reaches the server is undone on screen and explained", async ({ page }) => {
  await signUp(page, uniqueEmail());
  await page.goto("/todos");
  await hydrated(page);
  await addTodo(page, "Pay the bill");
  await page.route("**/api/todos/update", (route) => route.abort());
  await page.getByRole("button", { name: "Mark “Pay the bill” as done" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "We couldn't reach Taskward." })).toBeVisible();
  const check = page.getByRole("button", { name: "Mark “Pay the bill” as done" });
  await expect(check, "rolled back to what the server has").toHaveAttribute("aria-pressed", "false");
  await expect(page.getByText("1 item left")).toBeVisible();
});

test("filters live in the URL and survive a reload", async ({ page }) => {
  await signUp(page, uniqueEmail());
  await page.goto("/todos");
  await hydrated(page);
  await addTodo(page, "Done thing");
  await addTodo(page, "Open thing");
  await page.getByRole("button", { name: "Mark “Done thing” as done" }).click();
  await expect(page.getByText("1 item left")).toBeVisible();

  await page.getByRole("link", { name: "Active" }).click();
  await expect(page).toHaveURL("/todos?filter=active");
  await expect(titles(page)).toHaveText(["Open thing"]);

  await page.reload();
  await expect(titles(page)).toHaveText(["Open thing"]);
  await expect(page.getByRole("link", { name: "Active" })).toHaveAttribute("aria-current", "page");

  await page.getByRole("link", { name: "Completed" }).click();
  await expect(page).toHaveURL("/todos?filter=completed");
  await expect(titles(page)).toHaveText(["Done thing"]);
});

test("two people signed in at once never see each other's todos", async ({ browser }) => {
  const alice = await (await browser.newContext()).newPage();
  const bob = await (await browser.newContext()).newPage();
  await signUp(alice, uniqueEmail());
  await signUp(bob, uniqueEmail());

  await alice.goto("/todos");
  await hydrated(alice);
  await addTodo(alice, "Alice's surprise party plan");
  await bob.goto("/todos");
  await hydrated(bob);
  await addTodo(bob, "Bob's shopping");

  await alice.reload();
  await bob.reload();
  await expect(titles(alice)).toHaveText(["Alice's surprise party plan"]);
  await expect(titles(bob)).toHaveText(["Bob's shopping"]);
  await expect(bob.getByText("Alice's surprise party plan")).toHaveCount(0);
});

test("todos and dashboard have no serious or critical accessibility violations", async ({ page }) => {
  await signUp(page, uniqueEmail());
  await page.goto("/todos");
  await hydrated(page);
  await addTodo(page, "Check contrast");
  await addTodo(page, "Label every control");
  await page.getByRole("button", { name: "Mark “Check contrast” as done" }).click();
  await expect(page.getByText("1 item left")).toBeVisible();

  for (const path of ["/todos", "/dashboard"]) {
    await page.goto(path);
    await hydrated(page);
    const results = await new AxeBuilder({ page }).analyze();
    const severe = results.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
    expect(severe.map((v) => `${v.id}: ${v.help}`), path).toEqual([]);
  }
});

test("the dashboard shows totals, progress and recent todos", async ({ page }) => {
  const email = uniqueEmail();
  await signUp(page, email);
  await page.goto("/todos");
  await hydrated(page);
  await addTodo(page, "First");
  await addTodo(page, "Second");
  await page.getByRole("button", { name: "Mark “First” as done" }).click();
  await expect(page.getByText("1 item left")).toBeVisible();

  await page.goto("/dashboard");
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(`Hello, ${email}`);
  await expect(page.locator(".totals")).toContainText("All2");
  await expect(page.locator(".totals")).toContainText("Active1");
  await expect(page.locator(".totals")).toContainText("Completed1");
  await expect(page.getByText("50% done")).toBeVisible();
  await expect(page.locator(".recent__item")).toHaveText([/To do: Second/, /Done: First/]);
});

test.describe("without JavaScript", () => {
  test.use({ javaScriptEnabled: false });

  test("add, complete, edit and delete are form posts that return to the same view", async ({ page }) => {
    await page.goto("/signup");
    await page.getByLabel("Email").fill(uniqueEmail());
    await page.getByLabel("Password").fill("velvet tractor umbrella sings");
    await page.getByRole("button", { name: "Create account" }).click();
    await page.goto("/todos?filter=all");

    await page.getByLabel("New todo").fill("Posted without JS");
    await page.getByRole("button", { name: "Add", exact: true }).click();
    await expect(page).toHaveURL("/todos?filter=all");
    await expect(titles(page)).toHaveText(["Posted without JS"]);

    await page.getByRole("button", { name: "Mark “Posted without JS” as done" }).click();
    await expect(page.getByText("0 items left")).toBeVisible();

    await page.getByRole("link", { name: "Edit “Posted without JS”" }).click();
    await expect(page).toHaveURL(/\/todos\?filter=all&edit=/);
    await page.getByLabel("New title").fill("Edited without JS");
    await page.getByRole("button", { name: "Save" }).click();
    await expect(page).toHaveURL("/todos?filter=all");
    await expect(titles(page)).toHaveText(["Edited without JS"]);

    await page.getByRole("button", { name: "Delete “Edited without JS”" }).click();
    await expect(page.getByText("Nothing here yet. Add your first todo above.")).toBeVisible();
    await expect(page).toHaveURL(/^[^?]*\/todos\?filter=all&undo=[0-9a-f-]+$/);
  });
});
