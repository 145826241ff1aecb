import { readFile } from "node:fs/promises";
import { expect, test, type Page } from "@playwright/test";
import { expectNoSevereViolations, hydrated, PASSWORD, signUp, uniqueEmail } from "./support";

async function addTodo(page: Page, title: string) {
  const input = page.getByLabel("New todo");
  await input.fill(title);
  await input.press("Enter");
  await expect(page.locator(".todo:not(.todo--pending) .todo__title", { hasText: title })).toBeVisible();
}

const titles = (page: Page) => page.locator(".todo-list .todo:not(.todo--pending) .todo__title");
const focusedRowTitle = (page: Page) => page.locator(".todo:focus .todo__title");

test("undo: a deleted todo comes back where it was, and focus is never lost", async ({ page }) => {
  await signUp(page, uniqueEmail());
  await page.goto("/todos");
  await hydrated(page);
  for (const title of ["Bottom", "Middle", "Top"]) {
    await addTodo(page, title);
  }
  await page.getByRole("button", { name: "Delete “Middle”" }).click();
  await expect(titles(page)).toHaveText(["Top", "Bottom"]);
  const toast = page.getByRole("status").filter({ hasText: "Deleted “Middle”." });
  await expect(toast).toBeVisible();
  // Focus moved to the next row.
  await expect(focusedRowTitle(page)).toHaveText("Bottom");
  await expectNoSevereViolations(page, "/todos with the undo message");

  await toast.getByRole("button", { name: "Undo" }).click();
  await expect(titles(page)).toHaveText(["Top", "Middle", "Bottom"]);
  await expect(page.getByRole("status").filter({ hasText: "Restored 1 todo." })).toBeVisible();
  await expect(page.getByRole("button", { name: "Dismiss the message" })).toBeFocused();
  await page.getByRole("button", { name: "Dismiss the message" }).click();
  await expect(page.getByText("Restored 1 todo.")).toHaveCount(0);

  // Clearing completed todos is undone the same way.
  await page.getByRole("button", { name: "Mark “Top” as done" }).click();
  await page.getByRole("button", { name: "Mark “Bottom” as done" }).click();
  await page.getByRole("button", { name: "Clear completed" }).click();
  await expect(titles(page)).toHaveText(["Middle"]);
  await page.getByRole("status").getByRole("button", { name: "Undo" }).click();
  await expect(titles(page)).toHaveText(["Top", "Middle", "Bottom"]);
});

test("keyboard: n, /, j, k, x, e, Enter, Delete and ?, never while typing", async ({ page }) => {
  await signUp(page, uniqueEmail());
  await page.goto("/todos");
  await hydrated(page);
  for (const title of ["Three", "Two", "One"]) {
    await addTodo(page, title);
  }
  // Typing in a field never triggers a shortcut.
  await page.getByLabel("New todo").press("j");
  await expect(page.getByLabel("New todo")).toHaveValue("j");
  await page.getByLabel("New todo").fill("");
  await page.locator("body").click({ position: { x: 5, y: 5 } });

  await page.keyboard.press("j");
  await expect(focusedRowTitle(page)).toHaveText("One");
  await page.keyboard.press("j");
  await page.keyboard.press("j");
  await page.keyboard.press("j");
  await expect(focusedRowTitle(page), "stops at the last row").toHaveText("Three");
  await page.keyboard.press("k");
  await expect(focusedRowTitle(page)).toHaveText("Two");

  await page.keyboard.press("x");
  await expect(page.getByRole("button", { name: "Mark “Two” as not done" })).toHaveAttribute("aria-pressed", "true");
  await expect(page.getByRole("button", { name: "Mark “Two” as not done" })).toBeFocused();

  await page.keyboard.press("e");
  const editor = page.getByLabel("Title", { exact: true });
  await expect(editor).toBeFocused();
  await editor.fill("Two, edited");
  await editor.press("Enter");
  await expect(titles(page)).toHaveText(["One", "Two, edited", "Three"]);
  await expect(focusedRowTitle(page)).toHaveText("Two, edited");

  // Enter on a focused row edits too; Escape cancels and keeps the row focused.
  await page.keyboard.press("k");
  await expect(focusedRowTitle(page)).toHaveText("One");
  await page.keyboard.press("Enter");
  await expect(editor).toBeFocused();
  await editor.press("Escape");
  await expect(focusedRowTitle(page)).toHaveText("One");

  await page.keyboard.press("Delete");
  await expect(titles(page)).toHaveText(["Two, edited", "Three"]);
  await expect(focusedRowTitle(page), "focus moves to the next row").toHaveText("Two, edited");
  await expect(page.getByRole("status").filter({ hasText: "Deleted “One”." })).toBeVisible();

  await page.keyboard.press("n");
  await expect(page.getByLabel("New todo")).toBeFocused();
  await page.locator("body").click({ position: { x: 5, y: 5 } });
  await page.keyboard.press("/");
  await expect(page.getByLabel("Search your todos")).toBeFocused();
  await expect(page.getByLabel("Search your todos")).toHaveValue("");
  await page.locator("body").click({ position: { x: 5, y: 5 } });

  await page.keyboard.press("?");
  const dialog = page.getByRole("dialog", { name: "Keyboard shortcuts" });
  await expect(dialog).toBeVisible();
  await expect(dialog.getByText("Delete the todo (you can undo it)")).toBeVisible();
  await expectNoSevereViolations(page, "the shortcuts dialog");
  // Shortcuts are off while it is open.
  await page.keyboard.press("n");
  await expect(page.getByLabel("New todo")).not.toBeFocused();
  await page.keyboard.press("Escape");
  await expect(dialog).toBeHidden();
  await page.getByRole("button", { name: /Keyboard shortcuts/ }).click();
  await expect(dialog).toBeVisible();
  await dialog.getByRole("button", { name: "Close" }).click();
  await expect(dialog).toBeHidden();
});

