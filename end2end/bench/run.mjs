// Taskward's end-to-end benchmark: starts the release app, seeds it over
// HTTP, drives load with oha, reads memory from /proc and measures the first
// load in Chromium. Run it through scripts/bench, which builds the app and
// installs the tools first.
//
//   node end2end/bench/run.mjs [--smoke] [--reminders-only] [--pages-only]
//
// --reminders-only measures only the reminder burst (PostgreSQL, two
// instances), skipping the page and API scenarios. --pages-only measures
// only the list page and the JSON list against the floor, the mixed load
// and the first load (no 10,000-todo account, other views, writes, sign-in
// or reminder burst): the quick loop while working on the page.
//
// Figures are printed as a table and written to target/bench/<date>.json.

import { spawn, execFileSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as zlib from "node:zlib";
import { fileURLToPath } from "node:url";
import { chromium } from "@playwright/test";

const smoke = process.argv.includes("--smoke");
const remindersOnly = process.argv.includes("--reminders-only");
const pagesOnly = process.argv.includes("--pages-only");
const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, "..", "..");
const binary = process.env.TASKWARD_BIN ?? path.join(repo, "target", "release", "taskward");
const siteRoot = path.join(repo, "target", "site");
const duration = smoke ? "1s" : "10s";
const bigListSize = smoke ? 500 : 10_000;
const PASSWORD = "velvet tractor umbrella sings";
const SECRET = "b3nchb3nchb3nch0123456789abcdef0123456789abcdef0123456789abcdef01";

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Every app, floor and load generator this run started and that is still
 *  running: each is stopped on every way out (the end, a scenario that
 *  throws, a failed start, Ctrl-C), so no server outlives the run holding
 *  its port. */
const running = new Set();
function track(child) {
  running.add(child);
  child.once("exit", () => running.delete(child));
  // A binary that cannot start is an error of the run, not of Node.
  child.once("error", (error) => {
    running.delete(child);
    console.error(`could not start ${child.spawnfile}: ${error.message}`);
  });
  return child;
}
function stopAll() {
  for (const child of running) child.kill("SIGTERM");
  running.clear();
}
process.on("exit", stopAll);
for (const signal of ["SIGINT", "SIGTERM"]) {
  process.on(signal, () => {
    stopAll();
    process.exit(130);
  });
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function memoryKiB(pid) {
  const status = fs.readFileSync(`/proc/${pid}/status`, "utf8");
  const field = (name) => Number(status.match(new RegExp(`${name}:\\s+(\\d+)`))[1]);
  return { rss: field("VmRSS"), peak: field("VmHWM") };
}

async function startServer(databaseUrl, port, extraEnv = {}) {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "taskward-bench-"));
  const started = performance.now();
  const child = track(spawn(binary, [], {
    env: {
      ...process.env,
      // Development only because production refuses the plain-http cookie
      // below; nothing measured differs (the argon2id parameters are
      // production's either way, and the build is the release one).
      APP_ENV: "development",
      JWT_SECRET: SECRET,
      LISTEN_ADDR: `127.0.0.1:${port}`,
      PUBLIC_ORIGIN: `http://127.0.0.1:${port}`,
      DATA_DIR: dataDir,
      DATABASE_URL: databaseUrl ?? `sqlite://${dataDir}/taskward.db`,
      LOG_LEVEL: "warn",
      LEPTOS_SITE_ROOT: siteRoot,
      LEPTOS_ENV: "PROD",
      // The load comes from one address, and the sign-in scenario is one
      // account signing in 8 at a time with no device token, which the
      // per-address and per-account budgets rightly refuse: keep them out
      // of the way of what is measured.
      AUTH_ATTEMPTS_PER_MINUTE: "100000000",
      SIGNIN_MAX_FAILURES: "100000000",
      // Lets the browser part take the session cookie over plain http; the
      // cookie's attributes do not change what is measured.
      SESSION_COOKIE_SECURE: "false",
      ...extraEnv,
    },
    stdio: ["ignore", "inherit", "inherit"],
  }));
  const base = `http://127.0.0.1:${port}`;
  for (;;) {
    try {
      const response = await fetch(`${base}/healthz`);
      if (response.status === 200) break;
    } catch {}
    if (child.exitCode !== null || !running.has(child)) throw new Error("the app exited during start");
    await sleep(2);
  }
  return { child, base, startupMs: performance.now() - started, dataDir };
}

