// The door app: pair this device, read QR codes with the camera (or a hand scanner typing
// into the code field), ask the door API for each decision and show it full screen; without
// a connection, decide from the event's offline list and send the scans later
// (door-offline.js). The scanner key from pairing is kept in this browser's localStorage only.

import * as camera from "./door-camera.js";
import * as network from "./door-network.js";
import * as offline from "./door-offline.js";
import { signal } from "./door-signal.js";
import { forgetAll } from "./door-store.js";

const STORE = "tp-door";
const SAME_CODE_MS = 2500; // the camera sees one ticket many times a second
const RESULT_MS = 2200;
const FIGURES_EVERY_MS = 5000;
const ONLINE_WAIT_MS = 2500; // then the device decides alone
const UPLOAD_EVERY_MS = 10000;
const LIST_EVERY_MS = 5 * 60 * 1000;

const texts = JSON.parse(document.getElementById("door-texts").textContent);
const lang = document.documentElement.lang || "en";
// Times as this device writes them (en-GB: 19:32), in the page's language.
const locale = (navigator.language || "").startsWith(lang) ? navigator.language : lang;
const $ = (id) => document.getElementById(id);

function say(key, values = {}) {
  return (texts[key] || key).replace(/%\((\w+)\)s/g, (_, name) => values[name] ?? "");
}

const state = {
  load() {
    try {
      return JSON.parse(localStorage.getItem(STORE)) || null;
    } catch {
      return null;
    }
  },
  save(value) {
    localStorage.setItem(STORE, JSON.stringify(value));
  },
  clear() {
    localStorage.removeItem(STORE);
  },
};

let device = state.load();
let last = { text: "", at: 0 };
let figuresTimer = null;
let deciding = Promise.resolve();

async function api(path, options = {}) {
  const headers = { Accept: "application/json" };
  if (options.body !== undefined) headers["Content-Type"] = "application/json";
  if (device && device.key) headers.Authorization = `Bearer ${device.key}`;
  const waited = options.timeoutMs ? AbortSignal.timeout(options.timeoutMs) : undefined;
  const response = await fetch(path, {
    method: options.method || "GET",
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
    credentials: "omit",
    cache: "no-store",
    signal: waited,
  });
  const data = await response.json().catch(() => ({}));
  return { ok: response.ok, status: response.status, data };
}

// --- pairing ---------------------------------------------------------------------------

function pairingCodeIn(text) {
  const found = /#pair=([A-Za-z0-9-]+)/.exec(text);
  return found ? found[1] : null;
}

async function pair(code) {
  const problem = $("pair-code-error");
  problem.textContent = "";
  let answer;
  try {
    answer = await api("/api/v1/door/pair", { method: "POST", body: { code } });
  } catch {
    problem.textContent = say("noConnection");
    return;
  }
  if (!answer.ok) {
    problem.textContent = say("pairFailed");
    $("pair-code").setAttribute("aria-invalid", "true");
    return;
  }
  const { key, name, scannerId, events, gate } = answer.data;
  // The gate set for this scanner in the console, if any: the staff may still change it.
  const first = events.length ? events[0].id : null;
  device = { key, name, scannerId, events, eventId: first, gate: gate || "", direction: "in" };
  state.save(device);
  history.replaceState(null, "", location.pathname + location.search);
  banner(say("paired", { name }));
  showScan();
}

function showPair() {
  $("pair").hidden = false;
  $("scan").hidden = true;
  $("device").hidden = true;
  stopFigures();
}

// --- scanning --------------------------------------------------------------------------

async function loadList() {
  if (!device || !device.eventId) return;
  const pack = await offline.loadList(device.eventId, async (eventId) => {
    if (!network.reachable()) return null; // the list kept on the device
    const answer = await api(`/api/v1/checkin/events/${eventId}/offline`, { timeoutMs: 10000 });
    return answer.ok ? answer.data : null;
  });
  const state = $("list-state");
  state.textContent = pack
    ? say("listReady", { count: String(pack.tickets.length), time: clock(pack.generatedAt) })
    : say("noList");
}

