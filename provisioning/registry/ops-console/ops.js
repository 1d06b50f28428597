// The operations centre's console: log in, watch the terminals of the account's regions
// (state, faults, outbox, versions), open one terminal (its health and the commands it
// received), and, for admins, read the audit. The registry decides what an account may
// see: this page only shows what the API returns.
"use strict";

const $ = (id) => document.getElementById(id);

const TEXT = {
  "zh-CN": {
    sev_bad: "有故障", sev_warn: "需关注", sev_ok: "正常",
    tab_map: "地图", map_none: "未配置地图瓦片，按服务点列出：", col_terminals: "终端",
    history: "状态变化",
    dev_ok: "正常", dev_fault: "故障", dev_disconnected: "未连接", dev_unknown: "未知",
    paper_ok: "充足", paper_near_end: "将尽", paper_out: "缺纸", paper_unknown: "未知",
    cmd_pending: "待下发", cmd_delivered: "已下发", cmd_received: "已接收", cmd_proceeding: "执行中",
    cmd_succeeded: "已完成", cmd_failed: "失败", cmd_rejected: "被拒绝", cmd_expired: "已过期",
    tab_bundles: "配置包", col_stream: "内容流", col_scope: "范围", col_published: "发布时间", col_expires: "有效期至",
    col_applied: "已生效终端", bundles_summary: (n) => `本辖区在用终端 ${n} 台`,
    tab_directory: "名录", directory_kind: "名录", kind_platforms: "服务平台", kind_institutions: "服务机构",
    export_csv: "导出 CSV", import_csv: "导入 CSV", import: "导入", col_name: "名称", col_level: "层级",
    col_address: "地址", col_phone: "电话", col_hours: "服务时间", col_services: "服务事项",
    imported: (n) => `已导入 ${n} 条`,
    add_entry: "新增", edit_entry: "编辑", save: "保存", cancel: "取消", col_lat: "纬度", col_lon: "经度",
    command_target: "发送到", target_terminal: "终端", target_platform: "服务点全部终端", target_region: "地区全部终端",
    command_action: "指令", action_lock: "锁定（停止服务）", action_unlock: "解锁", action_notice: "发布通知",
    action_reload: "重新加载内容", action_upload_logs: "上传日志", action_restart: "重启", command_text: "通知内容",
    send: "发送", sent: (n) => `已向 ${n} 台终端发送`, need_text: "请填写通知内容", view_logs: "查看日志",
    no_terminal: "该范围内没有在用终端",
    tab_alerts: "告警", col_raised: "发生时间", col_alert: "告警", col_acknowledged: "确认", no_alerts: "暂无告警",
    alert_overdue: "终端失联", alert_paper_out: "缺纸", alert_printer_fault: "打印机故障", alert_reader_fault: "读卡器故障",
    alert_outbox_growing: "数据积压", alert_bundle_refused: "配置包被拒收", acknowledge: "确认", unacknowledged: "未确认",
    title: "公共法律服务联合运行管理中心 · 运维控制台", tab_fleet: "终端", tab_audit: "审计",
    logout: "退出登录", login: "登录", username: "用户名", password: "密码",
    filter_text: "搜索", filter_region: "地区", filter_state: "状态", all: "全部",
    state_ok: "正常", state_overdue: "失联", state_paper_out: "缺纸", state_printer_fault: "打印机故障",
    state_reader_fault: "读卡器故障", state_locked: "已锁定", state_paper_near_end: "纸将尽",
    state_error: "报错", state_revoked: "已注销",
    col_state: "状态", col_device: "终端", col_platform: "服务点", col_region: "地区",
    col_last_seen: "最后联系", col_outbox: "待上传", col_version: "版本", col_error: "最近错误",
    terminal: "终端", close: "关闭", commands_received: "收到的指令", col_issued: "下发时间",
    col_action: "指令", col_command_state: "执行情况", col_detail: "说明",
    col_when: "时间", col_who: "账号", col_from: "来源", col_what: "操作", col_target: "对象", col_outcome: "结果",
    summary: (shown, total) => `显示 ${shown} 台，共 ${total} 台`,
    never: "从未", wrong_login: "用户名或密码错误", locked_out: "尝试次数过多，请稍后再试",
    forbidden: "无权查看该地区", failed: "请求失败，请稍后再试", no_commands: "暂无指令",
    fact_serial: "硬件序列号", fact_printer: "打印机", fact_paper: "纸张", fact_reader: "读卡器",
    tab_stats: "统计", stats_from: "起始日期", stats_to: "截止日期", stats_metric: "指标", stats_show: "查询",
    stats_summary: "总量", stats_count: "数量", stats_wait: "平均等候（秒）", stats_service: "平均办理（秒）",
    stats_trend: "趋势", stats_heatmap: "时段分布（星期 × 小时）", stats_ranking: "排名", stats_drill: "逐级查看",
    stats_compare: "两期对比", by_day: "按日", by_week: "按周", by_month: "按月", by_region: "按地区",
    by_platform: "按服务点", by_key: "按事项", period_a: "前一期", period_b: "本期", drill_all: "全部地区",
    weekdays: ["周一", "周二", "周三", "周四", "周五", "周六", "周日"],
    "m_ticket.issued": "取号", "m_ticket.called": "叫号", "m_ticket.finished": "办结", m_consultation: "咨询事项",
    m_legal_aid: "法律援助自测", m_rating: "评价", "m_rating.reason": "差评原因", "m_video.requested": "视频呼叫",
    "m_video.answered": "视频接通", "m_video.missed": "视频未接",
    fact_locked: "锁定", fact_uptime: "运行时长（秒）", fact_bundles: "配置包版本", yes: "是", no: "否",
  },
  "ko-KR": {
    sev_bad: "고장 있음", sev_warn: "주의 필요", sev_ok: "정상",
    tab_map: "지도", map_none: "지도 타일이 설정되지 않아 서비스 센터별로 표시합니다:", col_terminals: "단말기",
    history: "상태 변화",
    dev_ok: "정상", dev_fault: "고장", dev_disconnected: "연결 안 됨", dev_unknown: "알 수 없음",
    paper_ok: "충분", paper_near_end: "부족", paper_out: "없음", paper_unknown: "알 수 없음",
    cmd_pending: "발송 대기", cmd_delivered: "발송됨", cmd_received: "수신됨", cmd_proceeding: "실행 중",
    cmd_succeeded: "완료", cmd_failed: "실패", cmd_rejected: "거부됨", cmd_expired: "만료됨",
    tab_bundles: "설정 번들", col_stream: "스트림", col_scope: "범위", col_published: "게시 시각", col_expires: "만료",
    col_applied: "적용된 단말기", bundles_summary: (n) => `관할 지역의 사용 중인 단말기 ${n}대`,
    tab_directory: "명부", directory_kind: "명부", kind_platforms: "서비스 플랫폼", kind_institutions: "서비스 기관",
    export_csv: "CSV 내보내기", import_csv: "CSV 가져오기", import: "가져오기", col_name: "이름", col_level: "단계",
    col_address: "주소", col_phone: "전화", col_hours: "운영 시간", col_services: "서비스 항목",
    imported: (n) => `${n}건을 가져왔습니다`,
    add_entry: "추가", edit_entry: "편집", save: "저장", cancel: "취소", col_lat: "위도", col_lon: "경도",
    command_target: "대상", target_terminal: "단말기", target_platform: "서비스 센터의 모든 단말기", target_region: "지역의 모든 단말기",
    command_action: "명령", action_lock: "잠금(서비스 중지)", action_unlock: "잠금 해제", action_notice: "공지 게시",
    action_reload: "콘텐츠 다시 불러오기", action_upload_logs: "로그 업로드", action_restart: "다시 시작", command_text: "공지 내용",
    send: "보내기", sent: (n) => `단말기 ${n}대에 보냈습니다`, need_text: "공지 내용을 입력하세요", view_logs: "로그 보기",
    no_terminal: "해당 범위에 사용 중인 단말기가 없습니다",
    tab_alerts: "경보", col_raised: "발생 시각", col_alert: "경보", col_acknowledged: "확인", no_alerts: "경보 없음",
    alert_overdue: "단말기 연결 끊김", alert_paper_out: "용지 없음", alert_printer_fault: "프린터 고장", alert_reader_fault: "카드 리더 고장",
    alert_outbox_growing: "전송 대기 누적", alert_bundle_refused: "설정 번들 거부", acknowledge: "확인", unacknowledged: "미확인",
    title: "공공법률서비스 합동운영관리센터 · 운영 콘솔", tab_fleet: "단말기", tab_audit: "감사 기록",
    logout: "로그아웃", login: "로그인", username: "사용자 이름", password: "비밀번호",
    filter_text: "검색", filter_region: "지역", filter_state: "상태", all: "전체",
    state_ok: "정상", state_overdue: "연결 끊김", state_paper_out: "용지 없음", state_printer_fault: "프린터 고장",
    state_reader_fault: "카드 리더 고장", state_locked: "잠김", state_paper_near_end: "용지 부족",
    state_error: "오류", state_revoked: "등록 취소",
    col_state: "상태", col_device: "단말기", col_platform: "서비스 센터", col_region: "지역",
    col_last_seen: "마지막 연결", col_outbox: "전송 대기", col_version: "버전", col_error: "최근 오류",
    terminal: "단말기", close: "닫기", commands_received: "받은 명령", col_issued: "발송 시각",
    col_action: "명령", col_command_state: "실행 상태", col_detail: "설명",
    col_when: "시각", col_who: "계정", col_from: "접속 위치", col_what: "작업", col_target: "대상", col_outcome: "결과",
    summary: (shown, total) => `${total}대 중 ${shown}대 표시`,
    never: "없음", wrong_login: "사용자 이름 또는 비밀번호가 틀렸습니다", locked_out: "시도가 너무 많습니다. 잠시 후 다시 시도하세요",
    forbidden: "이 지역을 볼 권한이 없습니다", failed: "요청에 실패했습니다. 잠시 후 다시 시도하세요", no_commands: "명령 없음",
    fact_serial: "하드웨어 일련번호", fact_printer: "프린터", fact_paper: "용지", fact_reader: "카드 리더",
    tab_stats: "통계", stats_from: "시작일", stats_to: "종료일", stats_metric: "지표", stats_show: "조회",
    stats_summary: "총계", stats_count: "건수", stats_wait: "평균 대기(초)", stats_service: "평균 처리(초)",
    stats_trend: "추이", stats_heatmap: "시간대 분포(요일 × 시간)", stats_ranking: "순위", stats_drill: "단계별 보기",
    stats_compare: "두 기간 비교", by_day: "일별", by_week: "주별", by_month: "월별", by_region: "지역별",
    by_platform: "서비스 센터별", by_key: "사항별", period_a: "이전 기간", period_b: "이번 기간", drill_all: "전체 지역",
    weekdays: ["월", "화", "수", "목", "금", "토", "일"],
    "m_ticket.issued": "번호표 발급", "m_ticket.called": "호출", "m_ticket.finished": "처리 완료", m_consultation: "상담 사항",
    m_legal_aid: "법률구조 자가진단", m_rating: "평가", "m_rating.reason": "불만족 사유", "m_video.requested": "화상 요청",
    "m_video.answered": "화상 연결", "m_video.missed": "화상 미응답",
    fact_locked: "잠금", fact_uptime: "가동 시간(초)", fact_bundles: "설정 번들 버전", yes: "예", no: "아니요",
  },
  en: {
    sev_bad: "faulty", sev_warn: "needs attention", sev_ok: "OK",
    tab_map: "Map", map_none: "No map tiles configured; platforms listed instead:", col_terminals: "Terminals",
    history: "State changes",
    dev_ok: "OK", dev_fault: "fault", dev_disconnected: "disconnected", dev_unknown: "unknown",
    paper_ok: "OK", paper_near_end: "low", paper_out: "out", paper_unknown: "unknown",
    cmd_pending: "pending", cmd_delivered: "delivered", cmd_received: "received", cmd_proceeding: "in progress",
    cmd_succeeded: "done", cmd_failed: "failed", cmd_rejected: "rejected", cmd_expired: "expired",
    tab_bundles: "Bundles", col_stream: "Stream", col_scope: "Scope", col_published: "Published", col_expires: "Expires",
    col_applied: "Terminals with it in force", bundles_summary: (n) => `${n} active terminals in your regions`,
    tab_directory: "Directory", directory_kind: "Directory", kind_platforms: "Service platforms", kind_institutions: "Institutions",
    export_csv: "Export CSV", import_csv: "Import CSV", import: "Import", col_name: "Name", col_level: "Level",
    col_address: "Address", col_phone: "Phone", col_hours: "Hours", col_services: "Services",
    imported: (n) => `${n} entries imported`,
    add_entry: "Add", edit_entry: "Edit", save: "Save", cancel: "Cancel", col_lat: "Latitude", col_lon: "Longitude",
    command_target: "Send to", target_terminal: "Terminal", target_platform: "All terminals of a platform", target_region: "All terminals of a region",
    command_action: "Command", action_lock: "Lock (out of service)", action_unlock: "Unlock", action_notice: "Show a notice",
    action_reload: "Reload content", action_upload_logs: "Upload logs", action_restart: "Restart", command_text: "Notice",
    send: "Send", sent: (n) => `Sent to ${n} terminal(s)`, need_text: "Write the notice", view_logs: "View logs",
    no_terminal: "No active terminal there",
    tab_alerts: "Alerts", col_raised: "Raised", col_alert: "Alert", col_acknowledged: "Acknowledged", no_alerts: "No alerts",
    alert_overdue: "Terminal overdue", alert_paper_out: "Paper out", alert_printer_fault: "Printer fault", alert_reader_fault: "Reader fault",
    alert_outbox_growing: "Outbox growing", alert_bundle_refused: "Bundle refused", acknowledge: "Acknowledge", unacknowledged: "unacknowledged",
    title: "Joint Operations Centre · Operations console", tab_fleet: "Terminals", tab_audit: "Audit",
    logout: "Log out", login: "Log in", username: "User name", password: "Password",
    filter_text: "Search", filter_region: "Region", filter_state: "State", all: "All",
    state_ok: "OK", state_overdue: "Overdue", state_paper_out: "Paper out", state_printer_fault: "Printer fault",
    state_reader_fault: "Reader fault", state_locked: "Locked", state_paper_near_end: "Paper low",
    state_error: "Error", state_revoked: "Revoked",
    col_state: "State", col_device: "Terminal", col_platform: "Platform", col_region: "Region",
    col_last_seen: "Last seen", col_outbox: "Outbox", col_version: "Version", col_error: "Last error",
    terminal: "Terminal", close: "Close", commands_received: "Commands received", col_issued: "Issued",
    col_action: "Command", col_command_state: "State", col_detail: "Detail",
    col_when: "When", col_who: "Account", col_from: "From", col_what: "Action", col_target: "Target", col_outcome: "Outcome",
    summary: (shown, total) => `${shown} of ${total} terminals`,
    never: "never", wrong_login: "Wrong user name or password", locked_out: "Too many attempts; try again later",
    forbidden: "This region is outside your account", failed: "The request failed; try again later", no_commands: "No commands",
    fact_serial: "Hardware serial", fact_printer: "Printer", fact_paper: "Paper", fact_reader: "Card reader",
    tab_stats: "Statistics", stats_from: "From", stats_to: "To", stats_metric: "Metric", stats_show: "Show",
    stats_summary: "Totals", stats_count: "Count", stats_wait: "Mean wait (s)", stats_service: "Mean service (s)",
    stats_trend: "Trend", stats_heatmap: "Time of day (weekday × hour)", stats_ranking: "Ranking", stats_drill: "Drill-down",
    stats_compare: "Two periods", by_day: "by day", by_week: "by week", by_month: "by month", by_region: "by region",
    by_platform: "by platform", by_key: "by matter", period_a: "Earlier period", period_b: "This period", drill_all: "All regions",
    weekdays: ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"],
    "m_ticket.issued": "Tickets issued", "m_ticket.called": "Tickets called", "m_ticket.finished": "Tickets finished",
    m_consultation: "Consultation matters", m_legal_aid: "Legal-aid self-checks", m_rating: "Ratings",
    "m_rating.reason": "Bad-rating reasons", "m_video.requested": "Video calls requested",
    "m_video.answered": "Video calls answered", "m_video.missed": "Video calls missed",
    fact_locked: "Locked", fact_uptime: "Uptime (s)", fact_bundles: "Bundle versions", yes: "yes", no: "no",
  },
};