/** The hand-written floor of GET /todos (benches/floor.rs) on the app's
 *  database, once the app has migrated and seeded it. */
async function startFloor(databaseUrl, dataDir, port) {
  const child = track(spawn(process.env.TASKWARD_FLOOR_BIN, [], {
    env: {
      ...process.env,
      DATABASE_URL: databaseUrl ?? `sqlite://${dataDir}/taskward.db`,
      JWT_SECRET: SECRET,
      LISTEN_ADDR: `127.0.0.1:${port}`,
    },
    stdio: ["ignore", "inherit", "inherit"],
  }));
  const base = `http://127.0.0.1:${port}`;
  for (;;) {
    try {
      if ((await fetch(`${base}/healthz`)).status === 200) break;
    } catch {}
    if (child.exitCode !== null || !running.has(child)) throw new Error("the floor exited during start");
    await sleep(2);
  }
  return { child, base };
}

/** The mixed load (benches/mixed_load.rs): one JSON summary per level of
 *  concurrency. */
function mixedLoad(base) {
  const args = smoke
    ? ["--base", base, "--users", "40", "--todos-per-user", "5", "--seconds", "1", "--connections", "16"]
    : ["--base", base, "--users", "500", "--todos-per-user", "20", "--seconds", "10", "--connections", "8,16,32,64"];
  const out = execFileSync(process.env.TASKWARD_MIXED_LOAD_BIN, args, { stdio: ["ignore", "pipe", "inherit"], maxBuffer: 1 << 24 });
  return out.toString().split("\n").filter(Boolean).map((line) => JSON.parse(line));
}

async function stop(server) {
  if (server.child.exitCode !== null || server.child.signalCode !== null) return;
  const exited = new Promise((resolve) => server.child.once("exit", resolve));
  server.child.kill("SIGTERM");
  await exited;
}

async function form(base, pathname, fields, cookie) {
  const response = await fetch(`${base}${pathname}`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", ...(cookie ? { cookie } : {}) },
    body: new URLSearchParams(fields),
  });
  if (!response.ok) throw new Error(`${pathname}: ${response.status} ${await response.text()}`);
  return response;
}

async function newUser(base) {
  const email = `bench-${randomUUID()}@example.com`;
  const response = await form(base, "/api/auth/signup", { email, password: PASSWORD });
  const cookie = response.headers.getSetCookie().find((c) => c.startsWith("taskward_session=")).split(";")[0];
  return { email, cookie };
}

/** A date `days` from today, in UTC (the seeded accounts' time zone). */
function day(days) {
  const date = new Date();
  date.setUTCDate(date.getUTCDate() + days);
  return date.toISOString().slice(0, 10);
}

/** `count` todos: one in five due today, one in five overdue (so Today
 *  holds 40% of them), one in five in the coming week, one in ten with
 *  notes, a few with a priority. */
async function addTodos(base, cookie, count) {
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const i = next++;
      const fields = { title: `Todo number ${i}` };
      const due = [0, -1 - (i % 30), 1 + (i % 6), null, null][i % 5];
      if (due !== null) fields.due_date = day(due);
      if (i % 10 === 0) fields.notes = `Notes for todo ${i}: the quarterly plan`;
      if (i % 7 === 0) fields.priority = "high";
      await form(base, "/api/todos/create", fields, cookie);
    }
  };
  await Promise.all(Array.from({ length: 16 }, worker));
}

