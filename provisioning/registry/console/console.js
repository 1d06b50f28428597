// The lawyer's console: log in, watch the queue of waiting calls in the regions served,
// answer one, talk with the citizen through the browser's own WebRTC, mute, hang up.
// Frames: provisioning/signalling.md. The terminal makes the offer; the console answers.
"use strict";

const $ = (id) => document.getElementById(id);

// What tests (and curious staff, from the developer tools) can read.
const state = {
  phase: "logged-out", // logged-out | idle | connecting | in-call
  callId: null,
  lastEnded: null, // {call_id, by, reason}
  queue: [],
  muted: false,
  mediaConnected: false,
};
window.lawyerConsole = { state, peer: () => peer };

let socket = null;
let peer = null;
let localStream = null;
let ice = { ice_servers: [], ice_transport_policy: "all" };
let pendingCandidates = [];
let remoteDescriptionSet = false;
let reconnectTimer = null;

function show(view) {
  for (const id of ["login-view", "queue-view", "call-view"]) {
    $(id).hidden = id !== view;
  }
}

function notice(text) {
  $("notice").textContent = text;
}

function send(frame) {
  if (socket && socket.readyState === WebSocket.OPEN) {
    socket.send(JSON.stringify(frame));
  }
}

function formatWait(seconds) {
  const m = Math.floor(seconds / 60);
  const s = String(seconds % 60).padStart(2, "0");
  return `${m}:${s}`;
}

function renderQueue() {
  const body = $("queue");
  body.replaceChildren();
  for (const call of state.queue) {
    const row = document.createElement("tr");
    row.dataset.callId = call.call_id;
    for (const text of [
      call.region,
      call.platform_name || call.platform_id,
      formatWait(call.waiting_s),
      // A booked video consultation (issue 20) is marked; it waits ahead of the others.
      (call.booked ? "预约 · " : "") + (call.category || "—"),
    ]) {
      const cell = document.createElement("td");
      cell.textContent = text;
      row.append(cell);
    }
    const cell = document.createElement("td");
    const answer = document.createElement("button");
    answer.textContent = "接听 (Answer)";
    answer.className = "answer";
    answer.disabled = state.phase !== "idle";
    answer.addEventListener("click", () => answerCall(call));
    cell.append(answer);
    row.append(cell);
    body.append(row);
  }
  $("queue-count").textContent = String(state.queue.length);
  $("queue-empty").hidden = state.queue.length > 0;
}

async function login(event) {
  event.preventDefault();
  $("login-error").textContent = "";
  const response = await fetch("/v1/lawyer/login", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ username: $("username").value, password: $("password").value }),
    credentials: "same-origin",
  });
  $("password").value = "";
  if (!response.ok) {
    const error = await response.json().catch(() => ({ message: response.statusText }));
    $("login-error").textContent = `登录失败：${error.message}`;
    return;
  }
  const who = await response.json();
  $("who").textContent = `${who.display_name}（${who.regions.join("、")}）`;
  $("logout").hidden = false;
  state.phase = "idle";
  show("queue-view");
  connect();
}

async function logout() {
  if (state.callId) {
    hangUp();
  }
  clearTimeout(reconnectTimer);
  state.phase = "logged-out";
  if (socket) {
    socket.onclose = null;
    socket.close();
    socket = null;
  }
  await fetch("/v1/lawyer/logout", { method: "POST", credentials: "same-origin" });
  $("logout").hidden = true;
  $("who").textContent = "";
  show("login-view");
}

function connect() {
  socket = new WebSocket(`wss://${location.host}/v1/signal/lawyer`);
  $("connection-state").textContent = "正在连接…";
  socket.onopen = () => {
    $("connection-state").textContent = "已连接，等待来电。";
  };
  socket.onmessage = (message) => {
    let frame;
    try {
      frame = JSON.parse(message.data);
    } catch {
      return;
    }
    handle(frame).catch((e) => notice(`出错：${e}`));
  };
  socket.onclose = () => {
    $("connection-state").textContent = "连接已断开，正在重连…";
    if (state.callId) {
      endCall({ call_id: state.callId, by: "registry", reason: "peer_gone" });
    }
    if (state.phase !== "logged-out") {
      reconnectTimer = setTimeout(connect, 2000);
    }
  };
}

async function handle(frame) {
  switch (frame.type) {
    case "welcome":
      ice = frame.ice;
      break;
    case "queue":
      state.queue = frame.calls;
      renderQueue();
      break;
    case "connected":
      // TURN credentials minted for this call (time-limited) replace the welcome's.
      if (frame.ice) ice = frame.ice;
      await startCall(frame.call);
      break;
    case "sdp":
      if (frame.description.kind === "offer") {
        await acceptOffer(frame.description.sdp);
      }
      break;
    case "ice":
      await addCandidate(frame.candidate);
      break;
    case "media_connected":
      state.mediaConnected = true;
      $("call-state").textContent = "通话已接通。";
      break;
    case "ended":
      endCall(frame);
      break;
    case "error":
      notice(frame.message);
      if (state.phase === "connecting" && !state.callId) {
        state.phase = "idle";
        renderQueue();
      }
      break;
  }
}