// What tests (and curious staff, from the developer tools) can read.
const state = { operator: null, fleet: null, alerts: null, sort: "state", terminal: null, polls: 0, stats: null };
window.opsConsole = { state };

let lang = localStorage.getItem("ops-lang") || "zh-CN";
const t = (key) => (TEXT[lang] || TEXT["zh-CN"])[key] ?? TEXT["zh-CN"][key] ?? key;
const pollMs = Number(new URLSearchParams(location.search).get("poll_ms")) || 5000;
let pollTimer = null;

function translate() {
  document.documentElement.lang = lang;
  document.title = t("title");
  for (const el of document.querySelectorAll("[data-i18n]")) el.textContent = t(el.dataset.i18n);
  $("lang").value = lang;
  if (state.fleet) renderFleet();
  if (state.alerts) renderAlerts();
  if (state.terminal) renderTerminal();
  if (state.stats) renderStats();
}

function show(view) {
  for (const id of ["login-view", "fleet-view", "alerts-view", "map-view", "directory-view", "bundles-view", "stats-view", "audit-view"]) {
    $(id).hidden = id !== view;
  }
  for (const b of document.querySelectorAll("#tabs button")) b.classList.toggle("active", b.dataset.view === view);
  if (view === "audit-view") loadAudit();
  if (view === "directory-view") loadDirectory();
  if (view === "bundles-view") loadBundles();
  if (view === "map-view") loadMap();
  if (view === "stats-view") loadStats();
}

