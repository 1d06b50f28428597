// A ticket's live position, opened from the ticket's QR code. Only the random token in the
// address identifies it; the terminal returns numbers and times, never personal data.
"use strict";

const token = location.pathname.split("/").pop();

function statusText(t) {
  switch (t.state) {
    case "waiting":
      return t.people_ahead === 0 ? "下一位就是您" : "前面还有 " + t.people_ahead + " 人";
    case "called": return "请到 " + (t.counter_name || "窗口") + " 办理";
    case "serving": return "正在 " + (t.counter_name || "窗口") + " 办理";
    case "done": return "已办结，感谢您的耐心";
    case "no_show": return "已过号，请联系工作人员";
    default: return "此号已失效，请联系工作人员";
  }
}

async function refresh() {
  try {
    const t = await api("GET", "/api/tickets/" + encodeURIComponent(token));
    text(el("number"), t.number);
    text(el("service"), t.service_name);
    text(el("status"), statusText(t));
    text(el("estimate"), t.state === "waiting" && t.estimate ? "预计等候 " + estimateText(t.estimate) : "");
  } catch (e) {
    text(el("status"), e.status === 404 ? "找不到此号票" : "暂时无法查询，请稍后再试");
  }
}

let pending = false;
function soon() {
  // Many changes in a burst: one refresh.
  if (pending) return;
  pending = true;
  setTimeout(() => { pending = false; refresh(); }, 300);
}

refresh();
follow("/api/hall/stream", "hall", soon);