async function flush() {
  if (!device || !network.reachable()) return updateBanner();
  try {
    const done = await offline.upload((body) =>
      api("/api/v1/checkin/upload", { method: "POST", body, timeoutMs: 15000 }),
    );
    if (done.conflicts.length) banner(say("conflictsSent", { count: String(done.conflicts.length) }));
  } catch {
    // still no network: the scans wait
  }
  await updateBanner();
  refreshFigures();
}

async function updateBanner() {
  const waiting = await offline.waitingCount();
  const element = $("offline");
  if (!navigator.onLine) element.textContent = say("offlineWaiting", { count: String(waiting) });
  else if (network.isStalled()) element.textContent = say("noAnswerWaiting", { count: String(waiting) });
  else element.textContent = waiting ? say("waiting", { count: String(waiting) }) : "";
  element.hidden = !element.textContent;
}

function showScan() {
  $("pair").hidden = true;
  $("scan").hidden = false;
  $("device").hidden = false;
  $("device").textContent = device.name;
  const select = $("event");
  select.replaceChildren(
    ...device.events.map((event) => new Option(event.name, String(event.id), false, event.id === device.eventId)),
  );
  $("gate").value = device.gate || "";
  document.querySelector(`input[name="direction"][value="${device.direction || "in"}"]`).checked = true;
  startFigures();
  startCamera();
  loadList();
  flush();
}

function remember() {
  device.eventId = Number($("event").value) || null;
  device.gate = $("gate").value.trim();
  device.direction = document.querySelector('input[name="direction"]:checked').value;
  state.save(device);
}

function newScan() {
  remember();
  return {
    nonce: crypto.randomUUID(),
    eventId: device.eventId,
    gate: device.gate,
    device: device.name,
    direction: device.direction,
  };
}

// Does the service answer at all? (Any HTTP answer will do: it is the network in question.)
async function probeService() {
  if (!device) return true; // unpaired meanwhile: nothing left to ask about
  const answer = await api(`/api/v1/events/${device.eventId}/live`, { timeoutMs: network.PROBE_WAIT_MS });
  return answer.status > 0;
}

// The door API's answer to ``body`` at ``path``, or null when the network is down or stalls
// (then the next scans are decided here at once until a probe gets an answer: door-network.js).
async function askService(path, body) {
  if (!network.reachable()) return null;
  try {
    return await api(path, { method: "POST", body, timeoutMs: ONLINE_WAIT_MS });
  } catch {
    network.noAnswer(probeService, flush);
    return null;
  }
}

// Ask the door API (``path`` with ``body``); when it does not answer in time, ``alone()``
// decides on this device and the scan waits to be sent.
async function decideOnlineOrHere(path, body, alone) {
  const answer = await askService(path, body);
  if (answer && !answer.ok) {
    const code = answer.data && answer.data.error ? answer.data.error.code : "";
    show("bad", say(code in texts ? code : "refused"), "", "");
    if (code === "unauthenticated") forget();
    return;
  }
  if (answer) {
    showDecision(answer.data);
    await offline.remember(body.eventId, answer.data);
    return;
  }
  const local = await alone();
  if (!local) {
    show("warn", say("noList"), "", "");
    return;
  }
  showDecision(local);
  updateBanner();
}

function check(text) {
  const scan = newScan();
  return decideOnlineOrHere("/api/v1/checkin/scan", { ...scan, qrPayload: text }, () =>
    offline.decide(text, scan),
  );
}

// --- guests without a code ---------------------------------------------------------------

