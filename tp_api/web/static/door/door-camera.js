// The camera: the browser's BarcodeDetector where it reads QR codes, the jsQR library (from
// npm, served from vendor/) otherwise. ``start`` hands every code read to ``onCode``; the
// caller decides what a code is.

const DECODE_EVERY_MS = 120;

let detector = null;
let canvas = null;
let starting = null;

// Once: pairing and then scanning both ask for the camera, and a second getUserMedia()
// while the first is opening would interrupt its play().
export function start(video, { onCode, onOpened, onRefused }) {
  starting = starting || open(video, onCode, onOpened, onRefused).finally(() => { starting = null; });
  return starting;
}

export function stop(video) {
  if (video.srcObject) video.srcObject.getTracks().forEach((track) => track.stop());
  video.srcObject = null;
}

async function open(video, onCode, onOpened, onRefused) {
  if (video.srcObject) return;
  try {
    video.srcObject = await navigator.mediaDevices.getUserMedia({
      video: { facingMode: "environment" },
      audio: false,
    });
    await video.play();
    onOpened();
  } catch {
    onRefused();
    return;
  }
  if ("BarcodeDetector" in window) {
    const formats = await window.BarcodeDetector.getSupportedFormats().catch(() => []);
    if (formats.includes("qr_code")) detector = new window.BarcodeDetector({ formats: ["qr_code"] });
  }
  const loop = async () => {
    try {
      const text = await decodeFrame(video);
      if (text) onCode(text);
    } catch {
      // a frame that could not be read: the next one will
    }
    if (video.srcObject) setTimeout(loop, DECODE_EVERY_MS);
  };
  setTimeout(loop, DECODE_EVERY_MS);
}

async function decodeFrame(video) {
  if (detector) {
    const codes = await detector.detect(video);
    return codes.length ? codes[0].rawValue : null;
  }
  if (!window.jsQR || !video.videoWidth) return null;
  canvas = canvas || document.createElement("canvas");
  canvas.width = video.videoWidth;
  canvas.height = video.videoHeight;
  const context = canvas.getContext("2d", { willReadFrequently: true });
  context.drawImage(video, 0, 0);
  const image = context.getImageData(0, 0, canvas.width, canvas.height);
  const found = window.jsQR(image.data, image.width, image.height, { inversionAttempts: "dontInvert" });
  return found ? found.data : null;
}
