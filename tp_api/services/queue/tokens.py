"""Queue tokens: what a customer holds for their place in a line.

A token names the event and the place, signed with the service's secret (itsdangerous, the
project's one signer: pdf.signing.FileLinkSigner, with rotation through the old secrets),
so it cannot be guessed or made up, and a token of one event says nothing about another.
What the place may buy is kept with the place, not in the token: the token only finds it.
"""

from __future__ import annotations

from collections.abc import Sequence

from pdf.signing import FileLinkSigner, LinkError
from tp_api.services.errors import NotFound

# Long enough for the longest line a seller would run (50,000 people at 100 a minute is
# about eight hours) and the purchase window after it; the place's own times decide the rest.
TOKEN_HOURS = 48


class QueueTokens(FileLinkSigner):
    """Signs and reads the tokens of places in lines."""

    SALT = "tp-bridge.queue-place.v1"

    def __init__(self, secrets: Sequence[str]) -> None:
        super().__init__(secrets, max_age_s=TOKEN_HOURS * 3600)

    def issue(self, event_id: int, seq: int) -> str:
        """The token of place ``seq`` in the event's line."""
        return self.sign(f"queue:{event_id}", str(seq))

    def place_of(self, token: str | None) -> tuple[int, int]:
        """(event id, place) of a genuine token; NotFound (``queue_token_invalid``) for
        anything else, so a wrong token tells nothing about right ones."""
        try:
            subject, seq = self.read(token)
        except LinkError:
            raise invalid_token() from None
        event = subject.removeprefix("queue:")
        if not (subject.startswith("queue:") and event.isdigit() and seq.isdigit()):
            raise invalid_token()
        return int(event), int(seq)


def invalid_token() -> NotFound:
    """The one answer for a token that names no place."""
    return NotFound("Queue token is invalid", code="queue_token_invalid")