async function findGuests(text) {
  remember();
  const problem = $("find-error");
  problem.textContent = "";
  let found = null;
  if (network.reachable()) {
    try {
      const query = new URLSearchParams({ q: text });
      const answer = await api(`/api/v1/checkin/events/${device.eventId}/guests?${query}`, {
        timeoutMs: ONLINE_WAIT_MS,
      });
      if (answer.ok) found = answer.data.items;
      else if (answer.status === 400) {
        problem.textContent = say("q_too_short");
        return;
      }
    } catch {
      // offline: the list on this device
    }
  }
  if (found === null) found = offline.findInList(device.eventId, text);
  showGuests(found || []);
}

function showGuests(guests) {
  const list = $("guest-list");
  if (!guests.length) {
    const none = document.createElement("li");
    none.textContent = say("noGuests");
    list.replaceChildren(none);
    return;
  }
  list.replaceChildren(
    ...guests.map((guest) => {
      const item = document.createElement("li");
      const who = guest.attendeeName || guest.ticketId;
      const about = document.createElement("span");
      about.textContent = `${who} · ${guest.tierName} · ${say(`status_${guest.status}`)}`;
      const button = document.createElement("button");
      button.type = "button";
      button.textContent = say(device.direction === "out" ? "letOutGuest" : "admitGuest", { name: who });
      button.addEventListener("click", () => {
        deciding = deciding.then(() => admitByHand(guest.ticketId)).catch(() => {});
      });
      item.append(about, button);
      return item;
    }),
  );
}

function admitByHand(ticketId) {
  seenAt = performance.now();
  const scan = newScan();
  return decideOnlineOrHere("/api/v1/checkin/admit", { ...scan, ticketId }, () =>
    offline.decideByHand(ticketId, scan),
  );
}

function clock(iso) {
  return new Date(iso).toLocaleTimeString(locale, { hour: "2-digit", minute: "2-digit" });
}

// A time today as 19:32; another day's with its date (Sat 12 Dec, 19:32).
function when(iso) {
  const at = new Date(iso);
  if (at.toDateString() === new Date().toDateString()) return clock(iso);
  const day = { weekday: "short", day: "numeric", month: "short" };
  return at.toLocaleString(locale, { ...day, hour: "2-digit", minute: "2-digit" });
}

function showDecision(result) {
  const who = result.attendeeName || "";
  const what = result.tierName || "";
  if (result.success) {
    show("ok", say(result.direction === "out" ? "leftVenue" : "admitted"), who, what);
  } else if (result.reason === "already_checked_in" && result.firstCheckedInAt) {
    const values = { time: clock(result.firstCheckedInAt), gate: result.firstGate || "" };
    show("warn", say(result.firstGate ? "alreadyInAt" : "alreadyIn", values), who, what);
  } else if (result.reason === "not_yet_valid" && result.admissionOpensAt) {
    show("bad", say("notYetValidAt", { time: when(result.admissionOpensAt) }), who, what);
  } else {
    show("bad", say(result.reason in texts ? result.reason : "refused"), who, what);
  }
}

let hideTimer = null;

function show(kind, verdict, who, what) {
  const box = $("result");
  box.className = `result ${kind}`;
  box.querySelector(".verdict").textContent = verdict;
  box.querySelector(".who").textContent = who;
  box.querySelector(".what").textContent = what;
  box.hidden = false;
  // How long from the code read to the answer on screen, and whether this phone decided
  // (offline, or the network stalls) rather than the service: bench/door_app_bench.py listens.
  const since = seenAt;
  const here = !network.reachable();
  requestAnimationFrame(() =>
    document.dispatchEvent(new CustomEvent("door:shown", { detail: { ms: performance.now() - since, kind, here } })),
  );
  signal(kind);
  clearTimeout(hideTimer);
  hideTimer = setTimeout(() => { box.hidden = true; }, RESULT_MS);
}

// --- the camera (door-camera.js) -------------------------------------------------------

const cameraHint = $("camera-note").textContent;

