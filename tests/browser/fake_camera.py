"""A camera for the door app's browser tests: a Y4M video of real QR codes that chromium
plays as the device camera (``--use-file-for-fake-video-capture``), and a chromium started
with it.

Y4M is the uncompressed format chromium's fake capture device reads: a text header, then
per frame ``FRAME`` and the picture as 4:2:0 YUV planes. The video loops, so a code shown
in every frame is seen again and again, as a ticket held up to a phone is.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import qrcode
from PIL import Image
from playwright.sync_api import Browser

from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS

WIDTH, HEIGHT, FPS = 640, 480, 10


def qr_frame(text: str) -> Image.Image:
    """A white 640x480 picture with ``text`` as a QR code in the middle."""
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=4)
    code.add_data(text)
    picture = code.make_image(fill_color="black", back_color="white").get_image().convert("RGB")
    side = min(HEIGHT - 40, WIDTH - 40)
    picture = picture.resize((side, side), Image.Resampling.NEAREST)
    frame = Image.new("RGB", (WIDTH, HEIGHT), "white")
    frame.paste(picture, ((WIDTH - side) // 2, (HEIGHT - side) // 2))
    return frame


def blank_frame() -> Image.Image:
    """A second of nothing to read (a white picture)."""
    return Image.new("RGB", (WIDTH, HEIGHT), "white")


def write_y4m(frames: Sequence[Image.Image], path: Path, *, repeat: int = FPS) -> Path:
    """``frames``, each shown for ``repeat`` frames (a second at 10 per second), as Y4M."""
    with path.open("wb") as out:
        out.write(f"YUV4MPEG2 W{WIDTH} H{HEIGHT} F{FPS}:1 Ip A1:1 C420jpeg\n".encode())
        for frame in frames:
            y, cb, cr = frame.convert("YCbCr").split()
            half = (WIDTH // 2, HEIGHT // 2)
            planes = y.tobytes() + cb.resize(half).tobytes() + cr.resize(half).tobytes()
            for _ in range(repeat):
                out.write(b"FRAME\n")
                out.write(planes)
    return path


def camera_browser(browser: Browser, video: Path) -> Browser:
    """Another chromium of the same Playwright, whose camera plays ``video`` (allowed
    without asking, as a person would allow it)."""
    return browser.browser_type.launch(
        executable_path=CHROMIUM,
        headless=True,
        args=[
            *CHROMIUM_ARGS,
            "--use-fake-device-for-media-stream",
            "--use-fake-ui-for-media-stream",
            f"--use-file-for-fake-video-capture={video}",
        ],
    )