test("export and import: the download holds everything and imports into another account", async ({ page, browser }) => {
  await signUp(page, uniqueEmail());
  await page.goto("/todos");
  await hydrated(page);
  await addTodo(page, "Exported, with “quotes”");
  await page.goto("/account");
  await expectNoSevereViolations(page, "/account with its data card");
  const [download] = await Promise.all([
    page.waitForEvent("download"),
    page.getByRole("link", { name: "Download everything (JSON)" }).click(),
  ]);
  expect(download.suggestedFilename()).toMatch(/^taskward-\d{4}-\d{2}-\d{2}\.json$/);
  const file = await download.path();
  const exported = JSON.parse(await readFile(file, "utf8"));
  expect(exported.format).toBe("taskward");
  expect(exported.lists[0].todos[0].title).toBe("Exported, with “quotes”");

  const other = await browser.newContext();
  const otherPage = await other.newPage();
  await signUp(otherPage, uniqueEmail(), PASSWORD);
  await otherPage.goto("/account");
  await otherPage.getByLabel("Import a file").setInputFiles(file);
  await otherPage.getByRole("button", { name: "Import", exact: true }).click();
  await expect(otherPage).toHaveURL(/\/account\?import=/);
  await expect(otherPage.getByRole("status").filter({ hasText: "Imported 1 todo." })).toBeVisible();
  await otherPage.getByLabel("Import a file").setInputFiles({
    name: "bad.csv",
    mimeType: "text/csv",
    buffer: Buffer.from("title,due\nFine,\nBroken,31/02\n"),
  });
  await otherPage.getByRole("button", { name: "Import", exact: true }).click();
  await expect(otherPage.getByRole("alert").filter({ hasText: "Nothing was imported" })).toBeVisible();
  await expect(otherPage.getByText("line 3: the due date “31/02” is not a date")).toBeVisible();
  await otherPage.goto("/todos");
  await expect(titles(otherPage)).toHaveText(["Exported, with “quotes”"]);
  await other.close();
});

test.describe("without JavaScript", () => {
  test.use({ javaScriptEnabled: false });

  test("undo is a link-like form on the page a delete returns to", async ({ page }) => {
    await page.goto("/signup");
    await page.getByLabel("Email").fill(uniqueEmail());
    await page.getByLabel("Password").fill(PASSWORD);
    await page.getByRole("button", { name: "Create account" }).click();
    await page.goto("/todos");
    await page.getByLabel("New todo").fill("Keep me after all");
    await page.getByRole("button", { name: "Add", exact: true }).click();
    await page.getByRole("button", { name: "Delete “Keep me after all”" }).click();
    await expect(page).toHaveURL(/undo=/);
    await expect(page.getByText("Deleted “Keep me after all”.")).toBeVisible();
    await page.getByRole("button", { name: "Undo" }).click();
    await expect(page).not.toHaveURL(/undo=/);
    await expect(titles(page)).toHaveText(["Keep me after all"]);

    // Deleting a list is undone from the lists page.
    await page.goto("/lists");
    await page.getByLabel("New list").fill("Short-lived");
    await page.getByRole("button", { name: "Add list" }).click();
    await page.goto("/lists");
    await page.getByRole("button", { name: "Delete Short-lived" }).click();
    await expect(page.getByText("Deleted the list “Short-lived”.")).toBeVisible();
    await page.getByRole("button", { name: "Undo" }).click();
    await expect(page.locator(".lists__name")).toHaveText(["Inbox", "Short-lived"]);
  });
});
