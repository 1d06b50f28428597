// A lawyer at the real console, in Debian's headless Chromium with a fake camera and
// microphone, driven by playwright-core. The Rust tests start it with the console's URL and
// send one command per line on standard input; each answer is one JSON line on standard
// output ({"ok": true, ...} or {"ok": false, "error": "..."}).
//
// Commands: login USER PASSWORD | wait-queue N | answer | wait-media FRAMES |
//           wait-connected | mute | drop-media | hangup | wait-ended | state | quit
//           (benchmarks) first-frame | latency SAMPLES
import { chromium } from "playwright-core";
import { serve, until as untilWithin } from "./line_driver.mjs";

const url = process.argv[2];
const executablePath = process.env.CHROMIUM || "/usr/bin/chromium";
const timeout = 30000;

const browser = await chromium.launch({
  executablePath,
  args: [
    "--use-fake-ui-for-media-stream",
    "--use-fake-device-for-media-stream",
    // ICE over 127.0.0.1 (the tests run in a loopback-only network namespace).
    "--allow-loopback-in-peer-connection",
    // The test registry's certificate comes from a CA made for the test.
    "--ignore-certificate-errors",
    "--no-sandbox",
    "--autoplay-policy=no-user-gesture-required",
  ],
});
const context = await browser.newContext({ ignoreHTTPSErrors: true });
const page = await context.newPage();
page.on("console", (m) => process.stderr.write(`[console] ${m.text()}\n`));
await page.goto(`${url}/console`);

async function stats() {
  return page.evaluate(async () => {
    const pc = window.lawyerConsole.peer();
    if (!pc) return null;
    const report = await pc.getStats();
    const out = { video: null, audio: null, pair: null, codecs: {}, local: {}, remote: {} };
    report.forEach((s) => {
      if (s.type === "inbound-rtp" && s.kind === "video") out.video = s;
      if (s.type === "inbound-rtp" && s.kind === "audio") out.audio = s;
      if (s.type === "codec") out.codecs[s.id] = s.mimeType;
      if (s.type === "local-candidate") out.local[s.id] = s.candidateType;
      if (s.type === "remote-candidate") out.remote[s.id] = s.candidateType;
      if (s.type === "candidate-pair" && s.nominated && s.state === "succeeded") out.pair = s;
    });
    return {
      framesDecoded: out.video ? out.video.framesDecoded : 0,
      framesPerSecond: out.video ? out.video.framesPerSecond || 0 : 0,
      frameWidth: out.video ? out.video.frameWidth || 0 : 0,
      packetsLost: out.video ? out.video.packetsLost : 0,
      videoCodec: out.video ? out.codecs[out.video.codecId] : null,
      audioPacketsReceived: out.audio ? out.audio.packetsReceived : 0,
      localCandidateType: out.pair ? out.local[out.pair.localCandidateId] : null,
      remoteCandidateType: out.pair ? out.remote[out.pair.remoteCandidateId] : null,
    };
  });
}

const state = () => page.evaluate(() => window.lawyerConsole.state);

const until = (check, what) => untilWithin(check, what, timeout);

const commands = {
  async login(user, password) {
    await page.fill("#username", user);
    await page.fill("#password", password);
    await page.click("#login");
    await until(async () => page.isVisible("#queue-view") || (await page.textContent("#login-error")), "login");
    const error = await page.textContent("#login-error");
    if (error) throw new Error(error);
    await until(async () => (await page.textContent("#connection-state")).includes("已连接"), "signalling");
    return { who: await page.textContent("#who") };
  },
  async "wait-queue"(n) {
    const want = Number(n);
    const s = await until(async () => {
      const s = await state();
      return s.queue.length === want ? s : null;
    }, `${want} waiting calls`);
    return { queue: s.queue, rows: await page.locator("#queue tr").count() };
  },
  async answer() {
    const at = Date.now();
    await page.locator("#queue button.answer").first().click();
    await until(async () => (await state()).phase === "in-call", "the call view");
    return { at };
  },
  // When the first frame of the citizen's video was decoded (wall clock, ms), polling the
  // statistics every 5 ms.
  async "first-frame"() {
    const at = await page.evaluate(async () => {
      for (let i = 0; i < 6000; i++) {
        const pc = window.lawyerConsole.peer();
        if (pc) {
          const report = await pc.getStats();
          let frames = 0;
          report.forEach((s) => {
            if (s.type === "inbound-rtp" && s.kind === "video") frames = s.framesDecoded;
          });
          if (frames > 0) return Date.now();
        }
        await new Promise((r) => setTimeout(r, 5));
      }
      return null;
    });
    if (at === null) throw new Error("no frame decoded");
    return { at };
  },
  // Delay from the terminal painting its clock into a frame to the browser presenting it:
  // reads the 32 blocks of the stamp from each presented frame.
  async latency(samples) {
    const want = Number(samples);
    const delays = await page.evaluate(async (want) => {
      const video = document.getElementById("remote-video");
      const canvas = document.createElement("canvas");
      const ctx = canvas.getContext("2d", { willReadFrequently: true });
      const out = [];
      await new Promise((resolve) => {
        const onFrame = () => {
          const now = Date.now();
          canvas.width = video.videoWidth;
          canvas.height = video.videoHeight;
          ctx.drawImage(video, 0, 0);
          const row = ctx.getImageData(0, 10, 640, 1).data;
          let stamp = 0;
          for (let bit = 0; bit < 32; bit++) {
            const i = (bit * 20 + 10) * 4;
            const luma = (row[i] + row[i + 1] + row[i + 2]) / 3;
            stamp = stamp * 2 + (luma > 128 ? 1 : 0);
          }
          const delay = (((now % 4294967296) - stamp) + 4294967296) % 4294967296;
          if (delay < 10000) out.push(delay);
          if (out.length >= want) resolve();
          else video.requestVideoFrameCallback(onFrame);
        };
        video.requestVideoFrameCallback(onFrame);
      });
      return out;
    }, want);
    return { delays };
  },
  async "wait-connected"() {
    await until(async () => (await state()).mediaConnected, "media_connected");
    return {};
  },
  async "wait-media"(frames) {
    const want = Number(frames);
    const s = await until(async () => {
      const s = await stats();
      return s && s.framesDecoded >= want && s.audioPacketsReceived > 0 ? s : null;
    }, `${want} decoded frames`);
    return { stats: s };
  },
  async mute() {
    await page.click("#mute");
    return { muted: (await state()).muted };
  },
  // The lawyer's network dies: media stops without a hang-up.
  async "drop-media"() {
    await page.evaluate(() => window.lawyerConsole.peer().close());
    return {};
  },
  async hangup() {
    await page.click("#hangup");
    return {};
  },
  async "wait-ended"() {
    const s = await until(async () => {
      const s = await state();
      return s.lastEnded && s.phase === "idle" ? s : null;
    }, "the end of the call");
    return { ended: s.lastEnded, queueVisible: await page.isVisible("#queue-view") };
  },
  async state() {
    return { state: await state() };
  },
};

await serve(commands);
await browser.close();
