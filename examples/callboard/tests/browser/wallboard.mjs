// Loads the web wallboard in Debian's chromium, headless, and reports what it shows.
//
//   node wallboard.mjs URL OUT_DIR
//
// Waits for the page to go live and for a second update over the event stream (a live update,
// not the first paint), then writes OUT_DIR/page.png (the whole page), OUT_DIR/board-N.png
// (each board's picture, an element screenshot at one device pixel per CSS pixel) and prints
// JSON: the status line, the updates seen, and the tables' rows as text (the queues', and the
// fleet's on a site that publishes to a broker). Then, told on stdin
// that the service has stopped, it waits for the page to say the connection is lost and
// prints the status line again.
import { chromium } from "playwright-core";

const [url, out] = process.argv.slice(2);
const browser = await chromium.launch({
  executablePath: "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--no-first-run"],
  timeout: 60000,
});
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 720 }, deviceScaleFactor: 1 });
  await page.goto(url, { waitUntil: "load", timeout: 30000 });
  await page.waitForSelector("#status.live", { timeout: 30000 });
  const first = Number(await page.getAttribute("body", "data-updates"));
  await page.waitForFunction((n) => Number(document.body.dataset.updates) > n, first, { timeout: 30000 });
  await page.screenshot({ path: `${out}/page.png`, fullPage: true });
  const boards = await page.$$("#boards figure img");
  for (let i = 0; i < boards.length; i++) {
    await boards[i].screenshot({ path: `${out}/board-${i}.png`, animations: "disabled" });
  }
  const report = await page.evaluate(() => ({
    status: document.getElementById("status").textContent,
    updates: Number(document.body.dataset.updates),
    at: Number(document.body.dataset.at),
    boards: [...document.querySelectorAll("#boards figure")].map((f) => f.dataset.board),
    rows: [...document.querySelectorAll("#queues tbody tr")].map((r) =>
      [...r.querySelectorAll("td")].map((td) => td.textContent)),
    // The fleet's table: hidden on a site without a broker.
    fleet_hidden: document.getElementById("fleet").hidden,
    fleet: [...document.querySelectorAll("#fleet-table tbody tr")].map((r) =>
      [...r.querySelectorAll("td")].map((td) => td.textContent)),
  }));
  // A phone's width: the page still lays out, the table scrolls inside its box.
  await page.setViewportSize({ width: 390, height: 844 });
  report.phone_overflow = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth + 1);
  await page.screenshot({ path: `${out}/phone.png` });
  // Told on stdin that the service has stopped, the page must say the connection is lost.
  console.log(JSON.stringify(report));
  await new Promise((resolve) => process.stdin.once("data", resolve));
  await page.waitForSelector("#status.lost", { timeout: 30000 });
  console.log(JSON.stringify({ status: await page.textContent("#status") }));
  process.stdin.destroy();
} finally {
  await browser.close();
}