// Each login and logout starts a new session of the page: an answer to a request made in an
// earlier one (a poll still on its way at logout) is dropped, so one operator's terminals
// never appear on the next operator's screen.
let session = 0;

async function api(path, options = {}) {
  const asked = session;
  const response = await fetch(path, { credentials: "same-origin", ...options });
  if (asked !== session) return new Promise(() => {});
  if (response.status === 401 && path !== "/v1/ops/login") loggedOut();
  return response;
}

function cell(row, content) {
  const td = document.createElement("td");
  if (content instanceof Node) td.append(content); else td.textContent = content ?? "";
  row.append(td);
}

function badge(name) {
  const span = document.createElement("span");
  span.className = `badge s-${name}`;
  span.dataset.state = name;
  span.textContent = t(`state_${name}`);
  return span;
}

function badges(names) {
  const box = document.createElement("span");
  for (const n of names.length ? names : ["ok"]) box.append(badge(n));
  return box;
}

// The alert counts in the header, on every page.
function renderCounts() {
  const box = $("counts");
  box.replaceChildren();
  if (!state.alerts) return;
  for (const [kind, n] of Object.entries(state.alerts.counts)) {
    const b = badge(kind);
    b.dataset.alert = kind;
    b.textContent = `${t(`alert_${kind}`)} ${n}`;
    box.append(b);
  }
  if (state.alerts.unacknowledged) {
    const b = document.createElement("span");
    b.className = "badge";
    b.id = "unacknowledged";
    b.textContent = `${t("unacknowledged")} ${state.alerts.unacknowledged}`;
    box.append(b);
  }
}

