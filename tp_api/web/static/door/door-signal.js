// A distinct sound and vibration for each kind of answer at the door ("ok", "warn",
// "bad"), so staff hear the answer without looking at the screen.

const SIGNALS = {
  ok: { tones: [880], vibrate: [80] },
  warn: { tones: [520, 520], vibrate: [80, 60, 80] },
  bad: { tones: [220], vibrate: [400] },
};
let audio = null;

export function signal(kind) {
  const { tones, vibrate } = SIGNALS[kind];
  if (navigator.vibrate) navigator.vibrate(vibrate);
  try {
    audio = audio || new AudioContext();
    tones.forEach((frequency, i) => {
      const oscillator = audio.createOscillator();
      const gain = audio.createGain();
      oscillator.frequency.value = frequency;
      gain.gain.value = 0.2;
      oscillator.connect(gain).connect(audio.destination);
      const start = audio.currentTime + i * 0.18;
      oscillator.start(start);
      oscillator.stop(start + 0.14);
    });
  } catch {
    // no sound on this device: the screen and the vibration still say it
  }
}
