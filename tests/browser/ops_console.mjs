// An operator at the operations centre's console, in Debian's headless Chromium (1920×1080)
// driven by playwright-core. The Rust tests start it with the console's URL and the folder
// for screenshots, and send one command per line on standard input; each answer is one
// JSON line on standard output ({"ok": true, ...} or {"ok": false, "error": "..."}).
//
// Commands: login USER PASSWORD | logout | wait-row DEVICE STATE | rows |
//           wait-alert KIND COUNT MS | tab VIEW | open DEVICE | text | screenshot NAME |
//           command KIND ID ACTION [TEXT…] | import-csv FILE | add-entry KIND FIELD=VALUE… |
//           stats FROM TO | quit
import { chromium } from "playwright-core";
import { serve, until } from "./line_driver.mjs";

const [url, screenshots] = process.argv.slice(2);
const executablePath = process.env.CHROMIUM || "/usr/bin/chromium";

const browser = await chromium.launch({
  executablePath,
  args: ["--ignore-certificate-errors", "--no-sandbox", "--lang=zh-CN"],
});
const context = await browser.newContext({
  ignoreHTTPSErrors: true,
  viewport: { width: 1920, height: 1080 },
  deviceScaleFactor: 1,
  locale: "zh-CN",
});
const page = await context.newPage();
page.on("console", (m) => process.stderr.write(`[console] ${m.text()}\n`));
await page.goto(url);

const state = () => page.evaluate(() => window.opsConsole.state);

