// Drives the terminal's counter, hall and ticket pages in Debian's headless Chromium.
//
//   node queue_pages.mjs check BASE PIN TOKEN
//     logs in on the counter page, chooses counter 1, calls next; the hall page must show
//     the call within a second (a wait-until); the ticket page of TOKEN (the next ticket) must say it is
//     next. Prints one JSON line with what it saw; exits 1 with the reason otherwise.
//
//   node queue_pages.mjs bench BASE PIN ROUNDS
//     logs in, then ROUNDS times: call next from the counter page, time until the hall page
//     shows the call. Prints one JSON line with every round's milliseconds.
import { chromium } from "playwright-core";

const [mode, base, pin, arg] = process.argv.slice(2);

// The recipe proven on this machine (see reference/video.md): Debian's browser, headless.
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  headless: true,
  args: [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-dev-shm-usage",
    "--autoplay-policy=no-user-gesture-required",
  ],
});

// Times are taken inside the pages (both pages share the browser's clock): the moment the
// button is clicked and the moment the hall's call text changes. Playwright's own round trips
// are not counted.
async function armTimers(counter, hall) {
  await counter.evaluate(() => {
    window.__clickedAt = null;
    document.getElementById("call-next").addEventListener(
      "click", () => { window.__clickedAt = Date.now(); }, { capture: true, once: true });
  });
  await hall.evaluate(() => {
    window.__changedAt = null;
    const node = document.getElementById("call-text");
    const before = node.textContent;
    const observer = new MutationObserver(() => {
      if (node.textContent !== before && window.__changedAt === null) {
        window.__changedAt = Date.now();
        observer.disconnect();
      }
    });
    observer.observe(node, { childList: true, characterData: true, subtree: true });
  });
}

// Waits until the hall's call text has changed, at most `timeout` ms, then returns the time
// from the click to the change.
async function elapsed(counter, hall, timeout) {
  await hall.waitForFunction(() => window.__changedAt !== null, null, { timeout });
  const clicked = await counter.evaluate(() => window.__clickedAt);
  const changed = await hall.evaluate(() => window.__changedAt);
  return changed - clicked;
}

function fail(message) {
  console.error("queue_pages: " + message);
  process.exitCode = 1;
}

try {
  const context = await browser.newContext();
  const hall = await context.newPage();
  const counter = await context.newPage();
  await hall.goto(base + "/hall");
  // The hall is live once the waiting counts are drawn.
  await hall.waitForSelector("#waiting td[data-service]", { timeout: 10000 });

  await counter.goto(base + "/counter");
  await counter.fill("#name", "王芳");
  await counter.fill("#pin", pin);
  await counter.click("#login");
  await counter.click('#counter-choice button[data-counter="1"]', { timeout: 15000 });
  await counter.waitForSelector("#call-next:not([disabled])", { timeout: 10000 });

  if (mode === "check") {
    const token = arg;
    await armTimers(counter, hall);
    await counter.click("#call-next");
    // The bar: the hall shows the call within a second. A wait-until, not a measured
    // figure (the benchmark measures); the wait starts after Playwright's click returns.
    let hallMs;
    try {
      hallMs = await elapsed(counter, hall, 1000);
    } catch (e) {
      throw new Error("the hall page did not show the call within a second: " + e.message);
    }
    const callText = await hall.textContent("#call-text");
    const serving = await hall.textContent("#now-serving");
    // What the hall announced (spoken where the browser has the voices; headless has none).
    const announced = await hall.evaluate(() => window.__announced);
    await counter.waitForFunction(
      () => document.getElementById("current-number").textContent !== "—",
      null,
      { timeout: 5000 },
    );
    const current = await counter.textContent("#current-number");
    const waiting = await counter.textContent("#waiting-list");
    const counts = await counter.textContent("#counts");

    const ticket = await context.newPage();
    await ticket.goto(base + "/t/" + token);
    await ticket.waitForFunction(
      () => document.getElementById("number").textContent !== "—",
      null,
      { timeout: 5000 },
    );
    const ticketStatus = await ticket.textContent("#status");
    const ticketNumber = await ticket.textContent("#number");
    const ticketHtml = await ticket.content();
    console.log(JSON.stringify({
      hall_ms: hallMs, call_text: callText, serving, announced, current, waiting, counts,
      ticket_number: ticketNumber, ticket_status: ticketStatus, ticket_html: ticketHtml,
    }));
  } else if (mode === "bench") {
    const rounds = Number(arg);
    const times = [];
    for (let i = 0; i < rounds; i++) {
      await counter.waitForSelector("#call-next:not([disabled])", { timeout: 10000 });
      await armTimers(counter, hall);
      await counter.click("#call-next", { noWaitAfter: true });
      times.push(await elapsed(counter, hall, 5000));
      // Start, so the next call-next finishes this one.
      await counter.waitForSelector("#start:not([disabled])", { timeout: 5000 });
      await counter.click("#start");
      await counter.waitForSelector("#call-next:not([disabled])", { timeout: 5000 });
    }
    console.log(JSON.stringify({ hall_ms: times }));
  } else {
    fail("unknown mode " + mode);
  }
} catch (e) {
  fail(String(e && e.stack || e));
} finally {
  await browser.close();
}
