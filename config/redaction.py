"""Taking credentials and page tokens out of text that is logged."""

from __future__ import annotations

import re
from urllib.parse import unquote_plus

# Query parameters whose values are credentials. Names are compared after URL-decoding,
# because the server decodes them too (``%6Bey=`` is ``key=``).
SECRET_PARAM_NAMES = frozenset({"key", "secret", "consumer_key", "consumer_secret"})
_PARAM = re.compile(r"(^|[?&;])([^=&;?\s]*)(=)([^&;\s]*)")
# A "my tickets" link's token opens a customer's tickets for weeks: a path segment, not a
# query parameter, so it is matched on its own.
_PAGE_TOKEN = re.compile(r"(/my-tickets/)[^/?#\s]+", re.IGNORECASE)


def redact(text: str) -> str:
    """``/tp-api/events?key=abc&x=1`` -> ``/tp-api/events?key=[redacted]&x=1``, and
    ``/my-tickets/<token>/...`` -> ``/my-tickets/[redacted]/...``."""

    def hide(match: re.Match[str]) -> str:
        name = unquote_plus(match.group(2)).strip().lower()
        if name in SECRET_PARAM_NAMES:
            return f"{match.group(1)}{match.group(2)}=[redacted]"
        return match.group(0)

    return _PAGE_TOKEN.sub(r"\1[redacted]", _PARAM.sub(hide, text))