function renderAlerts() {
  const body = $("alert-rows");
  body.replaceChildren();
  const mayAct = state.operator && ["admin", "operator"].includes(state.operator.role);
  for (const a of state.alerts.alerts) {
    const row = document.createElement("tr");
    row.dataset.alertId = a.id;
    row.dataset.kind = a.kind;
    row.dataset.deviceId = a.device_id;
    cell(row, new Date(a.raised_at).toLocaleString(lang));
    cell(row, t(`alert_${a.kind}`));
    cell(row, a.device_id);
    cell(row, a.platform_name || a.platform_id);
    cell(row, a.region);
    cell(row, a.detail);
    if (a.acknowledged_at) {
      cell(row, `${a.acknowledged_by} · ${new Date(a.acknowledged_at).toLocaleString(lang)}`);
    } else if (mayAct) {
      const button = document.createElement("button");
      button.textContent = t("acknowledge");
      button.addEventListener("click", () => acknowledge(a.id));
      cell(row, button);
    } else {
      cell(row, "");
    }
    body.append(row);
  }
  $("alerts-empty").hidden = state.alerts.alerts.length > 0;
  renderCounts();
}

async function loadAlerts() {
  const response = await api("/v1/ops/alerts");
  if (!response.ok) return;
  state.alerts = await response.json();
  renderAlerts();
}

async function acknowledge(id) {
  const response = await api(`/v1/ops/alerts/${id}/ack`, { method: "POST" });
  if (!response.ok) $("notice").textContent = t(response.status === 403 ? "forbidden" : "failed");
  loadAlerts();
}

function poll() {
  loadAlerts();
  loadFleet();
}

function renderFleet() {
  const body = $("fleet-rows");
  body.replaceChildren();
  for (const term of state.fleet.terminals) {
    const row = document.createElement("tr");
    row.dataset.deviceId = term.device_id;
    row.dataset.state = term.state;
    const hb = term.heartbeat || {};
    cell(row, term.status === "active" ? badges(term.conditions) : badge(term.status));
    cell(row, term.device_id);
    cell(row, term.platform_name || term.platform_id);
    cell(row, term.region);
    cell(row, term.last_seen ? new Date(term.last_seen).toLocaleString(lang) : t("never"));
    cell(row, hb.outbox_depth ?? "");
    cell(row, term.app_version || "");
    cell(row, hb.last_error || "");
    row.addEventListener("click", () => openTerminal(term.device_id));
    body.append(row);
  }
  $("fleet-summary").textContent = t("summary")(state.fleet.terminals.length, state.fleet.total);
}

