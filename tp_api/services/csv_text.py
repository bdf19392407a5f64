"""CSV exports written as text chunks, with cells a spreadsheet will not run as formulas."""

from __future__ import annotations

import io


def safe_cell(value: str) -> str:
    """``value`` for a CSV cell; one starting with ``= + - @`` (or a tab or CR) would be a
    formula to spreadsheet programs (CSV injection), so it gets a leading quote."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def drain(out: io.StringIO) -> str:
    """What was written to ``out`` since the last drain, emptying it (one chunk)."""
    text = out.getvalue()
    out.seek(0)
    out.truncate()
    return text
