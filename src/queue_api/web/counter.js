// The counter page: log in, choose the counter, call and serve; live from /api/stream.
"use strict";

const STATE_LABEL = { called: "已叫号，等候到窗", serving: "办理中" };
let me = null;
let counterId = localStorage.getItem("counter") || null;
let view = null;
let stream = null;

function show(section) {
  for (const id of ["login-view", "counter-view", "work-view"]) {
    el(id).hidden = id !== section;
  }
  const inWork = section === "work-view";
  el("pause").hidden = !inWork;
  el("change-counter").hidden = !inWork;
  el("logout").hidden = section === "login-view";
}

function say(message) { text(el("message"), message || ""); }

function counter() {
  return view && view.counters.find((c) => c.id === counterId);
}

function serviceName(id) {
  const s = view && view.services.find((x) => x.service_id === id);
  return s ? s.name : id;
}

async function start() {
  try {
    me = await api("GET", "/api/me");
  } catch (e) {
    show("login-view");
    el(el("name").value ? "pin" : "name").focus();
    return;
  }
  text(el("who"), me.name);
  follow("/api/stream", "state", (data) => { view = data; render(); }, (ok) => {
    if (!ok) say("与终端的连接中断，正在重连…");
    else if (el("message").textContent.startsWith("与终端")) say("");
  });
  // The stream ends with the session: find out whether we were logged out.
  setInterval(async () => {
    try { await api("GET", "/api/me"); } catch (e) { if (e.status === 401) location.reload(); }
  }, 60000);
}

function render() {
  const c = counter();
  if (!c) {
    show("counter-view");
    renderChoice();
    return;
  }
  show("work-view");
  text(el("title"), "窗口叫号 · " + c.name);
  text(el("pause"), c.paused ? "恢复" : "暂停");
  const t = c.current;
  text(el("current-number"), t ? t.number : "—");
  text(el("current-label"), t ? (STATE_LABEL[t.state] || t.state) : (c.paused ? "窗口已暂停" : "当前无号码"));
  text(el("current-detail"), t
    ? serviceName(t.queue_service) + (t.priority ? " · 优先" : "") + " · 取号 " + clockOf(t.issued_at)
      + (t.recalls ? " · 已重呼 " + t.recalls + "/" + view.max_recalls : "")
    : "");
  const called = t && t.state === "called";
  const atCounter = !!t;
  el("call-next").disabled = c.paused || called;
  el("recall").disabled = !called;
  text(el("recall"), called && t.recalls >= view.max_recalls ? "重呼（记为未到）" : "重呼");
  el("start").disabled = !called;
  el("finish").disabled = !atCounter;
  el("no-show").disabled = !called;
  el("transfer").disabled = !atCounter;
  el("call-number").disabled = c.paused || called;
  text(el("next-number"), c.next || "—");

  const select = el("transfer-service");
  if (select.options.length !== view.services.length) {
    select.replaceChildren(...view.services.map((s) => {
      const o = document.createElement("option");
      o.value = s.service_id;
      o.textContent = s.prefix + " " + s.name;
      return o;
    }));
  }

  text(el("waiting-total"), "（" + view.waiting_total + " 人）");
  el("waiting-list").replaceChildren(...view.waiting.map((w) => {
    const tr = document.createElement("tr");
    const cells = [w.number, serviceName(w.queue_service), clockOf(w.issued_at)];
    for (const value of cells) {
      const td = document.createElement("td");
      td.textContent = value;
      tr.appendChild(td);
    }
    const p = document.createElement("td");
    if (w.priority_label) {
      const b = document.createElement("span");
      b.className = "badge";
      b.textContent = w.priority_label;
      p.appendChild(b);
    }
    if (w.transferred_from) {
      const b = document.createElement("span");
      b.className = "badge";
      b.textContent = "转自" + serviceName(w.transferred_from);
      p.appendChild(b);
    }
    tr.appendChild(p);
    tr.dataset.number = w.number;
    return tr;
  }));

  const d = view.today;
  const counts = [["取号", d.issued], ["等候", d.waiting], ["窗口中", d.at_counters],
                  ["办结", d.done], ["未到", d.no_show], ["平均等候", minutes(d.avg_wait_secs)],
                  ["平均办理", minutes(d.avg_service_secs)]];
  el("counts").replaceChildren(...counts.map(([label, value]) => {
    const div = document.createElement("div");
    const b = document.createElement("b");
    b.textContent = value;
    div.append(b, label);
    return div;
  }));
}

function renderChoice() {
  el("counter-choice").replaceChildren(...view.counters.map((c) => {
    const b = document.createElement("button");
    b.textContent = c.name + (c.open && c.staff ? "（" + c.staff + "）" : "");
    b.dataset.counter = c.id;
    b.addEventListener("click", () => chooseCounter(c.id));
    return b;
  }));
}

async function chooseCounter(id) {
  try {
    await api("POST", "/api/counters/" + encodeURIComponent(id) + "/open");
    counterId = id;
    localStorage.setItem("counter", id);
    say("");
    render();
  } catch (e) { say(e.message); }
}

async function act(action, body) {
  if (!counterId) return;
  try {
    const result = await api("POST", "/api/counters/" + encodeURIComponent(counterId) + "/" + action, body);
    report(action, result);
  } catch (e) {
    if (e.status === 401) { location.reload(); return; }
    say(e.message);
  }
}

function report(action, r) {
  if (action === "call-next" || action === "call") {
    say(r.called ? "已叫 " + r.called.number : "暂无等候的号码");
  } else if (action === "recall") {
    say(r.outcome === "no_show" ? r.ticket.number + " 已记为未到" : "已重呼 " + r.ticket.number);
  } else if (action === "transfer") {
    say(r.number + " 已转到 " + serviceName(r.queue_service) + "，按取号时间排队");
  } else {
    say("");
  }
}

el("login-form").addEventListener("submit", async (e) => {
  e.preventDefault();
  const name = el("name").value.trim();
  const pin = el("pin").value;
  el("pin").value = "";
  try {
    await api("POST", "/api/login", { name, pin });
    say("");
    start();
  } catch (err) { say(err.message); }
});
el("call-next").addEventListener("click", () => act("call-next"));
el("recall").addEventListener("click", () => act("recall"));
el("start").addEventListener("click", () => act("start"));
el("finish").addEventListener("click", () => act("finish"));
el("no-show").addEventListener("click", () => act("no-show"));
el("transfer").addEventListener("click", () => act("transfer", { service_id: el("transfer-service").value }));
el("call-number").addEventListener("click", () => {
  const number = el("call-number-input").value.trim();
  if (number) act("call", { number });
});
el("pause").addEventListener("click", () => {
  const c = counter();
  if (c) act(c.paused ? "resume" : "pause");
});
el("change-counter").addEventListener("click", async () => {
  if (counterId) {
    try { await api("POST", "/api/counters/" + encodeURIComponent(counterId) + "/close"); } catch (e) { /* shown below */ }
  }
  counterId = null;
  localStorage.removeItem("counter");
  render();
});
el("logout").addEventListener("click", async () => {
  try {
    if (counterId) await api("POST", "/api/counters/" + encodeURIComponent(counterId) + "/close");
    await api("POST", "/api/logout");
  } catch (e) { /* logging out anyway */ }
  location.reload();
});
el("notice-save").addEventListener("click", async () => {
  try {
    await api("PUT", "/api/notice", { text: el("notice-input").value });
    say("大厅通知已更新");
  } catch (e) { say(e.message); }
});

start();
