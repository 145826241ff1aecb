import { expect, test, type Page } from "@playwright/test";
import { expectNoSevereViolations, hydrated, PASSWORD, signUp, uniqueEmail } from "./support";

const rows = (page: Page, title: string) =>
  page.locator(".todo-list .todo:not(.todo--pending)").filter({ has: page.locator(".todo__title", { hasText: title }) });

test("quick add shows what it read as chips, and a dismissed chip stays in the title", async ({ browser }) => {
  const context = await browser.newContext({ timezoneId: "UTC" });
  const page = await context.newPage();
  await signUp(page, uniqueEmail());
  await page.goto("/todos");
  await hydrated(page);

  const field = page.getByLabel("New todo");
  await field.fill("Buy tickets for Friday at 7pm !high");
  const chips = page.getByRole("list", { name: "Read from what you typed" });
  await expect(chips.getByRole("listitem")).toHaveCount(3);
  await expect(chips.getByText("High priority")).toBeVisible();
  await expect(chips.getByText("At 19:00")).toBeVisible();
  await expectNoSevereViolations(page, "/todos with quick add's chips");

  // "Friday" is part of the title here: dismiss the date.
  await chips.getByRole("button", { name: "Keep “Friday” in the title" }).click();
  await expect(chips.getByRole("listitem")).toHaveCount(2);
  await page.getByRole("button", { name: "Add", exact: true }).click();
  const saved = rows(page, "Buy tickets for Friday");
  await expect(saved).toHaveCount(1);
  await expect(saved.getByText("High priority")).toBeVisible();
  // The field and its chips are empty for the next todo.
  await expect(field).toHaveValue("");
  await expect(chips.getByRole("listitem")).toHaveCount(0);
  await context.close();
});

test("the calendar feed: made on the account page, read by a calendar app, replaced and turned off", async ({ page, request }) => {
  await signUp(page, uniqueEmail());
  await page.goto("/todos");
  await hydrated(page);
  await page.getByLabel("New todo").fill("Renew passport tomorrow at 9am");
  await page.getByRole("button", { name: "Add", exact: true }).click();
  await expect(rows(page, "Renew passport")).toHaveCount(1);

  await page.goto("/account");
  const card = page.locator("section", { has: page.getByRole("heading", { name: "Calendar feed" }) });
  await card.getByRole("button", { name: "Make a feed address" }).click();
  const address = card.getByLabel("Feed address");
  await expect(address).toHaveValue(/\/calendar\/[A-Za-z0-9_-]{43}\.ics$/);
  const url = await address.inputValue();
  await expect(card.getByRole("link", { name: "Subscribe in your calendar app" })).toHaveAttribute(
    "href",
    url.replace(/^https?:/, "webcal:"),
  );
  await expectNoSevereViolations(page, "/account with a new calendar feed address");

  // What a calendar app fetches: no cookie.
  const path = url.slice(url.indexOf("/calendar/"));
  const feed = await request.get(path);
  expect(feed.status()).toBe(200);
  expect(feed.headers()["content-type"]).toBe("text/calendar; charset=utf-8");
  expect(await feed.text()).toContain("SUMMARY:Renew passport");

  // Shown once: a reload shows when it was made, not the address.
  await page.reload();
  await expect(card.getByLabel("Feed address")).toHaveCount(0);
  await expect(card.getByText(/You have a feed; its address was made/)).toBeVisible();

  await card.getByRole("button", { name: "Make a new address" }).click();
  const replaced = await card.getByLabel("Feed address").inputValue();
  expect(replaced).not.toBe(url);
  expect((await request.get(path)).status()).toBe(404);

  await card.getByRole("button", { name: "Turn the feed off" }).click();
  await expect(card.getByRole("button", { name: "Make a feed address" })).toBeVisible();
  expect((await request.get(replaced.slice(replaced.indexOf("/calendar/")))).status()).toBe(404);
});

test.describe("without JavaScript", () => {
  test.use({ javaScriptEnabled: false });

  test("the calendar feed card works with plain forms", async ({ page }) => {
    await page.goto("/signup");
    await page.getByLabel("Email").fill(uniqueEmail());
    await page.getByLabel("Password").fill(PASSWORD);
    await page.getByRole("button", { name: "Create account" }).click();
    await page.goto("/account");
    const card = page.locator("section", { has: page.getByRole("heading", { name: "Calendar feed" }) });
    await card.getByRole("button", { name: "Make a feed address" }).click();
    await expect(page).toHaveURL(/\/account/);
    await expect(card.getByLabel("Feed address")).toHaveValue(/\/calendar\/[A-Za-z0-9_-]{43}\.ics$/);
    await card.getByRole("button", { name: "Turn the feed off" }).click();
    await expect(card.getByRole("button", { name: "Make a feed address" })).toBeVisible();
  });
});
