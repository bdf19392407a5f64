"""QR codes of ticket scan codes, as PNG bytes and as inline SVG."""

from __future__ import annotations

import io

import qrcode
from qrcode.constants import ERROR_CORRECT_M


def _qr(payload: str, *, border: int) -> qrcode.QRCode:
    # M (15 %) survives a creased or partly smudged print and keeps the code small.
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=border)
    code.add_data(payload, optimize=0)
    code.make(fit=True)
    return code


def qr_png(payload: str, *, box_size: int = 8, border: int = 4) -> bytes:
    """A PNG of the QR code (black on white, quiet zone of ``border`` modules)."""
    code = _qr(payload, border=border)
    code.box_size = box_size
    image = code.make_image(fill_color="black", back_color="white")
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()
