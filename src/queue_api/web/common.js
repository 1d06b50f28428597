// Shared by the pages: JSON calls to the terminal's API and live streams.
"use strict";

/** Calls the API; resolves to the JSON body, rejects with {status, error, message}. */
async function api(method, path, body) {
  const init = { method, credentials: "same-origin", headers: {} };
  if (method !== "GET") {
    // Without this header the terminal refuses a change (cross-site request protection).
    init.headers["X-Kiosk-Request"] = "1";
  }
  if (body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(path, init);
  } catch (e) {
    throw { status: 0, error: "network", message: "无法连接终端，请检查网络" };
  }
  let data = null;
  try { data = await response.json(); } catch (e) { data = null; }
  if (!response.ok) {
    throw { status: response.status, error: (data && data.error) || "http",
            message: (data && data.message) || ("HTTP " + response.status) };
  }
  return data;
}

/** Follows a server-sent event stream; the browser reconnects by itself. */
function follow(path, event, onData, onConnection) {
  const source = new EventSource(path);
  source.addEventListener(event, (e) => {
    try { onData(JSON.parse(e.data)); } catch (err) { console.error(err); }
  });
  source.onopen = () => onConnection && onConnection(true);
  source.onerror = () => onConnection && onConnection(false);
  return source;
}

function el(id) { return document.getElementById(id); }

function text(node, value) { node.textContent = value == null ? "" : String(value); }

/** `HH:MM` of an RFC 3339 time as the terminal wrote it (its local time). */
function clockOf(rfc3339) {
  const m = /T(\d\d:\d\d)/.exec(rfc3339 || "");
  return m ? m[1] : "";
}

function minutes(secs) {
  return secs == null ? "—" : Math.round(secs / 60) + " 分钟";
}

function estimateText(e) {
  return e ? ("约 " + e.low_minutes + "–" + e.high_minutes + " 分钟") : "—";
}
