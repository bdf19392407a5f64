"""The one check for text from outside and the one check for an e-mail address we send to.

Both the pydantic schemas (admin API) and the hand-written parsers (partner API, ingestion)
use these, so every boundary refuses the same things with the same words.

Control characters are *refused*, not stripped: a CR/LF in an event title breaks the header
of every ticket e-mail, and a bidi override reverses what a PDF ticket shows (a spoofing
vector). Silently removing them would change what the sender meant without telling them; a
400 lets them fix it. Only data we cannot refuse (an order the shop already took) is kept and
kept away from mail instead.
"""

from __future__ import annotations

from email_validator import EmailNotValidError, validate_email

# Explicit directional formatting characters (LRE..RLO, LRI..PDI), marks and the Arabic mark.
BIDI_CONTROLS = frozenset(
    [chr(c) for c in range(0x202A, 0x202F)]
    + [chr(c) for c in range(0x2066, 0x206A)]
    + ["\u200e", "\u200f", "\u061c"]
)


def text_problem(value: str, *, multiline: bool = False) -> str | None:
    """Why ``value`` may not be stored as text, or None when it is fine.

    Single-line text refuses every C0/C1 control (CR/LF and tab included); multi-line text
    (a description) may keep ``\\n`` and ``\\t``.
    """
    allowed = "\n\t" if multiline else ""
    for char in value:
        code = ord(char)
        if (code < 32 or 0x7F <= code < 0xA0) and char not in allowed:
            return "must not contain control characters"
        if char in BIDI_CONTROLS:
            return "must not contain bidirectional control characters"
        if 0xD800 <= code <= 0xDFFF:
            return "must be valid Unicode text"
    return None


def neutralise(value: str) -> str:
    """``value`` with every control character made a space and every bidi control removed:
    for text we must keep although it came in bad (an order a shop already took)."""
    kept = []
    for char in value:
        code = ord(char)
        if char in BIDI_CONTROLS or 0xD800 <= code <= 0xDFFF:
            continue
        kept.append(" " if code < 32 or 0x7F <= code < 0xA0 else char)
    return "".join(kept).strip()


def email_problem(value: str) -> str | None:
    """Why ``value`` is not one e-mail address we can send to, or None.

    Syntax only (no DNS look-up): one address, no display name, no list, no control character.
    """
    if text_problem(value) is not None or len(value) > 254:
        return "is not an e-mail address"
    try:
        validate_email(value, check_deliverability=False, allow_display_name=False)
    except EmailNotValidError:
        return "is not an e-mail address"
    return None