/** Runs oha and returns its JSON summary (latencies in seconds). */
function oha(url, { connections, method = "GET", body, cookie, bearer, randomUrl = false }) {
  const args = ["-z", duration, "-c", String(connections), "--no-tui", "--output-format", "json"];
  // The URL is a pattern: each request gets a fresh address (no cache has seen it).
  if (randomUrl) args.push("--rand-regex-url");
  if (cookie) args.push("-H", `cookie: ${cookie}`);
  // The session cookie holds the same token the JSON API takes as a bearer.
  if (bearer) args.push("-H", `authorization: Bearer ${bearer.split(/=(.*)/s)[1]}`);
  if (method !== "GET") args.push("-m", method, "-T", "application/x-www-form-urlencoded", "-d", body);
  args.push(url);
  return new Promise((resolve, reject) => {
    const child = track(spawn("oha", args, { stdio: ["ignore", "pipe", "inherit"] }));
    let out = "";
    child.stdout.on("data", (chunk) => (out += chunk));
    child.on("error", reject);
    child.on("exit", (code) => {
      if (code !== 0) return reject(new Error(`oha exited ${code}`));
      // Thrown here it would end the run without its cleanup.
      try {
        resolve(JSON.parse(out));
      } catch {
        reject(new Error(`oha exited without its report (${out.length} bytes on stdout) for ${url}`));
      }
    });
  });
}

/** The bytes of one page as sent without compression, and gzipped here
 *  (level 6) so that the app and the floor are compared alike. */
async function pageBytes(address, cookie) {
  const response = await fetch(address, { headers: { cookie, "accept-encoding": "identity" } });
  if (response.status !== 200) throw new Error(`${address} answered ${response.status}`);
  const body = Buffer.from(await response.arrayBuffer());
  return { html: body.length, gzip: zlib.gzipSync(body, { level: 6 }).length };
}

function figures(result) {
  const pct = result.latencyPercentiles ?? {};
  const statuses = result.statusCodeDistribution ?? {};
  const ok = Object.entries(statuses).filter(([s]) => Number(s) < 400).reduce((n, [, c]) => n + c, 0);
  const all = Object.values(statuses).reduce((n, c) => n + c, 0);
  return {
    rps: result.summary.requestsPerSec,
    p50_ms: (pct.p50 ?? NaN) * 1000,
    p99_ms: (pct.p99 ?? NaN) * 1000,
    success_ratio: all ? ok / all : 0,
    statuses,
  };
}

/** One load of /todos in a fresh browser context (empty cache): when the
 *  page marked itself hydrated, and the JS, wasm and CSS it transferred. */
async function loadOnce(browser, base, cookie) {
  const context = await browser.newContext({ baseURL: base });
  const [name, value] = cookie.split(/=(.*)/s);
  await context.addCookies([{ name, value, url: base, httpOnly: true, sameSite: "Strict" }]);
  const page = await context.newPage();
  // Records when the app marks itself hydrated, relative to navigation start.
  await page.addInitScript(() => {
    new MutationObserver((_, observer) => {
      if (document.documentElement?.dataset.hydrated) {
        window.__hydratedAt = performance.now();
        observer.disconnect();
      }
    }).observe(document, { attributes: true, subtree: true });
  });
  const assets = [];
  page.on("requestfinished", async (request) => {
    const url = new URL(request.url());
    if (/\.(js|wasm|css)$/.test(url.pathname)) {
      const sizes = await request.sizes();
      assets.push({ path: url.pathname, bytes: sizes.responseBodySize + sizes.responseHeadersSize });
    }
  });
  await page.goto("/todos");
  await page.waitForFunction(() => window.__hydratedAt !== undefined);
  const hydratedMs = await page.evaluate(() => window.__hydratedAt);
  await page.waitForLoadState("networkidle");
  await sleep(100); // lets the last requestfinished handlers record their sizes
  await context.close();
  return { hydratedMs, assets };
}

/** The first load of /todos, five times over: the median time to hydrated. */
async function firstLoad(base, cookie) {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
  const loads = [];
  for (let i = 0; i < (smoke ? 1 : 5); i++) loads.push(await loadOnce(browser, base, cookie));
  await browser.close();
  const assets = loads[0].assets;
  return {
    hydrated_ms: median(loads.map((load) => load.hydratedMs)),
    hydrated_ms_each: loads.map((load) => Math.round(load.hydratedMs)),
    transferred_kb: assets.reduce((n, a) => n + a.bytes, 0) / 1000,
    assets,
  };
}

async function benchBackend(name, databaseUrl, port) {
  // A first start applies the migrations; the second is the cold start.
  await stop(await startServer(databaseUrl, port));
  const server = await startServer(databaseUrl, port);
  try {
    return await measure(name, databaseUrl, port, server);
  } finally {
    await stop(server);
  }
}