function startCamera() {
  return camera.start($("video"), {
    onCode: seen,
    onOpened: () => {
      $("camera-start").hidden = true;
      $("camera-note").textContent = cameraHint;
    },
    onRefused: () => {
      $("camera-note").textContent = say("noCamera");
      $("camera-start").hidden = false;
    },
  });
}

let seenAt = 0;

function seen(text) {
  const now = Date.now();
  seenAt = performance.now();
  if (text === last.text && now - last.at < SAME_CODE_MS) return;
  last = { text, at: now };
  const code = pairingCodeIn(text);
  if (code) {
    if (!device) pair(code); // once paired, the console's QR code still in view is no ticket
    return;
  }
  if (!device) {
    // Said under the camera, not beside the code field: a ticket held up to an unpaired
    // phone must not overwrite what the field says about a code typed there.
    $("camera-note").textContent = say("notPairingCode");
    return;
  }
  // One decision at a time: two codes read in a blink are decided in the order seen.
  deciding = deciding.then(() => check(text)).catch(() => {});
}

function stopCamera() {
  camera.stop($("video"));
}

// --- figures ---------------------------------------------------------------------------

async function refreshFigures() {
  // While the network stalls the probe asks instead: hanging requests would pile up.
  if (!device || !device.eventId || !network.reachable()) return;
  try {
    const answer = await api(`/api/v1/events/${device.eventId}/live`);
    if (answer.ok) {
      document.querySelectorAll("#figures [data-figure]").forEach((element) => {
        element.textContent = String(answer.data[element.dataset.figure]);
      });
      showConflicts(answer.data.conflicts || []);
    }
  } catch {
    // offline: the figures wait for the network
  }
}

function showConflicts(conflicts) {
  const list = $("conflict-list");
  list.replaceChildren(
    ...conflicts.map((conflict) => {
      const item = document.createElement("li");
      const who = offline.attendee(device.eventId, conflict.ticketId) || conflict.ticketId;
      item.textContent = say("conflictItem", {
        ticket: who,
        gate: conflict.gate || conflict.device || "–",
        time: clock(conflict.at),
        reason: say(conflict.reason in texts ? conflict.reason : "refused"),
      });
      return item;
    }),
  );
  $("conflicts").hidden = conflicts.length === 0;
}

function startFigures() {
  stopFigures();
  refreshFigures();
  figuresTimer = setInterval(refreshFigures, FIGURES_EVERY_MS);
}

function stopFigures() {
  if (figuresTimer) clearInterval(figuresTimer);
  figuresTimer = null;
}

// --- the rest --------------------------------------------------------------------------

function banner(text) {
  const element = $("banner");
  element.textContent = text;
  element.hidden = !text;
}

function forget() {
  state.clear();
  forgetAll();
  device = null;
  stopCamera();
  showPair();
}

$("pair-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const code = $("pair-code").value.trim();
  if (code) pair(code);
});
$("code-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const text = $("code").value.trim();
  $("code").value = "";
  if (text) seen(text);
});
$("find-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const text = $("find").value.trim();
  if (text.length < 2) {
    $("find-error").textContent = say("q_too_short");
    return;
  }
  findGuests(text);
});
$("setup").addEventListener("change", () => {
  remember();
  startFigures();
  loadList();
});
window.addEventListener("online", flush);
window.addEventListener("offline", updateBanner);
setInterval(flush, UPLOAD_EVERY_MS);
setInterval(loadList, LIST_EVERY_MS);
if ("serviceWorker" in navigator) {
  navigator.serviceWorker.register("/door/sw.js", { scope: "/door" }).catch(() => {});
}
$("camera-start").addEventListener("click", startCamera);
$("result-close").addEventListener("click", () => { $("result").hidden = true; });
$("unpair").addEventListener("click", forget);

const fromLink = pairingCodeIn(location.hash);
if (device) {
  showScan();
} else {
  showPair();
  startCamera(); // a pairing QR code can be scanned in the app too
  if (fromLink) {
    $("pair-code").value = fromLink;
    pair(fromLink);
  }
}
