// Reading and checking a ticket's scan code in the browser, as pdf/signing.py does on the
// server (docs/tickets.md): "TP1." + base32(payload || 64-byte Ed25519 signature), payload
// "<key id>:<ticket reference>:<event id>:<version>". WebCrypto's Ed25519 where the browser
// has it, else the audited noble-ed25519 from npm (static/door/vendor).

const PREFIX = "TP1.";
const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
const SIGNATURE_BYTES = 64;

function base32(text) {
  const bytes = [];
  let bits = 0;
  let value = 0;
  for (const char of text) {
    const index = ALPHABET.indexOf(char);
    if (index < 0) return null;
    value = (value << 5) | index;
    bits += 5;
    if (bits >= 8) {
      bytes.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return new Uint8Array(bytes);
}

function fromBase64(text) {
  return Uint8Array.from(atob(text), (char) => char.charCodeAt(0));
}

// The code's parts, or null when it is not one of ours at all.
export function readCode(text) {
  if (typeof text !== "string" || !text.startsWith(PREFIX) || text.length > 400) return null;
  const bytes = base32(text.slice(PREFIX.length));
  if (!bytes || bytes.length <= SIGNATURE_BYTES) return null;
  const payload = bytes.slice(0, bytes.length - SIGNATURE_BYTES);
  const signature = bytes.slice(bytes.length - SIGNATURE_BYTES);
  const fields = new TextDecoder().decode(payload).split(":");
  if (fields.length !== 4) return null;
  const [keyId, reference, eventId, version] = fields;
  if (!/^\d+$/.test(eventId) || !/^\d+$/.test(version)) return null;
  return { keyId, reference, eventId: Number(eventId), version: Number(version), payload, signature };
}

const imported = new Map();

async function webCryptoVerify(publicKey, signature, payload) {
  let key = imported.get(publicKey);
  if (!key) {
    key = await crypto.subtle.importKey("raw", fromBase64(publicKey), { name: "Ed25519" }, false, ["verify"]);
    imported.set(publicKey, key);
  }
  return crypto.subtle.verify({ name: "Ed25519" }, key, signature, payload);
}

let noble = null;

async function nobleVerify(publicKey, signature, payload) {
  noble = noble || (await import("./vendor/noble-ed25519.js"));
  return noble.verifyAsync(signature, payload, fromBase64(publicKey));
}

let webCryptoWorks = true;

// Made ready while the network is there: where WebCrypto has no Ed25519, the fallback
// library is loaded now, not at the first offline scan (when it could not be fetched).
export async function prepareVerifier(keys) {
  if (!keys.length) return;
  try {
    await webCryptoVerify(keys[0].publicKey, new Uint8Array(64), new Uint8Array(1));
  } catch {
    webCryptoWorks = false;
    try {
      noble = noble || (await import("./vendor/noble-ed25519.js"));
    } catch {
      // not installed (no npm at install time): offline codes cannot be checked here
    }
  }
}

// Whether the code was signed by one of ``keys`` (the offline pack's).
export async function verifyCode(code, keys) {
  const key = keys.find((candidate) => candidate.keyId === code.keyId);
  if (!key) return false;
  if (webCryptoWorks) {
    try {
      return await webCryptoVerify(key.publicKey, code.signature, code.payload);
    } catch {
      webCryptoWorks = false; // this browser has no Ed25519 in WebCrypto
    }
  }
  try {
    return await nobleVerify(key.publicKey, code.signature, code.payload);
  } catch {
    return false;
  }
}
