import { createECDH, randomBytes } from "node:crypto";
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

test.describe("browsers for reminders", () => {
  test("the notifications page lists a subscribed browser, removes it, and offers this browser with JavaScript", async ({ browser, request }) => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const email = uniqueEmail();
    await signUp(page, email);
    const signedIn = await request.post("/api/v1/auth/signin", { data: { email, password: PASSWORD } });
    const token = (await signedIn.json()).access_token as string;
    const key = await (await request.get("/api/v1/push/key")).json();
    expect(key.public_key).toMatch(/^[A-Za-z0-9_-]{87}$/);
    // A subscription as a browser's push service would make it (the host
    // is one the e2e server allows; nothing is sent there).
    const made = await request.post("/api/v1/push/subscriptions", {
      headers: { authorization: `Bearer ${token}` },
      data: {
        endpoint: "http://push.invalid/send/abc",
        keys: {
          p256dh: createECDH("prime256v1").generateKeys().toString("base64url"),
          auth: randomBytes(16).toString("base64url"),
        },
        name: "Firefox on the laptop",
      },
    });
    expect(made.status(), await made.text()).toBe(201);

    await page.goto("/account/notifications");
    await hydrated(page);
    const browsers = page.locator("section", { has: page.getByRole("heading", { name: "Browsers" }) });
    await expect(browsers.getByText("Firefox on the laptop")).toBeVisible();
    await expect(browsers.getByText(/via push\.invalid/)).toBeVisible();
    // With JavaScript the button shows; pressing it is what asks for permission.
    await expect(browsers.getByRole("button", { name: "Notify me in this browser" })).toBeVisible();
    await expectNoSevereViolations(page, "/account/notifications with a browser");

    await browsers.getByRole("button", { name: "Remove Firefox on the laptop" }).click();
    await expect(browsers.getByText("No browser shows your reminders yet.")).toBeVisible();
    const listed = await request.get("/api/v1/push/subscriptions", { headers: { authorization: `Bearer ${token}` } });
    expect((await listed.json()).items).toEqual([]);

    const worker = await request.get("/sw.js");
    expect(worker.status()).toBe(200);
    expect(worker.headers()["content-type"]).toContain("javascript");
    await context.close();
  });
});