/** Every scenario, on the running `server`. */
async function measure(name, databaseUrl, port, server) {
  const pid = server.child.pid;
  const result = { backend: name, cold_start_ms: server.startupMs };
  await sleep(500);
  result.idle_rss_mib = memoryKiB(pid).rss / 1024;

  const regular = await newUser(server.base);
  await addTodos(server.base, regular.cookie, 50);
  const url = (p) => `${server.base}${p}`;
  result.healthz = figures(await oha(url("/healthz"), { connections: 64 }));
  result.todos_50 = figures(await oha(url("/todos"), { connections: 64, cookie: regular.cookie }));
  // Rendered on every request: an address the page cache has never seen.
  // (oha's patterns take a dot as itself; `\.` would be a random character.)
  const fresh = `${server.base}/todos\\?fresh=[a-z0-9]{16}`;
  result.todos_50_rendered = figures(await oha(fresh, { connections: 64, cookie: regular.cookie, randomUrl: true }));
  result.page_bytes = await pageBytes(url("/todos?fresh=size"), regular.cookie);
  // The same work written by hand, on the same database, in the same run.
  const floor = await startFloor(databaseUrl, server.dataDir, port + 100);
  try {
    result.floor = figures(await oha(`${floor.base}/todos`, { connections: 64, cookie: regular.cookie }));
    result.floor_page_bytes = await pageBytes(`${floor.base}/todos`, regular.cookie);
  } finally {
    await stop(floor);
  }
  // The JSON API answers every request afresh (no page cache), so these
  // show what a list, a view and a search cost at 50 and at 10,000 todos.
  const views = {
    list: "/api/v1/todos?list=inbox",
    today: "/api/v1/todos?view=today",
    upcoming: "/api/v1/todos?view=upcoming",
    search_rare: "/api/v1/todos?q=4242",
    search_common: "/api/v1/todos?q=number",
  };
  result.views = {};
  if (pagesOnly) {
    result.views.list = { path: views.list, small: figures(await oha(url(views.list), { connections: 64, bearer: regular.cookie })) };
  } else {
    const heavy = await newUser(server.base);
    const seedStart = performance.now();
    await addTodos(server.base, heavy.cookie, bigListSize);
    result.seed_seconds = (performance.now() - seedStart) / 1000;
    result.big_list_size = bigListSize;
    // What autovacuum does within a minute of so many new rows: without
    // statistics, PostgreSQL's planner picks the wrong index for a page.
    if (databaseUrl) execFileSync("psql", ["-q", databaseUrl, "-c", "ANALYZE"]);
    result.todos_big = figures(await oha(url("/todos"), { connections: 64, cookie: heavy.cookie }));
    for (const [name, path] of Object.entries(views)) {
      result.views[name] = {
        path,
        small: figures(await oha(url(path), { connections: 64, bearer: regular.cookie })),
        big: figures(await oha(url(path), { connections: 64, bearer: heavy.cookie })),
      };
    }
    const writer = await newUser(server.base);
    result.create = figures(
      await oha(url("/api/todos/create"), { connections: 64, method: "POST", body: "title=Benchmark+todo", cookie: writer.cookie }),
    );
    const signinBody = new URLSearchParams({ email: regular.email, password: PASSWORD }).toString();
    // One at a time: the latency of one sign-in; 8 at a time: its throughput,
    // which the hashing bounds (one argon2id verify per core at once).
    result.signin_one = figures(await oha(url("/api/auth/signin"), { connections: 1, method: "POST", body: signinBody }));
    result.signin = figures(await oha(url("/api/auth/signin"), { connections: 8, method: "POST", body: signinBody }));
    const [storm, pageUnderStorm] = await Promise.all([
      oha(url("/api/auth/signin"), { connections: 8, method: "POST", body: signinBody }),
      oha(url("/todos"), { connections: 64, cookie: regular.cookie }),
    ]);
    result.signin_storm = figures(storm);
    result.todos_50_during_storm = figures(pageUnderStorm);
  }
  result.peak_rss_mib = memoryKiB(pid).peak / 1024;
  result.mixed = mixedLoad(server.base);
  result.first_load = await firstLoad(server.base, regular.cookie);
  return result;
}