function answerCall(call) {
  if (state.phase !== "idle") {
    return;
  }
  state.phase = "connecting";
  notice("");
  renderQueue();
  send({ type: "answer", call_id: call.call_id });
}

function iceServers() {
  return ice.ice_servers.map((s) => ({
    urls: s.urls,
    username: s.username || undefined,
    credential: s.credential || undefined,
  }));
}

async function startCall(call) {
  state.callId = call.call_id;
  state.lastEnded = null;
  state.phase = "in-call";
  state.mediaConnected = false;
  state.muted = false;
  $("mute").textContent = "静音 (Mute)";
  $("call-where").textContent = `${call.platform_name}（${call.region}）${call.category ? "· " + call.category : ""}`;
  $("call-state").textContent = "正在建立通话…";
  show("call-view");
  pendingCandidates = [];
  remoteDescriptionSet = false;
  peer = new RTCPeerConnection({
    iceServers: iceServers(),
    iceTransportPolicy: ice.ice_transport_policy === "relay" ? "relay" : "all",
  });
  peer.onicecandidate = (event) => {
    if (event.candidate && event.candidate.candidate) {
      send({
        type: "ice",
        candidate: {
          sdp_mline_index: event.candidate.sdpMLineIndex ?? 0,
          candidate: event.candidate.candidate,
        },
      });
    }
  };
  peer.ontrack = (event) => {
    const video = $("remote-video");
    if (!video.srcObject) {
      video.srcObject = new MediaStream();
    }
    video.srcObject.addTrack(event.track);
  };
  peer.onconnectionstatechange = () => {
    if (peer && peer.connectionState === "failed") {
      $("call-state").textContent = "网络中断。";
    }
  };
  localStream = await navigator.mediaDevices.getUserMedia({ video: true, audio: true });
  $("local-video").srcObject = localStream;
  if (!peer) {
    return; // ended while the camera was opening
  }
  for (const track of localStream.getTracks()) {
    peer.addTrack(track, localStream);
  }
}

async function acceptOffer(sdp) {
  // The offer may arrive before the camera is open: wait for the peer to exist.
  for (let i = 0; !localStream && peer && i < 100; i++) {
    await new Promise((r) => setTimeout(r, 50));
  }
  if (!peer) {
    return;
  }
  await peer.setRemoteDescription({ type: "offer", sdp });
  remoteDescriptionSet = true;
  for (const c of pendingCandidates) {
    await peer.addIceCandidate(c);
  }
  pendingCandidates = [];
  const answer = await peer.createAnswer();
  await peer.setLocalDescription(answer);
  send({ type: "sdp", description: { kind: "answer", sdp: peer.localDescription.sdp } });
}

async function addCandidate(candidate) {
  const init = { candidate: candidate.candidate, sdpMLineIndex: candidate.sdp_mline_index };
  if (!peer || !remoteDescriptionSet) {
    pendingCandidates.push(init);
    return;
  }
  await peer.addIceCandidate(init);
}

function toggleMute() {
  if (!localStream) {
    return;
  }
  state.muted = !state.muted;
  for (const track of localStream.getAudioTracks()) {
    track.enabled = !state.muted;
  }
  $("mute").textContent = state.muted ? "取消静音 (Unmute)" : "静音 (Mute)";
}

function hangUp() {
  if (!state.callId) {
    return;
  }
  send({ type: "hangup", reason: "normal" });
  endCall({ call_id: state.callId, by: "lawyer", reason: "normal" });
}

function endCall(frame) {
  state.lastEnded = frame;
  state.callId = null;
  state.mediaConnected = false;
  if (peer) {
    peer.close();
    peer = null;
  }
  if (localStream) {
    for (const track of localStream.getTracks()) {
      track.stop();
    }
    localStream = null;
  }
  $("remote-video").srcObject = null;
  $("local-video").srcObject = null;
  const by = { citizen: "市民", lawyer: "您", registry: "系统" }[frame.by] || frame.by;
  notice(`通话已结束（${by}挂断，${frame.reason}）。`);
  if (state.phase !== "logged-out") {
    state.phase = "idle";
    show("queue-view");
    renderQueue();
  }
}

document.addEventListener("DOMContentLoaded", () => {
  $("login-form").addEventListener("submit", (e) => {
    login(e).catch((err) => {
      $("login-error").textContent = `登录失败：${err}`;
    });
  });
  $("logout").addEventListener("click", () => logout());
  $("mute").addEventListener("click", toggleMute);
  $("hangup").addEventListener("click", hangUp);
  show("login-view");
});
