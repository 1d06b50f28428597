// What the line-driven page drivers share (lawyer.mjs, ops_console.mjs): one command per
// line on standard input, one JSON answer per line on standard output
// ({"ok": true, ...} or {"ok": false, "error": "..."}), and waiting for a condition.

/** Polls `check` every 50 ms until it returns something truthy; fails after `limit` ms. */
export async function until(check, what, limit = 30000) {
  const deadline = Date.now() + limit;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${limit} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Answers the commands read from standard input until `quit` or its end. */
export async function serve(commands) {
  const { createInterface } = await import("node:readline");
  const reply = (value) => process.stdout.write(JSON.stringify(value) + "\n");
  for await (const line of createInterface({ input: process.stdin })) {
    const [name, ...args] = line.trim().split(/\s+/);
    if (!name) continue;
    if (name === "quit") break;
    try {
      const command = commands[name];
      if (!command) throw new Error(`unknown command ${name}`);
      reply({ ok: true, ...(await command(...args)) });
    } catch (e) {
      reply({ ok: false, error: String(e && e.message ? e.message : e) });
    }
  }
}