/** The tests' SMTP sink (tests/support/smtp_sink.py, on aiosmtpd): a real
 *  SMTP server on a free port; `mails` fills with what it accepts, each
 *  with the moment it arrived. */
async function startSink() {
  const cache = process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), ".cache");
  const python = process.env.TASKWARD_TEST_PYTHON ?? path.join(cache, "taskward", "python-venv", "bin", "python");
  const child = track(spawn(python, [path.join(repo, "tests", "support", "smtp_sink.py")], { stdio: ["pipe", "pipe", "inherit"] }));
  const mails = [];
  let buffer = "";
  const port = await new Promise((resolve, reject) => {
    child.once("exit", () => reject(new Error("the SMTP sink exited during start")));
    child.stdout.on("data", (chunk) => {
      buffer += chunk;
      for (let end = buffer.indexOf("\n"); end >= 0; end = buffer.indexOf("\n")) {
        const line = buffer.slice(0, end);
        buffer = buffer.slice(end + 1);
        if (line.startsWith("READY ")) resolve(Number(line.slice(6)));
        else if (line) {
          const mail = JSON.parse(line);
          if (!mail.refused) mails.push({ at: Date.now(), to: mail.to[0], subject: mail.subject });
        }
      }
    });
  });
  return { child, port, mails };
}

/** `count` reminders due in the same minute, spread over 100 accounts,
 *  on two instances sharing the database: how long after that minute the
 *  last one reached the SMTP sink, and whether any came twice. */
async function reminderBurst(benchDatabaseUrl, count) {
  // A database of its own on the same server: any instance on a database
  // claims its due reminders, and the pages' server, which has no mail
  // relay, may run beside this (the smoke run).
  const url = new URL(benchDatabaseUrl);
  const burstDatabase = `${url.pathname.slice(1)}_burst`;
  execFileSync("psql", ["-q", benchDatabaseUrl, "-c", `CREATE DATABASE ${burstDatabase}`]);
  url.pathname = `/${burstDatabase}`;
  try {
    return await reminderBurstOn(url.toString(), count);
  } finally {
    execFileSync("psql", ["-q", benchDatabaseUrl, "-c", `DROP DATABASE IF EXISTS ${burstDatabase} WITH (FORCE)`]);
  }
}

async function reminderBurstOn(databaseUrl, count) {
  const sink = await startSink();
  const mailEnv = { SMTP_URL: `smtp://127.0.0.1:${sink.port}`, MAIL_FROM: "Taskward <bench@taskward.test>" };
  // Ports of their own: the smoke run starts these beside the pages'
  // servers (3400, 3401) and floors (3500, 3501).
  const first = await startServer(databaseUrl, 3600, mailEnv);
  const second = await startServer(databaseUrl, 3601, mailEnv);
  try {
    const users = [];
    for (let i = 0; i < 100; i++) users.push(await newUser(first.base));
    // Mail goes to confirmed addresses only.
    execFileSync("psql", ["-q", databaseUrl, "-c", "UPDATE users SET email_verified_at = now() WHERE email_verified_at IS NULL"]);
    // The minute they fall due: far enough ahead for the seeding to end.
    const lead = smoke ? 20_000 : 75_000;
    const minute = Math.ceil((Date.now() + lead) / 60_000) * 60_000;
    const due = new Date(minute).toISOString();
    let next = 0;
    const seedStart = performance.now();
    const worker = async () => {
      while (next < count) {
        const i = next++;
        await form(first.base, "/api/todos/create", {
          title: `Burst ${i}`,
          due_date: due.slice(0, 10),
          due_time: due.slice(11, 16),
          reminder: "0",
        }, users[i % users.length].cookie);
      }
    };
    await Promise.all(Array.from({ length: 16 }, worker));
    const seedSeconds = (performance.now() - seedStart) / 1000;
    if (Date.now() > minute - 2_000) throw new Error(`seeding ${count} reminders took ${seedSeconds.toFixed(1)} s, past their minute`);
    const reminders = () => sink.mails.filter((mail) => mail.subject.startsWith("Reminder: Burst "));
    const deadline = minute + 120_000;
    while (reminders().length < count && Date.now() < deadline) await sleep(200);
    await sleep(2_000); // anything sent twice arrives by now
    const got = reminders();
    const distinct = new Set(got.map((mail) => `${mail.to} ${mail.subject}`)).size;
    const last = got.reduce((latest, mail) => Math.max(latest, mail.at), 0);
    const firstAt = got.reduce((earliest, mail) => Math.min(earliest, mail.at), Infinity);
    return {
      count,
      seed_seconds: seedSeconds,
      delivered: got.length,
      distinct,
      duplicates: got.length - distinct,
      first_after_s: (firstAt - minute) / 1000,
      last_after_s: (last - minute) / 1000,
    };
  } finally {
    await stop(first);
    await stop(second);
    sink.child.kill("SIGTERM");
  }
}