async function loadFleet() {
  const params = new URLSearchParams({ sort: state.sort });
  for (const [key, id] of [["q", "filter-q"], ["region", "filter-region"], ["state", "filter-state"]]) {
    const value = $(id).value.trim();
    if (value) params.set(key, value);
  }
  const response = await api(`/v1/ops/fleet?${params}`);
  if (response.status === 403) { $("notice").textContent = t("forbidden"); return; }
  if (!response.ok) { $("notice").textContent = t("failed"); return; }
  $("notice").textContent = "";
  state.fleet = await response.json();
  state.polls += 1;
  renderFleet();
}

function fact(list, key, value) {
  const dt = document.createElement("dt");
  dt.textContent = t(key);
  const dd = document.createElement("dd");
  dd.textContent = value;
  list.append(dt, dd);
}

function renderTerminal() {
  const { terminal: term, commands } = state.terminal;
  const hb = term.heartbeat || {};
  $("terminal-id").textContent = `${term.device_id} · ${term.platform_name || term.platform_id}`;
  const facts = $("terminal-facts");
  facts.replaceChildren();
  fact(facts, "col_state", term.conditions.map((c) => t(`state_${c}`)).join("、") || t("state_ok"));
  fact(facts, "fact_serial", term.hardware_serial);
  fact(facts, "col_version", term.app_version || "");
  fact(facts, "fact_printer", t(`dev_${hb.printer ?? "unknown"}`));
  fact(facts, "fact_paper", t(`paper_${hb.paper ?? "unknown"}`));
  fact(facts, "fact_reader", t(`dev_${hb.reader ?? "unknown"}`));
  fact(facts, "col_outbox", hb.outbox_depth ?? "");
  fact(facts, "fact_locked", hb.locked ? t("yes") : t("no"));
  fact(facts, "fact_uptime", hb.uptime_s ?? "");
  fact(facts, "fact_bundles", Object.entries(hb.bundles || {}).map(([s, v]) => `${s} v${v}`).join(", "));
  fact(facts, "col_error", hb.last_error || "");
  const versions = (b) => Object.entries(b || {}).map(([k, v]) => `${k} v${v}`).join(", ");
  fillRows("terminal-history", state.terminal.history || [], (h) => [
    new Date(h.at).toLocaleString(lang),
    (h.state.conditions || []).map((c) => t(`state_${c}`)).join("、") || t("state_ok"),
    h.state.app_version, versions(h.state.bundles), h.state.outbox_depth, h.state.last_error || "",
  ]);
  const body = $("terminal-commands");
  body.replaceChildren();
  for (const c of commands) {
    const row = document.createElement("tr");
    row.dataset.commandId = c.command_id;
    row.dataset.state = c.state;
    const action = t(`action_${c.action.replace("-", "_")}`);
    for (const v of [new Date(c.issued_at).toLocaleString(lang), action, t(`cmd_${c.state}`)]) cell(row, v);
    if (c.has_logs) {
      const button = document.createElement("button");
      button.textContent = t("view_logs");
      button.addEventListener("click", () => showLogs(term.device_id, c.command_id));
      cell(row, button);
    } else {
      cell(row, c.detail);
    }
    body.append(row);
  }
  if (!commands.length) {
    const row = document.createElement("tr");
    cell(row, t("no_commands"));
    body.append(row);
  }
  $("terminal-view").hidden = false;
}

async function showLogs(deviceId, commandId) {
  const response = await api(`/v1/ops/terminals/${encodeURIComponent(deviceId)}/logs/${encodeURIComponent(commandId)}`);
  $("terminal-logs").textContent = response.ok ? await response.text() : t("failed");
  $("terminal-logs").hidden = false;
}

function commandAction() {
  const type = $("command-action").value;
  const text = $("command-text").value.trim();
  switch (type) {
    case "lock": return { type, notice: text };
    case "notice": return { type, text, until: null };
    case "reload": return { type, stream: null };
    case "upload-logs": return { type, max_bytes: null };
    default: return { type };
  }
}

async function sendCommand(event) {
  event.preventDefault();
  const action = commandAction();
  if ((action.type === "lock" || action.type === "notice") && !$("command-text").value.trim()) {
    $("command-result").textContent = t("need_text");
    return;
  }
  const target = { kind: $("command-kind").value, id: $("command-target").value.trim() };
  const response = await api("/v1/ops/commands", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ target, action }),
  });
  if (response.ok) {
    const sent = await response.json();
    state.lastSent = sent.commands;
    $("command-result").textContent = t("sent")(sent.commands.length);
    if (state.terminal) openTerminal(state.terminal.terminal.device_id);
  } else {
    const codes = { 403: "forbidden", 404: "no_terminal" };
    $("command-result").textContent = t(codes[response.status] || "failed");
  }
}

async function openTerminal(deviceId) {
  const response = await api(`/v1/ops/terminals/${encodeURIComponent(deviceId)}`);
  if (!response.ok) { $("notice").textContent = t(response.status === 403 ? "forbidden" : "failed"); return; }
  state.terminal = await response.json();
  if (!$("command-form").hidden) {
    $("command-kind").value = "terminal";
    $("command-target").value = deviceId;
  }
  renderTerminal();
}

// Replaces the rows of table body `id`: one row per item, its cells and data attributes.
function fillRows(id, items, cells, data = () => ({})) {
  const body = $(id);
  body.replaceChildren();
  for (const item of items) {
    const row = document.createElement("tr");
    Object.assign(row.dataset, data(item));
    for (const v of cells(item)) cell(row, v);
    body.append(row);
  }
}

async function loadAudit() {
  const response = await api("/v1/ops/audit");
  if (!response.ok) return;
  fillRows("audit-rows", await response.json(), (e) =>
    [new Date(e.at).toLocaleString(lang), e.username, e.source, e.action, e.target, e.outcome]);
}

