// The QR letters benchmark's browser part (benches/letters.sh runs it):
// Debian's Chromium signs in, confirms "QR-Briefe drucken" for every
// person `angelegt`, and times
//   - issue: the confirmation's POST until the letters page has loaded
//     with every code (links made, page and images served);
//   - ready: the letters page loaded again, every code image included;
//   - pdf: Chromium's print to PDF (A4), whose pages are counted;
// then writes the PDF for the script to check each page's code.
//
//   node benches/letters.mjs BASE_URL USERNAME PASSWORD OUT.pdf
import { writeFileSync } from "node:fs";
import { createRequire } from "node:module";

const require = createRequire(new URL("../tests/browser/package.json", import.meta.url));
const { chromium } = require("playwright-core");
const [base, username, password, out] = process.argv.slice(2);

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
});
const page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
page.setDefaultTimeout(120000);
await page.goto(`${base}/login`);
await page.fill("#identifier", username);
await page.fill("#password", password);
await Promise.all([page.waitForNavigation(), page.click("form button[type=submit].primary")]);

// The confirmation, as the user list's "all results of this filter" sends it.
await page.goto(`${base}/users?status=angelegt`);
let t = performance.now();
await page.evaluate(() => {
  const form = document.createElement("form");
  form.method = "post";
  form.action = "/users/bulk";
  const csrf = document.querySelector("input[name=csrf]").value;
  for (const [k, v] of [["csrf", csrf], ["action", "letters"], ["scope", "filter"], ["f_status", "angelegt"]]) {
    const input = document.createElement("input");
    input.type = "hidden"; input.name = k; input.value = v;
    form.appendChild(input);
  }
  document.body.appendChild(form);
  form.submit();
});
await page.waitForLoadState("load");
const confirmMs = performance.now() - t;
const affected = await page.textContent("[data-count=affected]");
// LETTERS_SHOTS=DIR: screenshots of the confirmation and the letters at
// 1280 and 360 px (a small run, e.g. 3 people, to look at them).
const shots = process.env.LETTERS_SHOTS;
async function shoot(name) {
  if (!shots) return;
  for (const width of [1280, 360]) {
    await page.setViewportSize({ width, height: width === 360 ? 640 : 900 });
    await page.screenshot({ path: `${shots}/${name}-${width}.png`, fullPage: width === 360 && name !== "letters" });
  }
  await page.setViewportSize({ width: 1280, height: 900 });
}
await shoot("letters-confirm");

t = performance.now();
await Promise.all([page.waitForNavigation({ waitUntil: "load" }), page.click("form[action='/users/bulk/run'] button[type=submit]")]);
const issueMs = performance.now() - t;
// The server's part: the confirmation's POST (links made) and the letters'
// HTML, up to its last byte.
const issueHtmlMs = await page.evaluate(() => {
  const nav = performance.getEntriesByType("navigation")[0];
  return nav.responseEnd - nav.startTime;
});
const letters = await page.$$eval("article.letter", (a) => a.length);
await shoot("letters");
const broken = await page.$$eval("img.letter-code", (imgs) => imgs.filter((i) => !i.complete || i.naturalWidth === 0).length);

t = performance.now();
await page.reload({ waitUntil: "load" });
const readyMs = performance.now() - t;
// Where the time went: the page itself and its code images, as the
// browser's resource timing saw them (server answer vs. all loaded).
const timing = await page.evaluate(() => {
  const nav = performance.getEntriesByType("navigation")[0];
  const images = performance.getEntriesByType("resource").filter((r) => r.initiatorType === "img");
  const waits = images.map((r) => r.responseStart - r.requestStart).sort((a, b) => a - b);
  return {
    html_ms: nav.responseEnd - nav.startTime,
    dom_ms: nav.domContentLoadedEventEnd - nav.startTime,
    images: images.length,
    last_image_ms: Math.max(0, ...images.map((r) => r.responseEnd)) - nav.startTime,
    image_wait_median_ms: waits[Math.floor(waits.length / 2)] || 0,
    load_ms: nav.loadEventEnd - nav.startTime,
  };
});

t = performance.now();
const pdf = await page.pdf({ format: "A4", printBackground: true });
const pdfMs = performance.now() - t;
writeFileSync(out, pdf);
const pages = (pdf.toString("latin1").match(/\/Type\s*\/Page[^s]/g) || []).length;

console.log(`affected=${affected.trim()} letters=${letters} images_not_loaded=${broken}`);
console.log(`confirm_ms=${confirmMs.toFixed(0)} issue_html_ms=${issueHtmlMs.toFixed(0)} issue_and_ready_ms=${issueMs.toFixed(0)} ready_ms=${readyMs.toFixed(0)}`);
console.log(Object.entries(timing).map(([k, v]) => `${k}=${typeof v === "number" ? v.toFixed(0) : v}`).join(" "));
console.log(`pdf_ms=${pdfMs.toFixed(0)} pdf_pages=${pages} pdf_bytes=${pdf.length}`);
await browser.close();
