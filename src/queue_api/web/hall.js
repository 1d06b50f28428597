// The hall display: now serving, last calls, waiting per service, the notice; each new call
// is shown large, with a chime and, where the browser has a Mandarin voice, spoken — then in
// Korean too when the centre enables it (the terminal sends the Korean sentence).
// Numbers only: the terminal never sends names.
"use strict";

let seen = null;          // keys of calls already announced
let audio = null;         // AudioContext once sound is allowed
const queue = [];         // calls waiting to be announced
let speaking = false;
// Every sentence announced, in order (what a test reads; a TV without voices still shows it).
window.__announced = [];

function callKey(c) { return c.number + "|" + c.counter_id + "|" + c.called_at; }

function callText(c) { return "请" + c.number + "号到" + c.counter_name + "办理"; }

function render(hall) {
  text(el("centre"), hall.centre_name);
  el("now-serving").replaceChildren(...hall.now_serving.map((c) => {
    const tr = document.createElement("tr");
    const n = document.createElement("td");
    n.textContent = c.number;
    const arrow = document.createElement("td");
    arrow.textContent = "→";
    const counter = document.createElement("td");
    counter.className = "counter";
    counter.textContent = c.counter_name;
    tr.append(n, arrow, counter);
    tr.dataset.number = c.number;
    return tr;
  }));
  el("last-calls").replaceChildren(...hall.last_calls.map((c) => {
    const li = document.createElement("li");
    li.textContent = c.number + " → " + c.counter_name + "  " + clockOf(c.called_at);
    return li;
  }));
  el("waiting").replaceChildren(...hall.services.map((s) => {
    const tr = document.createElement("tr");
    const name = document.createElement("td");
    name.textContent = s.prefix + " " + s.name;
    const n = document.createElement("td");
    n.textContent = s.waiting + " 人";
    n.dataset.service = s.service_id;
    tr.append(name, n);
    return tr;
  }));
  const notice = el("notice");
  notice.hidden = !hall.notice;
  text(notice, hall.notice || "");

  // Oldest first, so several calls in one update are announced in order.
  const calls = hall.last_calls.slice().reverse();
  if (seen === null) {
    seen = new Set(calls.map(callKey));
    if (hall.last_calls.length) text(el("call-text"), callText(hall.last_calls[0]));
    return;
  }
  for (const c of calls) {
    const key = callKey(c);
    if (!seen.has(key)) {
      seen.add(key);
      text(el("call-text"), callText(c));
      queue.push(c);
    }
  }
  announce();
}

function chime() {
  if (!audio || audio.state !== "running") return 0;
  const now = audio.currentTime;
  [[880, 0], [660, 0.35]].forEach(([freq, at]) => {
    const osc = audio.createOscillator();
    const gain = audio.createGain();
    osc.frequency.value = freq;
    gain.gain.setValueAtTime(0.0001, now + at);
    gain.gain.exponentialRampToValueAtTime(0.4, now + at + 0.02);
    gain.gain.exponentialRampToValueAtTime(0.0001, now + at + 0.6);
    osc.connect(gain).connect(audio.destination);
    osc.start(now + at);
    osc.stop(now + at + 0.65);
  });
  return 900;
}

function voiceFor(pattern) {
  if (!("speechSynthesis" in window)) return null;
  return speechSynthesis.getVoices().find((v) => pattern.test(v.lang)) || null;
}

const MANDARIN = /^zh(-|_)?(CN|Hans)?/i;
const KOREAN = /^ko/i;

// Speaks `sentences` ([text, voice pattern]) one after the other, then `done`.
function speakAll(sentences, done) {
  if (sentences.length === 0) { done(); return; }
  const [sentence, pattern] = sentences[0];
  const rest = () => speakAll(sentences.slice(1), done);
  const voice = voiceFor(pattern);
  if (!voice || !audio) { rest(); return; }
  const u = new SpeechSynthesisUtterance(sentence);
  u.voice = voice;
  u.lang = voice.lang;
  u.rate = 0.9;
  u.onend = u.onerror = rest;
  speechSynthesis.speak(u);
}

function announce() {
  if (speaking || queue.length === 0) return;
  const c = queue.shift();
  speaking = true;
  const sentences = [[callText(c), MANDARIN]];
  if (c.spoken_ko) sentences.push([c.spoken_ko, KOREAN]);
  window.__announced.push(...sentences.map(([sentence]) => sentence));
  const pause = chime();
  setTimeout(() => speakAll(sentences, () => { speaking = false; announce(); }), pause);
}

function enableSound() {
  try {
    audio = audio || new (window.AudioContext || window.webkitAudioContext)();
    audio.resume().then(() => { el("sound").hidden = audio.state === "running"; });
  } catch (e) {
    el("sound").hidden = true;
  }
}

function tick() {
  const d = new Date();
  const pad = (n) => String(n).padStart(2, "0");
  text(el("clock"), pad(d.getHours()) + ":" + pad(d.getMinutes()));
}

el("sound").addEventListener("click", enableSound);
// A TV browser started with an autoplay permission needs no click.
enableSound();
tick();
setInterval(tick, 10000);
follow("/api/hall/stream", "hall", render, (ok) => { el("connection").hidden = ok; });