async function loadBundles() {
  const response = await api("/v1/ops/bundles");
  if (!response.ok) return;
  const { published, in_force: inForce, terminals } = await response.json();
  $("bundles-summary").textContent = t("bundles_summary")(terminals);
  const applied = (b) => (inForce[b.stream] || {})[b.version] || 0;
  fillRows("bundle-rows", published,
    (b) => [b.stream, b.version, b.scope, b.published_at, b.expires_at, `${applied(b)} / ${terminals}`],
    (b) => ({ stream: b.stream, version: b.version }));
}

// Worst state per platform, from the fleet list: red, amber, green.
const SEVERE = ["overdue", "paper_out", "printer_fault", "reader_fault"];
function platformStates() {
  const out = {};
  for (const term of (state.fleet && state.fleet.terminals) || []) {
    const p = (out[term.platform_id] ||= { worst: "ok", count: 0, name: term.platform_name, region: term.region });
    p.count += 1;
    const c = term.conditions[0];
    if (c && SEVERE.includes(c)) p.worst = "bad";
    else if (c && p.worst === "ok") p.worst = "warn";
  }
  return out;
}

let leafletMap = null;
async function loadMap() {
  const [info, platforms] = await Promise.all([
    api("/v1/ops/map").then((r) => (r.ok ? r.json() : { tiles: false, metadata: {} })),
    api("/v1/ops/directory/platforms").then((r) => (r.ok ? r.json() : [])),
  ]);
  const states = platformStates();
  state.map = { tiles: info.tiles, platforms: Object.keys(states).length };
  $("map").hidden = !info.tiles;
  $("map-none").hidden = info.tiles;
  $("map-list").hidden = info.tiles;
  if (!info.tiles || !window.L) {
    fillRows("map-rows", Object.entries(states), ([, p]) => [
      t(`sev_${p.worst}`), p.name, p.region, p.count,
    ], ([id, p]) => ({ id, worst: p.worst }));
    return;
  }
  const m = info.metadata;
  const [lon, lat, zoom] = (m.center || "125.3,43.9,8").split(",").map(Number);
  if (!leafletMap) {
    leafletMap = L.map("map", { attributionControl: false }).setView([lat, lon], zoom);
    L.tileLayer("/ops/tiles/{z}/{x}/{y}", {
      minZoom: Number(m.minzoom || 0), maxZoom: 18, maxNativeZoom: Number(m.maxzoom || 18),
    }).addTo(leafletMap);
  }
  const colours = { bad: "#b3261e", warn: "#e08a00", ok: "#1b7f3b" };
  for (const p of platforms) {
    if (p.lat == null || p.lon == null) continue;
    const s = states[p.id] || { worst: "ok", count: 0 };
    L.circleMarker([p.lat, p.lon], { radius: 9, color: colours[s.worst], fillOpacity: 0.8 })
      .bindTooltip(`${p.name} · ${s.count}`).addTo(leafletMap);
  }
  state.map.markers = platforms.filter((p) => p.lat != null).length;
}

// Admins and operators add or change one entry; the registry checks it as a CSV line and
// names the field it refuses, shown beside that field.
const mayEditDirectory = () => ["admin", "operator"].includes(state.operator?.role);
const DIRECTORY_FIELDS = ["id", "name", "level", "region", "address", "lat", "lon", "phone", "hours", "services"];
let editingEntry = null;

async function loadDirectory() {
  const kind = $("directory-kind").value;
  $("directory-export").href = `/v1/ops/directory/${kind}/csv`;
  const response = await api(`/v1/ops/directory/${kind}`);
  if (!response.ok) return;
  const edit = (e) => {
    if (!mayEditDirectory()) return "";
    const button = document.createElement("button");
    button.type = "button";
    button.className = "directory-edit";
    button.textContent = t("edit_entry");
    button.addEventListener("click", () => openDirectoryForm(e));
    return button;
  };
  fillRows("directory-rows", await response.json(),
    (e) => [e.id, e.name, e.level, e.region, e.address, e.phone, e.hours, e.services, edit(e)],
    (e) => ({ id: e.id }));
}

function clearFieldErrors() {
  for (const el of document.querySelectorAll("#directory-form .field-error")) el.textContent = "";
  $("directory-form-error").textContent = "";
}

function openDirectoryForm(entry) {
  editingEntry = entry ? entry.id : null;
  const form = $("directory-form");
  for (const f of DIRECTORY_FIELDS) form.elements[f].value = entry ? (entry[f] ?? "") : (f === "level" ? "县区" : "");
  form.elements.id.readOnly = Boolean(entry);
  $("directory-form-title").textContent = t(entry ? "edit_entry" : "add_entry");
  clearFieldErrors();
  form.hidden = false;
}