const commands = {
  async login(user, password) {
    await until(() => page.isVisible("#login-view"), "the login form");
    await page.fill("#username", user);
    await page.fill("#password", password);
    await page.click("#login");
    await until(async () => (await state()).fleet || (await page.textContent("#login-error")), "login");
    const error = await page.textContent("#login-error");
    if (error) throw new Error(error);
    return { who: await page.textContent("#who") };
  },
  async logout() {
    await page.click("#logout");
    await until(() => page.isVisible("#login-view"), "the login form");
    return {};
  },
  // The fleet table's row of DEVICE shows STATE (its data-state attribute).
  async "wait-row"(device, want) {
    const got = await until(async () => {
      const s = await page.getAttribute(`#fleet-rows tr[data-device-id="${device}"]`, "data-state").catch(() => null);
      return s === want ? s : null;
    }, `${device} in state ${want}`);
    return { state: got };
  },
  async rows() {
    const ids = await page.$$eval("#fleet-rows tr", (rows) => rows.map((r) => r.dataset.deviceId));
    return { rows: ids };
  },
  // The header's alert badge of KIND shows COUNT, within MS milliseconds.
  async "wait-alert"(kind, count, ms) {
    const started = Date.now();
    await until(async () => {
      const text = await page.textContent(`#counts [data-alert="${kind}"]`).catch(() => null);
      return text && text.trim().endsWith(` ${count}`);
    }, `${count} ${kind} alert(s)`, Number(ms));
    return { after_ms: Date.now() - started };
  },
  async tab(view) {
    await page.click(`#tabs button[data-view="${view}"]`);
    await until(() => page.isVisible(`#${view}`), view);
    await page.waitForTimeout(300);
    return {};
  },
  async open(device) {
    await page.evaluate(() => { window.opsConsole.state.terminal = null; });
    await page.click(`#fleet-rows tr[data-device-id="${device}"]`);
    await until(async () => (await state()).terminal, "the terminal's panel");
    const commands = await page.$$eval("#terminal-commands tr[data-command-id]", (rows) =>
      rows.map((r) => ({ command_id: r.dataset.commandId, state: r.dataset.state })));
    return { facts: await page.textContent("#terminal-facts"), commands };
  },
  // Sends a command from the console's form.
  async command(kind, id, action, ...text) {
    await page.evaluate(() => { window.opsConsole.state.lastSent = null; });
    await page.selectOption("#command-kind", kind);
    await page.fill("#command-target", id);
    await page.selectOption("#command-action", action);
    await page.fill("#command-text", text.join(" "));
    await page.click("#command-send");
    const sent = await until(async () => (await state()).lastSent, "the command to be sent");
    return { sent, result: await page.textContent("#command-result") };
  },
  // Imports a CSV file into the directory shown; the report and the rows' ids.
  async "import-csv"(file) {
    await page.evaluate(() => { document.getElementById("directory-report").hidden = true; });
    await page.setInputFiles("#directory-file", file);
    await page.click('#directory-import button[type="submit"]');
    await until(() => page.isVisible("#directory-report"), "the import's report");
    await page.waitForTimeout(300);
    const rows = await page.$$eval("#directory-rows tr", (rows) => rows.map((r) => r.dataset.id));
    return { report: await page.textContent("#directory-report"), rows };
  },
  // Fills the directory's 新增 form for KIND (platforms, institutions) with FIELD=VALUE
  // pairs and saves it: the errors shown beside each field, and the rows' ids after.
  async "add-entry"(kind, ...pairs) {
    await page.selectOption("#directory-kind", kind);
    await page.waitForTimeout(300);
    await page.click("#directory-new");
    await until(() => page.isVisible("#directory-form"), "the add form");
    for (const pair of pairs) {
      const at = pair.indexOf("=");
      const [name, value] = [pair.slice(0, at), pair.slice(at + 1)];
      const selector = `#directory-form [name="${name}"]`;
      if (name === "level") await page.selectOption(selector, value);
      else await page.fill(selector, value);
    }
    await page.click('#directory-form button[type="submit"]');
    await until(async () => !(await page.isVisible("#directory-form"))
      || (await page.$$eval("#directory-form .field-error, #directory-form-error", (els) => els.some((e) => e.textContent))),
    "the form saved or refused");
    await page.waitForTimeout(300);
    const errors = await page.$$eval("#directory-form .field-error", (els) =>
      Object.fromEntries(els.filter((e) => e.textContent).map((e) => [e.dataset.errorFor, e.textContent])));
    const rows = await page.$$eval("#directory-rows tr", (rows) => rows.map((r) => r.dataset.id));
    return { saved: !(await page.isVisible("#directory-form")), errors, rows };
  },
  // Opens the statistics tab for days FROM..TO: the totals table as shown (metric, count,
  // name), the data each chart drew, and the CSV links.
  async stats(from, to) {
    await page.click('#tabs button[data-view="stats-view"]');
    await until(async () => (await state()).stats?.drawn, "the statistics tab's first load");
    await page.evaluate(() => { window.opsConsole.state.stats = null; });
    await page.fill("#stats-from", from);
    await page.fill("#stats-to", to);
    await page.click('#stats-filters button[type="submit"]');
    await until(async () => (await state()).stats?.drawn, "the statistics");
    await page.waitForTimeout(500);
    const summary = await page.$$eval("#stats-summary-rows tr", (rows) =>
      rows.map((r) => [r.dataset.metric, Number(r.dataset.count), r.cells[0].textContent]));
    const charts = await page.evaluate(() => {
      const out = {};
      for (const id of ["chart-trend", "chart-heatmap", "chart-ranking", "chart-drill", "chart-compare"]) {
        const c = window.echarts && window.echarts.getInstanceByDom(document.getElementById(id));
        out[id] = c ? c.getOption().series.map((s) => s.data) : null;
      }
      return out;
    });
    const csv = await page.$$eval("a.csv", (links) => links.map((a) => a.getAttribute("href")));
    return { summary, charts, csv };
  },
  async text() {
    return { text: await page.evaluate(() => document.body.innerText) };
  },
  async screenshot(name) {
    const path = `${screenshots}/${name}.png`;
    await page.evaluate(() => document.fonts.ready);
    await page.screenshot({ path });
    return { path };
  },
};

await serve(commands);
await browser.close();
