import { execFileSync } from "node:child_process";
import path from "node:path";
import { expect, test, type Page } from "@playwright/test";
import { E2E_JWT_SECRET, binary, dataDir } from "../playwright.config";
import { hydrated, signUp } from "./support";

/** The README's pictures, taken from the current pages on every run. */
const screenshots = path.join(__dirname, "..", "..", "docs", "screenshots");

async function addTodo(page: Page, title: string) {
  const input = page.getByLabel("New todo");
  await input.fill(title);
  await input.press("Enter");
  await expect(page.locator(".todo-list .todo:not(.todo--pending) .todo__title").filter({ hasText: title })).toBeVisible();
}

test("the README's screenshots: the todo list and the console", async ({ page }) => {
  await page.setViewportSize({ width: 1280, height: 760 });
  // A person's address (unique per run: a retry signs up again).
  const email = `ada+${Date.now().toString(36)}@example.com`;
  await signUp(page, email);
  await page.goto("/todos");
  await hydrated(page);
  for (const title of ["Book the ferry to Porto", "Water the plants", "Renew the passport", "Plan the trip"]) {
    await addTodo(page, title);
  }
  await page.getByRole("link", { name: "Plan the trip", exact: true }).click();
  await page.getByLabel("Notes").fill("Lisbon in May, then Porto");
  await page.locator(".todo__details").getByLabel("Priority").selectOption("high");
  await page.locator(".todo__details").getByLabel("Due", { exact: true }).fill("2030-05-01");
  await page.getByRole("button", { name: "Save details" }).click();
  await expect(page.locator(".todo", { hasText: "Plan the trip" }).getByText("High priority")).toBeVisible();
  if ((await page.locator(".todo__details").count()) === 0) {
    await page.getByRole("link", { name: "Plan the trip", exact: true }).click();
  }
  await expect(page.locator(".todo__details")).toBeVisible();
  await page.screenshot({ path: path.join(screenshots, "todos.png") });

  execFileSync(binary, ["admin", "grant", email], {
    env: { ...process.env, DATA_DIR: dataDir, JWT_SECRET: E2E_JWT_SECRET, LOG_LEVEL: "error" },
  });
  await page.goto("/admin");
  await expect(page.getByRole("heading", { name: "Administration" })).toBeVisible();
  await page.screenshot({ path: path.join(screenshots, "admin.png") });
});