async function saveDirectoryEntry(event) {
  event.preventDefault();
  const form = $("directory-form");
  const kind = $("directory-kind").value;
  const body = {};
  for (const f of DIRECTORY_FIELDS) body[f] = form.elements[f].value;
  const url = editingEntry
    ? `/v1/ops/directory/${kind}/entries/${encodeURIComponent(editingEntry)}`
    : `/v1/ops/directory/${kind}`;
  const response = await api(url, {
    method: editingEntry ? "PUT" : "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  clearFieldErrors();
  if (response.ok) {
    form.hidden = true;
    editingEntry = null;
    loadDirectory();
    return;
  }
  const answer = await response.json().catch(() => ({}));
  const slot = answer.field && form.querySelector(`[data-error-for="${answer.field}"]`);
  (slot || $("directory-form-error")).textContent = answer.message || t("failed");
}

async function importDirectory(event) {
  event.preventDefault();
  const file = $("directory-file").files[0];
  if (!file) return;
  const response = await api(`/v1/ops/directory/${$("directory-kind").value}/csv`, {
    method: "POST",
    headers: { "content-type": "text/csv" },
    body: await file.text(),
  });
  const answer = await response.json().catch(() => ({}));
  $("directory-report").textContent = response.ok ? t("imported")(answer.imported) : answer.message || t("failed");
  $("directory-report").hidden = false;
  loadDirectory();
}


// Demand analysis: each chart draws one view of /v1/ops/stats/{view}, the very table its CSV
// link downloads; the registry sums its rollups within the account's regions.
const charts = {};
const drill = { region: null, platform: null };
const isoDay = (d) => d.toISOString().slice(0, 10);
const DAY_MS = 86400000;

function statsDefaults() {
  if ($("stats-to").value) return;
  const to = new Date();
  const from = new Date(to.getTime() - 29 * DAY_MS);
  $("stats-to").value = isoDay(to);
  $("stats-from").value = isoDay(from);
}

// The period before the one shown, as long as it (the comparison's default).
function previousPeriod() {
  const from = new Date(`${$("stats-from").value}T00:00:00Z`);
  const to = new Date(`${$("stats-to").value}T00:00:00Z`);
  const days = Math.round((to - from) / DAY_MS) + 1;
  return [isoDay(new Date(from.getTime() - days * DAY_MS)), isoDay(new Date(from.getTime() - DAY_MS))];
}

function statsUrl(view, extra = {}) {
  const p = new URLSearchParams({ from: $("stats-from").value, to: $("stats-to").value, metric: $("stats-metric").value });
  const region = $("stats-region").value.trim();
  if (region) p.set("region", region);
  for (const [k, v] of Object.entries(extra)) if (v != null) p.set(k, v);
  return `/v1/ops/stats/${view}?${p}`;
}

async function statsView(view, extra) {
  const url = statsUrl(view, extra);
  $(`csv-${view}`).href = `${url}&format=csv`;
  const response = await api(url);
  if (!response.ok) {
    $("notice").textContent = t(response.status === 403 ? "forbidden" : "failed");
    return null;
  }
  return response.json();
}

async function loadStats() {
  statsDefaults();
  if (!$("stats-from2").value) [$("stats-from2").value, $("stats-to2").value] = previousPeriod();
  $("notice").textContent = "";
  const drillScope = drill.platform ? { platform: drill.platform, region: null } : drill.region ? { region: drill.region } : {};
  // The comparison: the earlier period (from2..to2) against the one shown.
  const compareExtra = { from: $("stats-from2").value, to: $("stats-to2").value, from2: $("stats-from").value, to2: $("stats-to").value };
  const [summary, trend, heatmap, ranking, drillTable, compare] = await Promise.all([
    statsView("summary"),
    statsView("trend", { by: $("stats-trend-by").value }),
    statsView("heatmap"),
    statsView("ranking", { by: $("stats-ranking-by").value }),
    statsView("drill", drillScope),
    statsView("compare", compareExtra),
  ]);
  state.stats = { summary, trend, heatmap, ranking, drill: drillTable, compare };
  // The canvas draws text only in fonts already loaded: the console's CJK font first.
  if (document.fonts) await document.fonts.load('14px "Kiosk Noto Sans CJK"').catch(() => {});
  renderStats();
  state.stats.drawn = true;
}

function chart(id) {
  if (!window.echarts) return null;
  if (!charts[id]) {
    charts[id] = echarts.init($(id), null, { renderer: "canvas" });
    if (id === "chart-drill") charts[id].on("click", drillInto);
  }
  return charts[id];
}

const CHART_FONT = { fontFamily: '"Kiosk Noto Sans CJK", "Noto Sans CJK SC", sans-serif', fontSize: 13 };
const label = (row) => row[2] || row[1];

function renderStats() {
  const s = state.stats;
  if (!s) return;
  if (s.summary) {
    fillRows("stats-summary-rows", s.summary.rows, (r) => [t(`m_${r[0]}`), r[2], r[3] ?? "–", r[4] ?? "–"],
      (r) => ({ metric: r[0], count: r[2] }));
  }
  const base = { textStyle: CHART_FONT, tooltip: { trigger: "item" }, animation: false };
  if (s.trend && chart("chart-trend")) {
    chart("chart-trend").setOption({ ...base, tooltip: { trigger: "axis" },
      grid: { left: 50, right: 20, top: 20, bottom: 40 },
      xAxis: { type: "category", data: s.trend.rows.map((r) => r[0]) },
      yAxis: { type: "value", minInterval: 1 },
      series: [{ type: "line", name: t(`m_${s.trend.metric}`), data: s.trend.rows.map((r) => r[1]), areaStyle: { opacity: 0.15 } }],
      color: ["#b3261e"] }, true);
  }
  if (s.heatmap && chart("chart-heatmap")) {
    const max = Math.max(1, ...s.heatmap.rows.map((r) => r[2]));
    chart("chart-heatmap").setOption({ ...base,
      grid: { left: 50, right: 20, top: 10, bottom: 90 },
      xAxis: { type: "category", data: [...Array(24).keys()].map(String), splitArea: { show: true } },
      yAxis: { type: "category", data: t("weekdays"), inverse: true, splitArea: { show: true } },
      visualMap: { min: 0, max, calculable: true, orient: "horizontal", left: "center", bottom: 0, textStyle: CHART_FONT,
        inRange: { color: ["#fbf2ef", "#e08a00", "#b3261e"] } },
      series: [{ type: "heatmap", name: t(`m_${s.heatmap.metric}`), data: s.heatmap.rows.map((r) => [r[1], r[0] - 1, r[2]]), label: { show: false } }] }, true);
  }
  const bars = (id, table) => {
    if (!table || !chart(id)) return;
    const rows = table.rows.slice(0, 15).reverse();
    chart(id).setOption({ ...base,
      grid: { left: 150, right: 30, top: 10, bottom: 30 },
      xAxis: { type: "value", minInterval: 1 },
      yAxis: { type: "category", data: rows.map(label), axisLabel: { width: 140, overflow: "truncate" } },
      series: [{ type: "bar", name: t(`m_${table.metric}`), data: rows.map((r) => ({ value: r[3], id: r[1], level: r[0] })), label: { show: true, position: "right" } }],
      color: ["#b3261e"] }, true);
  };
  bars("chart-ranking", s.ranking);
  bars("chart-drill", s.drill);
  renderDrillPath();
  if (s.compare && chart("chart-compare")) {
    const rows = s.compare.rows.slice(0, 12);
    chart("chart-compare").setOption({ ...base, tooltip: { trigger: "axis" },
      legend: { top: 0, textStyle: CHART_FONT },
      grid: { left: 50, right: 20, top: 30, bottom: 60 },
      xAxis: { type: "category", data: rows.map((r) => r[1]), axisLabel: { rotate: 20, width: 90, overflow: "truncate" } },
      yAxis: { type: "value", minInterval: 1 },
      series: [
        { type: "bar", name: `${t("period_a")} ${s.compare.from}–${s.compare.to}`, data: rows.map((r) => r[2]) },
        { type: "bar", name: `${t("period_b")}`, data: rows.map((r) => r[3]) },
      ],
      color: ["#c9c4be", "#b3261e"] }, true);
  }
}

// The drill-down's path (all regions › region › platform); each step goes back up.
function renderDrillPath() {
  const box = $("stats-drill-path");
  box.replaceChildren();
  const step = (text, onClick) => {
    const b = document.createElement("button");
    b.type = "button";
    b.textContent = text;
    b.addEventListener("click", onClick);
    box.append(b);
  };
  step(t("drill_all"), () => { drill.region = null; drill.platform = null; loadStats(); });
  if (drill.region) step(drill.region, () => { drill.platform = null; loadStats(); });
  if (drill.platform) step(drill.platform, () => {});
}

function drillInto(params) {
  const level = params.data && params.data.level;
  if (level === "region") drill.region = params.data.id;
  else if (level === "platform") drill.platform = params.data.id;
  else return;
  loadStats();
}

function loggedIn(operator) {
  session += 1;
  state.operator = operator;
  $("who").textContent = `${operator.username} · ${operator.role} · ${operator.regions.join(", ")}`;
  $("logout").hidden = false;
  $("tabs").hidden = false;
  $("counts").hidden = false;
  $("tab-audit").hidden = operator.role !== "admin";
  $("command-form").hidden = !["admin", "operator"].includes(operator.role);
  $("directory-import").hidden = operator.role !== "admin";
  $("directory-new").hidden = !mayEditDirectory();
  show("fleet-view");
  poll();
  clearInterval(pollTimer);
  pollTimer = setInterval(poll, pollMs);
}

function loggedOut() {
  session += 1;
  clearInterval(pollTimer);
  state.operator = null;
  state.fleet = null;
  state.alerts = null;
  state.terminal = null;
  state.stats = null;
  drill.region = null;
  drill.platform = null;
  for (const id of ["logout", "tabs", "counts"]) $(id).hidden = true;
  $("who").textContent = "";
  $("fleet-rows").replaceChildren();
  $("terminal-view").hidden = true;
  $("command-form").hidden = true;
  show("login-view");
}

$("login-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  $("login-error").textContent = "";
  const response = await api("/v1/ops/login", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ username: $("username").value, password: $("password").value }),
  });
  $("password").value = "";
  if (response.ok) loggedIn(await response.json());
  else $("login-error").textContent = t(response.status === 429 ? "locked_out" : "wrong_login");
});