/** The median of a criterion benchmark run just before, in ms. */
function criterionMedianMs(group, name) {
  const estimates = path.join(
    process.env.CARGO_TARGET_DIR ?? path.join(repo, "target"),
    "criterion",
    group,
    name,
    "new",
    "estimates.json",
  );
  if (!fs.existsSync(estimates)) return null;
  return JSON.parse(fs.readFileSync(estimates, "utf8")).median.point_estimate / 1e6;
}

const postgresUrl = process.env.TASKWARD_BENCH_POSTGRES_URL;
if (remindersOnly && !postgresUrl) {
  throw new Error("--reminders-only needs PostgreSQL: set TASKWARD_BENCH_POSTGRES_URL or TASKWARD_TEST_POSTGRES_URL");
}
// The scenarios, each with its own servers, ports and database. The full
// run takes them one after another, so that each has the machine to
// itself. The smoke run has no bars to keep: the reminder burst, which
// mostly waits for its minute (20 to 80 s), runs beside the two pages'
// runs. (Those two stay one after the other: with both load generators at
// once, one of them ended without its report.)
const pages = async () => [
  remindersOnly ? null : await benchBackend("sqlite", null, 3400),
  !postgresUrl || remindersOnly ? null : await benchBackend("postgres", postgresUrl, 3401),
];
const reminders = async () => (!postgresUrl || pagesOnly ? null : await reminderBurst(postgresUrl, smoke ? 500 : 10_000));
const [pageRuns, burst] = smoke ? await Promise.all([pages(), reminders()]) : [await pages(), await reminders()];
const runs = pageRuns.filter(Boolean);
const argon2 = criterionMedianMs("argon2id", "verify (m=19456 KiB, t=2, p=1)");
const render50 = criterionMedianMs("render", "todo list, 50 items");

