// Whether the door API answers. A phone can say it is online on a network that stalls (a
// venue's crowded Wi-Fi): every scan would then wait for its answer's time limit before the
// phone decides alone, and the line would stop at each ticket. So after one request gets no
// answer in time, the next scans are decided on this device at once, while a probe asks the
// service every PROBE_EVERY_MS in the background; when it answers, scans go to the service
// again and what waits is sent (docs/checkin.md, "The door app").

const PROBE_EVERY_MS = 3000;
export const PROBE_WAIT_MS = 2500;

let stalled = false;

// May a scan ask the service now (rather than be decided here at once)?
export function reachable() {
  return navigator.onLine && !stalled;
}

export function isStalled() {
  return stalled;
}

// A request got no answer in time. ``probe()`` resolves true once the service answers;
// ``back()`` runs then, once.
export function noAnswer(probe, back) {
  if (stalled) return;
  stalled = true;
  const again = async () => {
    let answered = false;
    try {
      answered = navigator.onLine && (await probe());
    } catch {
      answered = false;
    }
    if (!answered) {
      setTimeout(again, PROBE_EVERY_MS);
      return;
    }
    stalled = false;
    back();
  };
  setTimeout(again, PROBE_EVERY_MS);
}
