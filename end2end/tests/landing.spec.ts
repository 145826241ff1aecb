import { expect, test } from "@playwright/test";

test("the landing page names the product and offers sign up and sign in", async ({ page }) => {
  await page.goto("/");

  await expect(page).toHaveTitle("Taskward");
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Taskward");
  await expect(page.getByRole("link", { name: "Create your free account" })).toHaveAttribute("href", "/signup");
  await expect(page.getByRole("navigation").getByRole("link", { name: "Sign in" })).toHaveAttribute("href", "/signin");
});

test("the landing page hydrates: the try-it list works in the browser", async ({ page }) => {
  await page.goto("/");
  // Set by an effect, which only ever runs in the browser once wasm is live.
  await expect(page.locator("html")).toHaveAttribute("data-hydrated", "true");

  const input = page.getByLabel("Something to do");
  await input.fill("Water the plants");
  await input.press("Enter");
  await input.fill("Call the bank");
  await page.getByRole("button", { name: "Add" }).click();

  const items = page.locator(".try__item");
  await expect(items).toHaveText(["Call the bank", "Water the plants"]);
  await expect(page.getByText("2 items. Sign up to keep them.")).toBeVisible();
  await expect(input).toHaveValue("");
  // The form was handled in the page, not submitted to the server.
  expect(new URL(page.url()).search).toBe("");
});

test("an unknown address shows a friendly not-found page", async ({ page }) => {
  const response = await page.goto("/definitely/not/here");

  expect(response?.status()).toBe(404);
  await expect(page.getByRole("heading", { name: "Page not found" })).toBeVisible();
  await page.getByRole("link", { name: "Go to the home page" }).click();
  await expect(page).toHaveURL("/");
});
