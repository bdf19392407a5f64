// What the door app keeps on this device, in IndexedDB: the offline list of each event
// (the door API's offline pack), who this device let in or out while offline, and the
// scans waiting to be sent. localStorage holds only the pairing (door.js).

const DB = "tp-door";
const STORE = "kv";

let opening = null;

function database() {
  opening =
    opening ||
    new Promise((resolve, reject) => {
      const request = indexedDB.open(DB, 1);
      request.onupgradeneeded = () => request.result.createObjectStore(STORE);
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
  return opening;
}

async function run(mode, work) {
  const db = await database();
  return new Promise((resolve, reject) => {
    const transaction = db.transaction(STORE, mode);
    const request = work(transaction.objectStore(STORE));
    transaction.oncomplete = () => resolve(request ? request.result : undefined);
    transaction.onerror = () => reject(transaction.error);
  });
}

export function read(key) {
  return run("readonly", (store) => store.get(key));
}

export function write(key, value) {
  return run("readwrite", (store) => store.put(value, key));
}

export function forgetAll() {
  return run("readwrite", (store) => store.clear());
}

// The scans waiting to be sent, oldest first.
export async function queued() {
  return (await read("queue")) || [];
}

export async function enqueue(scan) {
  const waiting = await queued();
  waiting.push(scan);
  await write("queue", waiting);
  return waiting.length;
}

// Take the sent scans (by nonce) off the queue; what remains is returned.
export async function sent(nonces) {
  const done = new Set(nonces);
  const waiting = (await queued()).filter((scan) => !done.has(scan.nonce));
  await write("queue", waiting);
  return waiting;
}