const rows = [];
const row = (scenario, figure, bar, holds) => rows.push({ scenario, figure, bar, holds: holds === null ? "-" : holds ? "yes" : "NO" });
const fmt = (n, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : "n/a");
for (const r of runs) {
  const b = r.backend;
  row(`${b}: GET /todos, 50 todos, c=64`, `${fmt(r.todos_50.rps, 0)} req/s, p99 ${fmt(r.todos_50.p99_ms)} ms`, ">= 3000 req/s, p99 < 50 ms", r.todos_50.rps >= 3000 && r.todos_50.p99_ms < 50);
  row(`${b}: GET /healthz, c=64`, `${fmt(r.healthz.rps, 0)} req/s; /todos is ${fmt(r.todos_50.rps / r.healthz.rps, 2)}x of it`, "reference", null);
  const floorRps = r.floor.rps;
  const toFloor = (f) => `${fmt(f.rps / floorRps, 2)}x floor`;
  row(`${b}: floor: hand-written GET /todos (benches/floor.rs)`, `${fmt(floorRps, 0)} req/s, p99 ${fmt(r.floor.p99_ms)} ms`, "reference", null);
  row(`${b}: GET /todos, page cache hit, vs floor`, toFloor(r.todos_50), "report", null);
  const rendered = r.todos_50_rendered;
  row(
    `${b}: GET /todos rendered every time, c=64`,
    `${fmt(rendered.rps, 0)} req/s, p99 ${fmt(rendered.p99_ms)} ms = ${toFloor(rendered)}`,
    ">= 0.5x floor, p99 < 50 ms",
    rendered.rps / floorRps >= 0.5 && rendered.p99_ms < 50,
  );
  const json = r.views.list.small;
  row(`${b}: GET /api/v1/todos (JSON, 50), c=64`, `${fmt(json.rps, 0)} req/s, p99 ${fmt(json.p99_ms)} ms = ${toFloor(json)}`, ">= 1.0x floor", json.rps / floorRps >= 1.0);
  const bytesRatio = r.page_bytes.html / r.floor_page_bytes.html;
  row(
    `${b}: GET /todos HTML, 50 todos`,
    `${fmt(r.page_bytes.html / 1000)} KB (${fmt(r.page_bytes.gzip / 1000)} KB gzipped) = ${fmt(bytesRatio, 2)}x floor (${fmt(r.floor_page_bytes.html / 1000)} KB, ${fmt(r.floor_page_bytes.gzip / 1000)} KB)`,
    "<= 2x floor",
    bytesRatio <= 2,
  );
  for (const level of r.mixed) {
    const pages = level.page_cache_hits + level.page_cache_misses;
    const hitRate = pages ? `${fmt((100 * level.page_cache_hits) / pages, 0)}% cache hits` : "no page cache";
    row(
      `${b}: mixed, ${level.connections} conn`,
      `${fmt(level.rps, 0)} req/s, p50 ${fmt(level.p50_ms)} ms, p99 ${fmt(level.p99_ms)} ms, ${level.errors} errors, ${hitRate}`,
      "report",
      level.errors === 0 ? null : false,
    );
  }
  const sustained = r.mixed.filter((level) => level.errors === 0 && level.p99_ms < 50).sort((x, y) => y.rps - x.rps)[0];
  row(
    `${b}: mixed, highest rate with p99 < 50 ms`,
    sustained ? `${fmt(sustained.rps, 0)} req/s at ${sustained.connections} conn (${toFloor(sustained)})` : "none",
    "p99 < 50 ms, 0 errors",
    Boolean(sustained),
  );
  row(`${b}: memory`, `idle ${fmt(r.idle_rss_mib)} MiB, peak ${fmt(r.peak_rss_mib)} MiB`, "idle <= 40, peak <= 150", r.idle_rss_mib <= 40 && r.peak_rss_mib <= 150);
  row(`${b}: first load of /todos`, `${fmt(r.first_load.transferred_kb)} KB JS+wasm+CSS, hydrated at ${fmt(r.first_load.hydrated_ms, 0)} ms`, "<= 200 KB, <= 300 ms", r.first_load.transferred_kb <= 200 && r.first_load.hydrated_ms <= 300);
  row(`${b}: cold start to first /healthz 200`, `${fmt(r.cold_start_ms, 0)} ms`, "<= 250 ms", r.cold_start_ms <= 250);
  if (pagesOnly) continue;
  const bigRatio = r.todos_big.p50_ms / r.todos_50.p50_ms;
  row(`${b}: GET /todos, ${r.big_list_size} todos`, `p50 ${fmt(r.todos_big.p50_ms, 2)} ms = ${fmt(bigRatio, 2)}x of 50`, "<= 1.5x", bigRatio <= 1.5);
  for (const [name, view] of Object.entries(r.views)) {
    const ratio = view.big.p50_ms / view.small.p50_ms;
    const ok = view.big.success_ratio === 1 && view.small.success_ratio === 1;
    row(
      `${b}: ${view.path} (${name.replace("_", " ")})`,
      `${r.big_list_size} todos: p50 ${fmt(view.big.p50_ms, 2)} ms, ${fmt(view.big.rps, 0)} req/s; 50: p50 ${fmt(view.small.p50_ms, 2)} ms; ${fmt(ratio, 2)}x`,
      "report",
      ok ? null : false,
    );
  }
  row(`${b}: POST /api/todos/create, c=64`, `${fmt(r.create.rps, 0)} req/s, p99 ${fmt(r.create.p99_ms)} ms`, "report", null);
  // The hashing floor: every core verifying one password after another.
  const latencyRatio = argon2 ? r.signin_one.p50_ms / argon2 : NaN;
  const hashingFloorRps = argon2 ? os.cpus().length * (1000 / argon2) : NaN;
  const throughputRatio = r.signin.rps / hashingFloorRps;
  row(`${b}: POST /api/auth/signin, c=1`, `p50 ${fmt(r.signin_one.p50_ms)} ms = ${fmt(latencyRatio, 2)}x one argon2id verify (${fmt(argon2 ?? NaN)} ms)`, "<= 1.3x verify", argon2 ? latencyRatio <= 1.3 : null);
  row(`${b}: POST /api/auth/signin, c=8`, `${fmt(r.signin.rps)} req/s = ${fmt(throughputRatio, 2)}x the hashing floor (${fmt(hashingFloorRps)}/s)`, ">= 0.8x hashing floor", argon2 ? throughputRatio >= 0.8 : null);
  const stormRatio = r.todos_50_during_storm.p99_ms / r.todos_50.p99_ms;
  row(`${b}: /todos p99 during sign-in storm`, `${fmt(r.todos_50_during_storm.p99_ms)} ms = ${fmt(stormRatio, 2)}x`, "<= 3x", stormRatio <= 3);
}