$("logout").addEventListener("click", async () => {
  await api("/v1/ops/logout", { method: "POST" });
  loggedOut();
});

$("lang").addEventListener("change", () => {
  lang = $("lang").value;
  localStorage.setItem("ops-lang", lang);
  translate();
});

for (const b of document.querySelectorAll("#tabs button")) b.addEventListener("click", () => show(b.dataset.view));
for (const th of document.querySelectorAll("th[data-sort]")) {
  th.addEventListener("click", () => { state.sort = th.dataset.sort; loadFleet(); });
}
for (const id of ["filter-q", "filter-region", "filter-state"]) $(id).addEventListener("change", loadFleet);
$("terminal-close").addEventListener("click", () => { state.terminal = null; $("terminal-view").hidden = true; });
$("command-form").addEventListener("submit", sendCommand);
$("directory-kind").addEventListener("change", loadDirectory);
$("directory-import").addEventListener("submit", importDirectory);
$("directory-new").addEventListener("click", () => openDirectoryForm(null));
$("directory-form").addEventListener("submit", saveDirectoryEntry);
$("directory-cancel").addEventListener("click", () => { $("directory-form").hidden = true; editingEntry = null; });
$("stats-filters").addEventListener("submit", (event) => {
  event.preventDefault();
  drill.region = null;
  drill.platform = null;
  [$("stats-from2").value, $("stats-to2").value] = previousPeriod();
  loadStats();
});
for (const id of ["stats-trend-by", "stats-ranking-by", "stats-from2", "stats-to2"]) $(id).addEventListener("change", loadStats);
window.addEventListener("resize", () => { for (const c of Object.values(charts)) c.resize(); });

translate();
api("/v1/ops/me").then(async (r) => (r.ok ? loggedIn(await r.json()) : show("login-view")));
