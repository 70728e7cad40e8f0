// An HR admin's first day with Einlass, in Debian's Chromium: setup link,
// settings, groups, areas, users by form (with errors), search, filters,
// edit, areas, deactivate, delete, audit, language switch, sign-out; at
// 1280x800 and 360x640, once more without JavaScript. On every page axe-core
// must find nothing, the browser console must stay clean and no answer may
// be a server error.
//
// Run by the Rust test `browser::an_admins_first_day` (tests/it/browser.rs):
//   node first_day.mjs BASE_URL SETUP_PATH [SCREENSHOT_DIR]
// Exit code 0 when everything held; otherwise every problem is printed.

import { readFileSync, mkdirSync, mkdtempSync, writeFileSync, rmSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const here = dirname(fileURLToPath(import.meta.url));
const [base, setupPath, shotDir] = process.argv.slice(2);
if (!base || !setupPath) {
  console.error("usage: node first_day.mjs BASE_URL SETUP_PATH [SCREENSHOT_DIR]");
  process.exit(2);
}
const axeSource = readFileSync(join(here, "node_modules/axe-core/axe.min.js"), "utf8");
const chromiumPath = process.env.CHROMIUM || "/usr/bin/chromium";
const problems = [];
// The pages the README shows (docs/screenshots), at both sizes.
const SHOWN = new Set(["login", "dashboard", "users", "user", "user-new-errors", "credentials",
  "group-search", "group-delete", "settings", "audit", "user-invited", "mailbox-message", "activate",
  "activate-errors", "welcome", "me", "link-used", "forgot-sent", "task", "mail-log", "mail-log-message",
  "mail-resent", "mail-blocked", "mail-templates", "mail-template-edit", "mail-template-error",
  "bulk-confirm", "bulk-task", "imports", "import-preview", "import-batch", "import-undo", "import-mapping",
  "qr-make", "qr", "qr-letter", "access-list", "access-new", "access-set", "access-letters", "join",
  "join-errors", "join-used", "registration", "registration-import", "register", "register-no-match",
  "reset", "confirm", "confirm-done", "email-question", "request-access", "request-sent", "requests", "letters"]);
const checked = new Set();
if (shotDir) mkdirSync(shotDir, { recursive: true });

const browser = await chromium.launch({
  executablePath: chromiumPath,
  args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"],
});

/** A browser tab that records console errors and failed answers. */
async function tab(viewport, javaScriptEnabled = true) {
  const context = await browser.newContext({ viewport, javaScriptEnabled, locale: "de-DE" });
  const page = await context.newPage();
  page.setDefaultTimeout(15000);
  const label = `${viewport.width}${javaScriptEnabled ? "" : "-nojs"}`;
  // The status of the page itself: a refused form answers 422 on purpose,
  // which Chromium reports as "Failed to load resource" for the document.
  let documentStatus = 200;
  page.on("response", (res) => {
    if (res.request().isNavigationRequest() && res.frame() === page.mainFrame()) documentStatus = res.status();
  });
  page.on("console", (msg) => {
    if (msg.type() !== "error") return;
    const own = `the server responded with a status of ${documentStatus} `;
    // 422: a refused form; 410: a used or dead link. Both are the page's own answer.
    if ([410, 422].includes(documentStatus) && msg.text().includes(own) && msg.location().url === page.url()) return;
    problems.push(`[${label}] console error on ${page.url()}: ${msg.text()} (${msg.location().url})`);
  });
  page.on("pageerror", (err) => problems.push(`[${label}] script error on ${page.url()}: ${err.message}`));
  page.on("response", (res) => {
    if (res.status() >= 500) problems.push(`[${label}] ${res.status()} for ${res.url()}`);
  });
  return { context, page, label, js: javaScriptEnabled, width: viewport.width };
}

/** Checks the page as it is now: axe, and a screenshot if asked for. */
async function check(t, name) {
  const { page, label } = t;
  const path = new URL(page.url()).pathname;
  if (t.js) {
    await page.evaluate(axeSource);
    const result = await page.evaluate(async () =>
      // eslint-disable-next-line no-undef
      await axe.run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"] } }));
    for (const v of result.violations) {
      const nodes = v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join("; ");
      problems.push(`[${label}] axe ${v.id} (${v.impact}) on ${path} (${name}): ${v.help} -- ${nodes}`);
    }
  }
  // Nothing may stick out sideways on a phone.
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  if (overflow > 1) problems.push(`[${label}] ${path} (${name}) is ${overflow}px wider than the screen`);
  checked.add(`${label} ${name}`);
  if (shotDir && t.js && SHOWN.has(name)) {
    await page.screenshot({ path: join(shotDir, `${name}-${t.width}.png`) });
  }
}

function expect(cond, what) {
  if (!cond) problems.push(what);
  return cond;
}

async function submit(page, selector = "form button[type=submit].primary") {
  await Promise.all([page.waitForNavigation(), page.click(selector)]);
}

async function signIn(t, username, password) {
  await t.page.goto(`${base}/login`);
  await check(t, "login");
  await t.page.fill("#identifier", username);
  await t.page.fill("#password", password);
  await submit(t.page);
}

/** The newest invitation link in the in-app mailbox for this address (the
 *  worker delivers within a second or two). */
async function invitationLink(page, address) {
  for (let i = 0; i < 40; i++) {
    await page.goto(`${base}/mail/mailbox`);
    const href = await page.$$eval("tbody tr", (rows, a) => {
      const row = rows.find((r) => r.textContent.includes(a));
      return row ? row.querySelector("a").getAttribute("href") : null;
    }, address);
    if (href) {
      await page.goto(`${base}${href}`);
      return page.getAttribute("[data-mail-link]", "href");
    }
    await page.waitForTimeout(250);
  }
  return null;
}

/** The link of the newest mail to `address` whose link goes to `path`. */
async function mailLink(page, address, path) {
  for (let i = 0; i < 40; i++) {
    await page.goto(`${base}/mail/mailbox`);
    const hrefs = await page.$$eval("tbody tr", (rows, a) =>
      rows.filter((r) => r.textContent.includes(a)).map((r) => r.querySelector("a").getAttribute("href")), address);
    for (const href of hrefs) {
      await page.goto(`${base}${href}`);
      const link = await page.getAttribute("[data-mail-link]", "href").catch(() => null);
      if (link && new URL(link).pathname.startsWith(path)) return link;
    }
    await page.waitForTimeout(250);
  }
  return null;
}

/** What Debian's zbarimg reads in a PNG (a code as the browser drew it). */
function zbar(png) {
  const dir = mkdtempSync(join(tmpdir(), "einlass-qr-"));
  const file = join(dir, "code.png");
  writeFileSync(file, png);
  try {
    return execFileSync("zbarimg", ["-q", "--raw", "-Sbinary", file]).toString().trim();
  } catch (e) {
    problems.push(`zbarimg could not read the code on screen: ${e.message}`);
    return null;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** An invitee on his own device: opens the link, sets a password, is in. */
async function invitee(viewport, js, link, name) {
  const t = await tab(viewport, js);
  const { page } = t;
  // Links are built from the public base URL; reach it through this server.
  await page.goto(base + new URL(link).pathname);
  expect(new URL(page.url()).pathname === "/activate", `the link moves to a clean URL (${page.url()})`);
  await check(t, "activate");
  await page.fill("#password", "zu-kurz");
  await page.fill("#password_repeat", "anders");
  await submit(page);
  expect(await page.$("#password-error") !== null, "the password rule is told at the field");
  await check(t, "activate-errors");
  await page.fill("#password", "Gartenhaus-Ahorn-31");
  await page.fill("#password_repeat", "Gartenhaus-Ahorn-31");
  await submit(page);
  expect(new URL(page.url()).pathname === "/welcome", `activated and in (${page.url()})`);
  await check(t, "welcome");
  expect((await page.textContent("h1")).includes("Sie sind drin"), "the welcome says so");
  expect(((await page.getAttribute("main a.button", "href")) || "").startsWith("https://app.sonnenhof.example"),
    "on to the organisation's app");
  await page.goto(`${base}/me`);
  await check(t, "me");
  expect((await page.textContent("main")).includes(name), "his own page shows him");
  // The link is used up now.
  await page.goto(base + new URL(link).pathname);
  await check(t, "link-used");
  expect((await page.textContent("h1")).includes("schon benutzt"), "a used link says so");
  await page.goto(`${base}/me`);
  await Promise.all([page.waitForNavigation(), page.click("form[action='/logout'] button")]);
  await page.goto(`${base}/forgot`);
  await check(t, "forgot");
  await page.fill("#identifier", name);
  await submit(page);
  await check(t, "forgot-sent");
  await t.context.close();
}

/** Follows a mailed link on the person's device and submits its page's
 *  form: a password reset (`/reset`) or an address confirmation
 *  (`/confirm`). */
async function followLink(viewport, js, link, name) {
  const t = await tab(viewport, js);
  const { page } = t;
  await page.goto(base + new URL(link).pathname);
  const path = new URL(page.url()).pathname;
  expect(path === `/${name}`, `the ${name} link moves to /${name} (${page.url()})`);
  await check(t, name);
  if (name === "reset") {
    await page.fill("#password", "Neues-Gartenhaus-77");
    await page.fill("#password_repeat", "Neues-Gartenhaus-77");
    await submit(page);
    expect(new URL(page.url()).pathname === "/welcome", `a new password and in (${page.url()})`);
  } else {
    await submit(page);
    await check(t, "confirm-done");
    expect(await page.$("[data-confirmed]") !== null, "the address is confirmed");
  }
  await t.context.close();
}

/** A person with a start password signs in the first time: his own
 *  password, then the question for an address, which he skips. */
async function firstSignIn(viewport, js, username, password) {
  const t = await tab(viewport, js);
  const { page } = t;
  await signIn(t, username, password);
  expect(new URL(page.url()).pathname === "/me/password", `a new password first (${page.url()})`);
  await page.fill("#current_password", password);
  await page.fill("#new_password", "Eigenes-Gartenhaus-58");
  await page.fill("#repeat_password", "Eigenes-Gartenhaus-58");
  await submit(page);
  expect(new URL(page.url()).pathname === "/me/email", `then the question for an address (${page.url()})`);
  await check(t, "email-question");
  await Promise.all([page.waitForNavigation(), page.click("[data-skip]")]);
  expect(new URL(page.url()).pathname === "/welcome", `skipped, in (${page.url()})`);
  await t.context.close();
}

/** Someone without an account asks for one (open registration). */
async function requester(viewport, js, n) {
  const t = await tab(viewport, js);
  const { page } = t;
  await page.goto(`${base}/login`);
  await Promise.all([page.waitForNavigation(), page.click("a[href='/request-access']")]);
  await check(t, "request-access");
  await page.fill("#first_name", "Rahel");
  await page.fill("#last_name", `Anfrage${n}${js ? "" : "n"}`);
  await page.fill("#username", `rahel.${n}${js ? "" : "n"}`);
  await page.fill("#message", "Küche, Frühschicht");
  await page.fill("#password", "Gartenhaus-Ahorn-31");
  await page.fill("#password_repeat", "Gartenhaus-Ahorn-31");
  await submit(page);
  expect(await page.$("[data-request-sent]") !== null, "the request is received");
  await check(t, "request-sent");
  await t.context.close();
}

/** Someone without an account on his phone: opens an access link,
 *  registers (first without a way to sign in, which is told), is in; the
 *  link is used up then. */
async function joiner(viewport, js, link, username) {
  const t = await tab(viewport, js);
  const { page } = t;
  await page.goto(base + new URL(link).pathname);
  expect(new URL(page.url()).pathname === "/join", `the access link moves to a clean URL (${page.url()})`);
  await check(t, "join");
  await page.fill("#first_name", "Jana");
  await page.fill("#last_name", "Zugang");
  await page.fill("#password", "Gartenhaus-Ahorn-31");
  await page.fill("#password_repeat", "Gartenhaus-Ahorn-31");
  await submit(page);
  expect(await page.$("#email-error") !== null, "an address or a username is asked for at the field");
  await check(t, "join-errors");
  expect(await page.inputValue("#first_name") === "Jana", "the name stays filled in");
  await page.fill("#username", username);
  await page.fill("#email", `${username}@example.org`);
  await page.fill("#password", "Gartenhaus-Ahorn-31");
  await page.fill("#password_repeat", "Gartenhaus-Ahorn-31");
  await submit(page);
  expect(new URL(page.url()).pathname === "/welcome",
    `registered and in (${page.url()}: ${(await page.textContent("main")).replace(/\s+/g, " ")})`);
  await page.goto(`${base}/me`);
  expect((await page.textContent("main")).includes(username), "his own page shows his username");
  await Promise.all([page.waitForNavigation(), page.click("form[action='/logout'] button")]);
  await page.goto(base + new URL(link).pathname);
  await check(t, "join-used");
  expect((await page.textContent("h1")).includes("schon benutzt"), "a used access link says so");
  await t.context.close();
}

/** Someone on the whitelist on his phone: from the sign-in page to the
 *  registration, a wrong personnel number first (one neutral message),
 *  then the right one; in. */
async function registrant(viewport, js, last, number, username) {
  const t = await tab(viewport, js);
  const { page } = t;
  await page.goto(`${base}/login`);
  await Promise.all([page.waitForNavigation(), page.click("a[href='/register']")]);
  await check(t, "register");
  const fill = async (num) => {
    await page.fill("#first_name", "wilma");
    await page.fill("#last_name", last);
    await page.fill("#personnel_number", num);
    await page.fill("#username", username);
    await page.fill("#password", "Gartenhaus-Ahorn-31");
    await page.fill("#password_repeat", "Gartenhaus-Ahorn-31");
    await submit(page);
  };
  await fill(`${number}9`);
  expect(await page.$("[data-no-match]") !== null, "a mismatch gets the neutral message");
  await check(t, "register-no-match");
  expect(await page.inputValue("#last_name") === last, "the details stay filled in");
  await fill(number);
  expect(new URL(page.url()).pathname === "/welcome", `registered through the whitelist (${page.url()})`);
  await t.context.close();
}

/** The whole day at one size. `first` does the setup; later runs sign in. */
async function day(viewport, first) {
  const t = await tab(viewport);
  const { page } = t;
  const n = viewport.width; // keeps names apart between the runs
  if (first) {
    await page.goto(`${base}${setupPath}`);
    expect(new URL(page.url()).pathname === "/setup", "the setup link moves to a clean URL");
    await check(t, "setup");
    // Everything wrong at once: the summary lists each field and takes focus.
    await submit(page);
    const summary = await page.$$eval("[data-error-summary] li", (li) => li.length);
    expect(summary >= 4, `an empty setup form lists every error (${summary})`);
    expect(await page.evaluate(() => document.activeElement?.hasAttribute("data-error-summary")),
      "the error summary has the focus");
    await check(t, "setup-errors");
    await page.fill("#first_name", "Petra");
    await page.fill("#last_name", "Schneider");
    await page.fill("#username", "petra");
    await page.fill("#email", "petra.schneider@example.org");
    await page.fill("#password", "Sonnenblume-2026");
    await page.fill("#password_repeat", "Sonnenblume-2026");
    await submit(page);
  } else {
    await signIn(t, "petra", "Sonnenblume-2026");
  }
  expect(new URL(page.url()).pathname === "/", `signed in and on the overview (${page.url()})`);
  await check(t, "dashboard");

  // Settings: name, a light colour (a readable shade is used), time zone.
  await page.goto(`${base}/settings`);
  await check(t, "settings");
  await page.fill("#organisation_name", "Pflegeheim Sonnenhof");
  // The second run picks a yellow that needs a darker shade for text (axe checks the contrast).
  await page.fill("#brand_colour", first ? "#2e7d32" : "#ffeb3b");
  await page.selectOption("#time_zone", "Europe/Berlin");
  await page.fill("#app_name", "Sonnenhof-App");
  await page.fill("#app_url", "https://app.sonnenhof.example");
  await submit(page);
  expect((await page.textContent(".flash")) !== null, "settings saved with a message");

  // Groups and areas.
  // On the phone run also a group with a long unbroken name: it must wrap,
  // not widen the page (the user form lists every group).
  const units = [["/groups", `Pflege ${n}`], ["/groups", `Küche ${n}`], ["/areas", `Haus A ${n}`]];
  if (!first) units.push(["/groups", "L".repeat(80)]);
  for (const [path, name] of units) {
    await page.goto(`${base}${path}`);
    await page.fill("#name", name);
    await submit(page);
    expect(new URL(page.url()).pathname === path, `back on ${path} after creating ${name}`);
  }
  await check(t, "groups");

  // A user with errors first: bad address and no last name.
  await page.goto(`${base}/users/new`);
  await check(t, "user-new");
  await page.fill("#first_name", "Anna");
  await page.fill("#email", "anna.mueller-at-example.org");
  await submit(page, "button[name=then][value=new]");
  expect(await page.$("#last_name-error") !== null && await page.$("#email-error") !== null,
    "both errors at once");
  await check(t, "user-new-errors");
  await page.fill("#last_name", "Müller");
  await page.fill("#email", `anna.mueller.${n}@example.org`);
  const pflege = await page.$(`label:has-text("Pflege ${n}") input`);
  if (expect(pflege !== null, "the group is offered")) await pflege.check();
  await submit(page, "button[name=then][value=new]");
  expect(new URL(page.url()).pathname === "/users/new", "ready for the next user");
  expect(await page.isChecked(`label:has-text("Pflege ${n}") input`), "the chosen group is kept");
  await page.fill("#first_name", "Bernd");
  await page.fill("#last_name", "Özdemir");
  await page.check("input[name=start_password_mode][value=generate]");
  await submit(page, "button[name=then][value=close]");
  expect(/\/users\/\d+\/credentials$/.test(new URL(page.url()).pathname), "the credentials sheet comes by redirect");
  await check(t, "credentials");
  expect(await page.isVisible("[data-print]") === t.js, "print only with script");
  const berndName = (await page.textContent("dl code")).trim();
  const berndPassword = (await page.textContent("#start-password")).trim();
  await submit(page, "form[action$='/credentials/done'] button");
  await firstSignIn(viewport, t.js, berndName, berndPassword);

  // Gerda has no email: her link goes on paper as a QR code. The code as the
  // browser shows it is read with zbarimg, and a phone activates with it.
  await page.goto(`${base}/users/new`);
  await page.fill("#first_name", "Gerda");
  await page.fill("#last_name", `Papier${n}`);
  await page.check("input[name=start_password_mode][value=none]");
  await submit(page, "button[name=then][value=close]");
  await page.goto(`${base}/users?q=${encodeURIComponent(`Papier${n}`)}`);
  await Promise.all([page.waitForNavigation(), page.click("td.name a")]);
  await Promise.all([page.waitForNavigation(), page.click("main a[href$='/qr']")]);
  await check(t, "qr-make");
  await submit(page, "form[action$='/qr'] button.primary");
  await check(t, "qr");
  expect(await page.isVisible("[data-copy-link]") === t.js, "copy buttons only with script");
  const shown = await page.inputValue("#qr-link");
  const read = zbar(await page.locator("img.qr-code").screenshot());
  expect(read === shown, `the code on screen holds the link shown (${read} / ${shown})`);
  await Promise.all([page.waitForNavigation(), page.click("a[href$='/qr/letter']")]);
  await check(t, "qr-letter");
  expect((await page.textContent(".letter")).includes(shown), "the letter has the link to type");
  if (read) await invitee({ width: 360, height: 640 }, t.js, read, `gerda.papier${n}`);

  // Access links for temps who have no account yet: two, granting a group;
  // the letter's code as Chromium shows it is read with zbarimg, and a
  // phone registers with it.
  await page.goto(`${base}/access-links/new`);
  await check(t, "access-new");
  await page.fill("#count", "0");
  await submit(page);
  expect(await page.$("#count-error") !== null, "a wrong number of links is told at the field");
  await page.fill("#count", "2");
  await page.fill("#label", `Aushilfen ${n}`);
  if ((await page.$$("#group option")).length > 1) await page.selectOption("#group", { index: 1 });
  await submit(page);
  expect(/^\/access-links\/\d+$/.test(new URL(page.url()).pathname), `the set's page (${page.url()})`);
  await check(t, "access-set");
  expect(await page.isVisible("[data-copy-link]") === t.js, "'Alle Links kopieren' only with script");
  const urls = (await page.inputValue("#access-urls")).split("\n");
  expect(urls.length === 2, `two links shown: ${urls}`);
  await Promise.all([page.waitForNavigation(), page.click("a[href$='/letters']")]);
  await check(t, "access-letters");
  const onLetter = zbar(await page.locator("img.letter-code").first().screenshot());
  expect(onLetter === urls[0], `the first letter's code holds the first link (${onLetter} / ${urls[0]})`);
  await joiner(viewport, t.js, urls[0], `jana.zugang${n}`);
  const confirmLink = await mailLink(page, `jana.zugang${n}@example.org`, "/c/");
  if (expect(confirmLink !== null, "the confirmation link is in the mailbox")) {
    await followLink(viewport, t.js, confirmLink, "confirm");
  }
  await page.goto(`${base}/access-links`);
  await check(t, "access-list");
  expect((await page.textContent("main")).includes(`Aushilfen ${n}`), "the set is listed");

  // The whitelist: a list imported (a CSV as Excel writes it), one entry by
  // form; a phone registers with those details.
  await page.goto(`${base}/registration`);
  await page.setInputFiles("#file", {
    name: `liste-${n}.csv`, mimeType: "text/csv",
    buffer: Buffer.from(`Vorname;Nachname;Personalnummer\r\nImke;Import${n};I-${n}\r\n;Ohne${n};X-${n}\r\n`, "latin1"),
  });
  await submit(page, "form[action='/registration/imports'] button.primary");
  expect(/^\/registration\/imports\/\d+$/.test(new URL(page.url()).pathname), `the import's preview (${page.url()})`);
  await check(t, "registration-import");
  expect(await page.$("[data-count=new]") !== null && (await page.textContent("[data-count=new]")) === "1", "one new row");
  await submit(page, "form[action$='/commit'] button");
  await page.goto(`${base}/registration`);
  await page.fill("#first_name", "Wilma");
  await page.fill("#last_name", `Liste${n}`);
  await page.fill("#personnel_number", `W-${n}`);
  await submit(page, "form[action='/registration/entries'] button.primary");
  await check(t, "registration");
  expect((await page.textContent("main")).includes(`Liste${n}, Wilma`), "the entry is listed");
  expect((await page.textContent("main")).includes(`Import${n}, Imke`), "the imported entry is listed");
  await registrant(viewport, t.js, `Liste${n}`, `W-${n}`, `wilma.liste${n}`);

  // QR letters for a whole group, as printed: Lotte (no address) is in
  // the kitchen with Jana (active already: no letter for her).
  await page.goto(`${base}/users/new`);
  await page.fill("#first_name", "Lotte");
  await page.fill("#last_name", `Brief${n}`);
  await page.check(`label:has-text("Küche ${n}") input`);
  await page.check("input[name=start_password_mode][value=none]");
  await submit(page, "button[name=then][value=close]");
  await page.goto(`${base}/groups`);
  await Promise.all([page.waitForNavigation(), page.click(`a:has-text("Küche ${n}")`)]);
  await submit(page, "[data-letters-for-members] button");
  await submit(page, "form[action='/users/bulk/run'] button.primary");
  expect(/^\/letters\/\d+$/.test(new URL(page.url()).pathname), `the group's letters (${page.url()})`);
  await check(t, "letters");
  expect((await page.textContent("main")).includes(`Brief${n}`), "Lotte's letter");

  // Open registration: a request, then its approval in the dashboard queue.
  await page.goto(`${base}/settings`);
  if (!(await page.isChecked("#open_registration"))) {
    await page.check("#open_registration");
    await submit(page, "form[action='/settings'] button.primary");
  }
  await requester(viewport, t.js, n);
  await page.goto(`${base}/`);
  await check(t, "requests");
  const row = page.locator(`tr:has-text("Anfrage${n}")`).first();
  await Promise.all([page.waitForNavigation(), row.locator("form[action$='/approve'] button").click()]);
  expect((await page.textContent("main")).includes("Genehmigt"), "approved");

  // Carla is invited at once; her mail lands in the in-app mailbox (no SMTP
  // server here), and she activates on her own device.
  await page.goto(`${base}/users/new`);
  await page.fill("#first_name", "Carla");
  await page.fill("#last_name", `Neu${n}`);
  await page.fill("#email", `carla.${n}@example.org`);
  await page.check("input[name=start_password_mode][value=invite_now]");
  await submit(page, "button[name=then][value=close]");
  await page.goto(`${base}/users?q=${encodeURIComponent(`carla.${n}`)}`);
  await Promise.all([page.waitForNavigation(), page.click("td.name a")]);
  expect((await page.textContent("[data-invitation]")).includes("eingeladen bis"), "the invitation at a glance");
  const link = await invitationLink(page, `carla.${n}@example.org`);
  await check(t, "mailbox-message");
  if (expect(link !== null, "the invitation is in the mailbox")) {
    await invitee(viewport, true, link, `carla.neu${n}`);
    const reset = await mailLink(page, `carla.${n}@example.org`, "/r/");
    if (expect(reset !== null && reset.includes("/r/"), `the reset link is in the mailbox (${reset})`)) {
      await followLink(viewport, true, reset, "reset");
    }
  }
  await page.goto(`${base}/users?q=${encodeURIComponent(`carla.${n}`)}`);
  await Promise.all([page.waitForNavigation(), page.click("td.name a")]);
  expect((await page.textContent("h1")).includes("aktiv"), "Carla is aktiv");
  await check(t, "user-invited");

  // Search, folded like a phone book, and filters.
  await page.goto(`${base}/users?q=${encodeURIComponent("Mueller, Anna")}`);
  const found = await page.$$eval("td.name a", (a) => a.map((x) => x.textContent));
  expect(found.length > 0 && found.every((f) => f === "Müller, Anna"), `'Mueller, Anna' finds Anna Müller: ${found}`);
  await page.goto(`${base}/users`);
  await check(t, "users");
  if (viewport.width < 800) {
    expect(!(await page.$eval("details.more-filters", (d) => d.open)), "filters folded on a phone");
    await page.click("details.more-filters > summary");
  }
  await page.selectOption("#status", "angelegt");
  await submit(page, "details.more-filters button[type=submit]");
  expect(await page.$eval("details.more-filters", (d) => d.open), "filters open while one is set");
  await check(t, "users-filtered");

  // Edit Anna, give her an area, deactivate, reactivate.
  await page.goto(`${base}/users?q=${encodeURIComponent(`anna.mueller.${n}`)}`);
  await Promise.all([page.waitForNavigation(), page.click("td.name a")]);
  const annaUrl = page.url();
  await check(t, "user");
  await Promise.all([page.waitForNavigation(), page.click("a[href^='/users/'][href$='/edit']")]);
  await check(t, "user-edit");
  await page.fill("#personnel_number", `P-${n}`);
  await submit(page);
  await Promise.all([page.waitForNavigation(), page.click("a[href^='/users/'][href$='/areas']")]);
  await check(t, "user-areas");
  await page.check("input[name=area]");
  await submit(page);
  await Promise.all([page.waitForNavigation(), page.click("form[action$='/deactivate'] button")]);
  expect((await page.textContent("h1")).includes("deaktiviert"), "deactivated");
  await Promise.all([page.waitForNavigation(), page.click("form[action$='/reactivate'] button")]);

  // Bernd goes: the delete page asks first.
  await page.goto(`${base}/users?q=${encodeURIComponent("Özdemir")}`);
  await Promise.all([page.waitForNavigation(), page.click("td.name a")]);
  await Promise.all([page.waitForNavigation(), page.click("a[href^='/users/'][href$='/delete']")]);
  await check(t, "user-delete");
  await submit(page, "form[action$='/delete'] button.danger");
  expect(new URL(page.url()).pathname === "/users", "back on the list after deleting");

  // Dora is created to be invited later; "Alle neu angelegten Benutzer
  // einladen" starts a background task whose page refreshes itself until
  // it is done, then says what it did.
  await page.goto(`${base}/users/new`);
  await page.fill("#first_name", "Dora");
  await page.fill("#last_name", `Später${n}`);
  await page.fill("#email", `dora.${n}@example.org`);
  await page.check("input[name=start_password_mode][value=none]");
  await submit(page, "button[name=then][value=close]");
  await page.goto(`${base}/users`);
  await submit(page, "form[action='/users/invite-created'] button");
  expect(/^\/tasks\/\d+$/.test(new URL(page.url()).pathname), `the task page: ${page.url()}`);
  await page.waitForSelector("[data-task-state=fertig]", { timeout: 20000 });
  await check(t, "task");
  expect((await page.textContent("[data-count=done]")).trim() !== "0", "the task says how many it invited");
  expect(await invitationLink(page, `dora.${n}@example.org`) !== null, "Dora's invitation is in the mailbox");
  // The email log lists her mail; its Info shows it with the link masked.
  await page.goto(`${base}/mail/log?recipient=${encodeURIComponent(`dora.${n}`)}`);
  await check(t, "mail-log");
  await Promise.all([page.waitForNavigation(), page.click("[data-mail-log] td.email a")]);
  await check(t, "mail-log-message");
  expect((await page.textContent("[data-text-part]")).includes("••••••••"), "the log masks the link");
  // "Erneut senden": a fresh link; the page of the copy says so.
  await submit(page, "[data-resend] button[type=submit]");
  await check(t, "mail-resent");
  expect((await page.textContent(".flash")).includes("Erneut gesendet"), "the copy is shown");
  await page.goto(`${base}/mail/blocked`);
  await check(t, "mail-blocked");
  // The templates: the list, the editor with its preview.
  await page.goto(`${base}/mail/templates`);
  await check(t, "mail-templates");
  await Promise.all([page.waitForNavigation(), page.click("[data-template=invitation-de] a")]);
  await check(t, "mail-template-edit");
  await page.fill("#body", "Ohne Link");
  await submit(page, ".template-form button.primary");
  await check(t, "mail-template-error");
  expect((await page.textContent("#body-error")).includes("{{link}}"), "the missing link is named");
  // A bulk action on the list: choose Dora's row, "erneut senden", confirm.
  await page.goto(`${base}/users?q=${encodeURIComponent(`dora.${n}`)}`);
  await page.check("td.select input[type=checkbox]");
  await page.selectOption("#bulk-action", "resend");
  await submit(page, "#bulk button[type=submit]");
  await check(t, "bulk-confirm");
  expect((await page.textContent("[data-count=affected]")).trim() === "1", "one person affected");
  await submit(page, "form[action='/users/bulk/run'] button[type=submit]");
  expect(/^\/tasks\/\d+$/.test(new URL(page.url()).pathname), `the bulk task page: ${page.url()}`);
  await page.waitForSelector("[data-task-state=fertig]", { timeout: 20000 });
  await check(t, "bulk-task");

  // Import from a spreadsheet: upload, the preview with its reasons, the
  // commit, the batch and its undo page; a file with unknown titles asks
  // for the mapping.
  await page.goto(`${base}/users`);
  await Promise.all([page.waitForNavigation(), page.click("a[href='/imports']")]);
  await check(t, "imports");
  const rows = ["Anrede;Vorname;Nachname;E-Mail;Personalnummer;Gruppen",
    `Frau;Ines;Import${n};ines.${n}@example.org;I-${n}-1;`,
    `Herr;Jan;Import${n};jan.${n}@example.org;I-${n}-2;`,
    `;Kai;Import${n};kai.${n}(at)example.org;I-${n}-3;`,
    `Frau;Lea;Import${n};ines.${n}@example.org;I-${n}-4;`,
    `Herr;Max;Import${n};max.${n}@example.org;I-${n}-5;Gibt es nicht`];
  await page.setInputFiles("#file", { name: `liste-${n}.csv`, mimeType: "text/csv", buffer: Buffer.from(rows.join("\r\n"), "utf8") });
  await submit(page, "form.upload button[type=submit]");
  await check(t, "import-preview");
  expect(await page.$$eval("table[data-preview] tbody tr", (r) => r.length) === 5, "five rows in the preview");
  await submit(page, "button[data-commit]");
  await check(t, "import-batch");
  expect((await page.textContent("[data-count=created]")).trim() === "1", "Jan is the one new person");
  const batchUrl = page.url();
  await page.goto(`${batchUrl}/undo`);
  await check(t, "import-undo");
  await page.goto(`${base}/imports`);
  await page.setInputFiles("#file", { name: "wer.csv", mimeType: "text/csv", buffer: Buffer.from(`Wer;Womit\r\nIda;ida.${n}@example.org\r\n`, "utf8") });
  await submit(page, "form.upload button[type=submit]");
  await check(t, "import-mapping");
  await Promise.all([page.waitForNavigation(), page.click("form[action$='/discard'] button")]);

  // A group with a member goes only after its confirmation.
  await page.goto(`${base}/groups`);
  await Promise.all([page.waitForNavigation(), page.click(`a:has-text("Pflege ${n}")`)]);
  await check(t, "group");
  await page.fill("#find", "Müller");
  await submit(page, "form[role=search] button");
  await check(t, "group-search");
  await Promise.all([page.waitForNavigation(), page.click("a.button.danger")]);
  await check(t, "group-delete");

  // The audit log reads as sentences.
  await page.goto(`${base}/audit`);
  await check(t, "audit");
  expect((await page.textContent("main")).includes("hat"), "sentences in German");

  // English, and back.
  await page.goto(annaUrl);
  await Promise.all([page.waitForNavigation(), page.click("form[action='/lang'] button")]);
  expect(await page.getAttribute("html", "lang") === "en", "English after the switch");
  expect(page.url() === annaUrl, "the same page after the switch");
  await check(t, "user-en");
  await page.goto(`${base}/audit`);
  await check(t, "audit-en");
  await Promise.all([page.waitForNavigation(), page.click("form[action='/lang'] button")]);

  // Sign out.
  await Promise.all([page.waitForNavigation(), page.click("form[action='/logout'] button")]);
  expect(new URL(page.url()).pathname === "/login", "signed out");
  await page.goto(`${base}/users`);
  expect(new URL(page.url()).pathname === "/login", "the list needs a session again");
  await t.context.close();
}

/** Without JavaScript: the same forms work. */
async function withoutScript() {
  const t = await tab({ width: 360, height: 640 }, false);
  const { page } = t;
  await signIn(t, "petra", "Sonnenblume-2026");
  expect(new URL(page.url()).pathname === "/", "signs in without script");
  await page.goto(`${base}/users/new`);
  await page.fill("#first_name", "Clara");
  await page.fill("#last_name", "Ohneskript");
  await page.check("input[name=start_password_mode][value=generate]");
  await submit(page, "button[name=then][value=close]");
  expect(await page.$("#start-password") !== null, "the credentials sheet without script");
  expect(!(await page.isVisible("[data-print]")), "no dead print button without script");
  await page.goto(`${base}/users?status=angelegt`);
  expect(await page.$eval("details.more-filters", (d) => d.open), "filters open while set, without script");
  await page.goto(`${base}/settings`);
  expect(!(await page.isVisible("input[type=color]")), "no colour picker without script, the field remains");
  await check(t, "settings-nojs");
  // An invitee without script activates just the same.
  await page.goto(`${base}/users/new`);
  await page.fill("#first_name", "Dieter");
  await page.fill("#last_name", "Ohneskript");
  await page.fill("#email", "dieter@example.org");
  await page.check("input[name=start_password_mode][value=invite_now]");
  await submit(page, "button[name=then][value=close]");
  const link = await invitationLink(page, "dieter@example.org");
  if (expect(link !== null, "the invitation is in the mailbox")) {
    await invitee({ width: 360, height: 640 }, false, link, "dieter.ohneskript");
    const reset = await mailLink(page, "dieter@example.org", "/r/");
    if (expect(reset !== null && reset.includes("/r/"), "the reset link is in the mailbox")) {
      await followLink({ width: 360, height: 640 }, false, reset, "reset");
    }
  }
  // An access link, the whitelist and a request, all without script.
  await page.goto(`${base}/access-links/new`);
  await page.fill("#count", "1");
  await submit(page);
  const only = (await page.inputValue("#access-urls")).trim();
  await joiner({ width: 360, height: 640 }, false, only, "jana.ohneskript");
  await page.goto(`${base}/registration`);
  await page.fill("#first_name", "Wilma");
  await page.fill("#last_name", "Ohneskript");
  await page.fill("#personnel_number", "W-NOJS");
  await submit(page, "form[action='/registration/entries'] button.primary");
  await registrant({ width: 360, height: 640 }, false, "Ohneskript", "W-NOJS", "wilma.ohneskript");
  await requester({ width: 360, height: 640 }, false, "nojs");
  await Promise.all([page.waitForNavigation(), page.click("form[action='/logout'] button")]);
  await t.context.close();
}

try {
  await day({ width: 1280, height: 800 }, true);
  await day({ width: 360, height: 640 }, false);
  await withoutScript();
} catch (err) {
  problems.push(`the walk stopped: ${err.stack || err}`);
} finally {
  await browser.close();
}

console.log(`checked ${checked.size} page states`);
if (problems.length > 0) {
  for (const p of problems) console.log(`PROBLEM ${p}`);
  process.exit(1);
}
console.log("first day: no problems");
