// Deciding at the door without a connection, from the event's offline list: the code's
// signature is checked in the browser, the ticket looked up in the list, and this device
// never lets the same ticket in twice. What it let in or out waits in a queue, and is sent
// through the door API's idempotent upload when the network is back; a ticket another gate
// admitted too then comes back as a conflict (docs/checkin.md, Offline scanning).

import { prepareVerifier, readCode, verifyCode } from "./door-code.js";
import { enqueue, queued, read, sent, write } from "./door-store.js";

const CANCELLED = 5;
const CREATED = 1;
const SCANNED_IN = 3;
const SCANNED_OUT = 4;
const UPLOAD_AT_MOST = 500;

const lists = new Map(); // event id -> { pack, byReference }

function indexed(pack) {
  return { pack, byReference: new Map(pack.tickets.map((row) => [row[0], row])) };
}

// The event's offline list: kept on the device, refreshed from the service when online.
export async function loadList(eventId, fetchPack) {
  try {
    const fresh = await fetchPack(eventId);
    if (fresh) {
      await write(`pack:${eventId}`, fresh);
      lists.set(eventId, indexed(fresh));
      await prepareVerifier(fresh.keys);
      return fresh;
    }
  } catch {
    // offline: the list kept from before
  }
  if (!lists.has(eventId)) {
    const kept = await read(`pack:${eventId}`);
    if (kept) {
      lists.set(eventId, indexed(kept));
      await prepareVerifier(kept.keys);
    }
  }
  return lists.has(eventId) ? lists.get(eventId).pack : null;
}

function refusal(reason, row) {
  return { success: false, reason, attendeeName: row ? row[3] : null, tierName: row ? row[4] : null };
}

// One decision without the service, in the door API's answer shape (``offline: true``);
// null when this device holds no list of the event.
export async function decide(text, scan) {
  const list = lists.get(scan.eventId);
  if (!list) return null;
  const { pack, byReference } = list;
  const code = readCode(text);
  if (!code || !(await verifyCode(code, pack.keys))) return refusal("invalid_signature", null);
  const row = byReference.get(code.reference);
  if (!row) {
    const ours = (pack.eventIds || [pack.eventId]).includes(code.eventId);
    return refusal(ours ? "unknown_ticket" : "wrong_event", null);
  }
  if (code.version < row[1]) return refusal("superseded", row);
  return decideTicket(pack, row, scan, { qrPayload: text.slice(0, 400) });
}

// The same for a guest found by name and admitted by hand (no code: nothing to verify).
export async function decideByHand(reference, scan) {
  const list = lists.get(scan.eventId);
  if (!list) return null;
  const row = list.byReference.get(reference);
  if (!row) return refusal("unknown_ticket", null);
  return decideTicket(list.pack, row, scan, { ticketId: reference });
}

// When admission opens for the ticket's event or date (the pack's ``admissionOpens``; a row's
// sixth column names its event), or null when at any time: as the service decides.
function opensAt(pack, row) {
  const opens = (pack.admissionOpens || {})[String(row[5] ?? pack.eventId)];
  return opens ? new Date(opens) : null;
}

async function decideTicket(pack, row, scan, what) {
  const reference = row[0];
  if (row[2] === CANCELLED) return { ...refusal("cancelled", row), direction: scan.direction };
  const opens = opensAt(pack, row);
  if (scan.direction !== "out" && opens && Date.now() < opens.getTime()) {
    const early = refusal("not_yet_valid", row);
    return { ...early, admissionOpensAt: opens.toISOString(), direction: scan.direction, offline: true };
  }
  const seen = (await read(`seen:${scan.eventId}`)) || {};
  const mine = seen[reference];
  const inside = mine ? mine.inside : row[2] === SCANNED_IN;
  let result;
  if (scan.direction === "out") {
    result = inside ? null : refusal("not_checked_in", row);
  } else if (row[2] === CREATED && pack.requirePersonalisation) {
    result = refusal("not_personalised", row);
  } else if (inside || (!mine && row[2] === SCANNED_OUT && !pack.allowReentry)) {
    result = refusal("already_checked_in", row);
    result.firstCheckedInAt = mine ? mine.firstAt : null;
    result.firstGate = mine ? mine.firstGate : null;
  }
  if (result) return { ...result, direction: scan.direction, offline: true };
  const now = new Date().toISOString();
  seen[reference] = {
    inside: scan.direction !== "out",
    firstAt: (mine && mine.firstAt) || now,
    firstGate: (mine && mine.firstGate) || scan.gate,
  };
  await write(`seen:${scan.eventId}`, seen);
  const waiting = await enqueue({ ...scan, ...what, scannedAt: now });
  return {
    success: true,
    reason: null,
    direction: scan.direction,
    attendeeName: row[3],
    tierName: row[4],
    ticketId: reference,
    offline: true,
    waiting,
  };
}

// Guests of the event in the offline list, as the door API's guest search answers.
export function findInList(eventId, text) {
  const list = lists.get(eventId);
  if (!list) return null;
  const wanted = text.trim().toLowerCase();
  return list.pack.tickets
    .filter((row) => row[0] === wanted || (row[3] || "").toLowerCase().includes(wanted))
    .slice(0, 20)
    .map((row) => ({ ticketId: row[0], attendeeName: row[3], tierName: row[4], status: row[2] }));
}

// What the service decided online also tells this device who is inside.
export async function remember(eventId, result) {
  if (!result.ticketId || !(result.success || result.reason === "already_checked_in")) return;
  const seen = (await read(`seen:${eventId}`)) || {};
  const before = seen[result.ticketId];
  seen[result.ticketId] = {
    inside: !(result.success && result.direction === "out"),
    firstAt: (before && before.firstAt) || result.firstCheckedInAt || result.checkedInAt,
    firstGate: (before && before.firstGate) || result.firstGate || "",
  };
  await write(`seen:${eventId}`, seen);
}

// Send what waits, a batch at a time; returns { waiting, conflicts } (conflicts: results the
// service refused although this device had let the person in).
export async function upload(post) {
  let waiting = await queued();
  const conflicts = [];
  while (waiting.length) {
    const batch = waiting.slice(0, UPLOAD_AT_MOST);
    const answer = await post({ scans: batch });
    if (!answer.ok) break;
    conflicts.push(...answer.data.results.filter((r) => r.conflict));
    waiting = await sent(batch.map((scan) => scan.nonce));
  }
  return { waiting: waiting.length, conflicts };
}

export async function waitingCount() {
  return (await queued()).length;
}

// The attendee of a ticket in the event's offline list (for conflicts), or null.
export function attendee(eventId, reference) {
  const list = lists.get(eventId);
  const row = list ? list.byReference.get(reference) : null;
  return row ? row[3] || reference : null;
}