if (burst) {
  const holds = burst.delivered === burst.count && burst.duplicates === 0 && burst.last_after_s <= 60;
  row(
    `postgres: ${burst.count} reminders due in one minute, 2 instances, to an SMTP sink`,
    `${burst.distinct} of ${burst.count} delivered, first ${fmt(burst.first_after_s)} s and last ${fmt(burst.last_after_s)} s after their minute, ${burst.duplicates} twice`,
    "all within 60 s, each once",
    holds,
  );
}

const machine = { cores: os.cpus().length, memory_gib: +(os.totalmem() / 2 ** 30).toFixed(1), cpu: os.cpus()[0]?.model };
row("server render of the 50-todo workspace (criterion)", `${fmt((render50 ?? NaN) * 1000, 0)} µs`, "report", null);
const report = { date: new Date().toISOString(), smoke, duration, machine, argon2_verify_ms: argon2, render_50_ms: render50, runs, reminder_burst: burst, table: rows };
const outDir = path.join(repo, "target", "bench");
fs.mkdirSync(outDir, { recursive: true });
const outFile = path.join(outDir, `${smoke ? "smoke-" : ""}${report.date.replace(/[:.]/g, "-")}.json`);
fs.writeFileSync(outFile, JSON.stringify(report, null, 2));

console.log(`\nTaskward benchmark ${report.date} on ${machine.cores} cores, ${machine.memory_gib} GiB (${machine.cpu})${smoke ? " [smoke: no bars]" : ""}`);
const widths = ["scenario", "figure", "bar", "holds"].map((k) => Math.max(k.length, ...rows.map((r) => String(r[k]).length)));
const line = (r) => ["scenario", "figure", "bar", "holds"].map((k, i) => String(r[k]).padEnd(widths[i])).join(" | ");
console.log(line({ scenario: "scenario", figure: "figure", bar: "bar", holds: "holds" }));
console.log(widths.map((w) => "-".repeat(w)).join("-|-"));
rows.forEach((r) => console.log(line(r)));
console.log(`\nwritten to ${path.relative(repo, outFile)}`);

// A scenario that got errors measured the wrong thing: the run fails.
const failed = runs.flatMap((r) => [
  ...Object.entries(r.views)
    .filter(([, view]) => view.small.success_ratio < 1 || (view.big && view.big.success_ratio < 1))
    .map(([name, view]) => `${r.backend} ${name}: ${JSON.stringify(view.small.statuses)} / ${JSON.stringify(view.big?.statuses)}`),
  ...Object.entries({ floor: r.floor, rendered: r.todos_50_rendered })
    .filter(([, f]) => f.success_ratio < 1)
    .map(([name, f]) => `${r.backend} ${name}: ${JSON.stringify(f.statuses)}`),
  ...r.mixed.filter((level) => level.errors > 0).map((level) => `${r.backend} mixed at ${level.connections}: ${level.first_errors.join("; ")}`),
]);
// Reminders lost or sent twice are wrong at any speed.
if (burst && (burst.delivered !== burst.count || burst.duplicates > 0)) {
  failed.push(`reminder burst: ${burst.distinct} of ${burst.count} delivered, ${burst.duplicates} twice`);
}
if (failed.length > 0) {
  console.error(`scenarios answered with errors:\n  ${failed.join("\n  ")}`);
  process.exit(1);
}
