"""Who acts, and what they may do: a console user (by role), an admin-API key (by its
scopes) or the system (commands, the sync daemon).

Every service that changes something on a person's behalf takes an ``actor`` and calls
:meth:`Actor.require` first, so a role is enforced in the domain, whichever surface calls
it; the audit trail names the actor.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import get_args

from tp_api.schemas.keys import Scope
from tp_api.services.errors import Forbidden, Said

# The admin API's scopes, and the console's own (shops, the door screens, staff users, the
# audit trail): what a role or a key may do is a set of these.
API_SCOPES: frozenset[str] = frozenset(get_args(Scope))
CONSOLE_SCOPES = frozenset({"shops:write", "door:read", "staff:write", "audit:read"})
# What each console role may do.
ROLE_SCOPES: dict[str, frozenset[str]] = {
    "owner": API_SCOPES | CONSOLE_SCOPES,
    # Events, orders, customers, shops and the door: not keys, webhooks, staff or the trail.
    "manager": (API_SCOPES - {"keys:write", "webhooks:write"}) | {"shops:write", "door:read"},
    "door": frozenset({"checkin:write", "door:read"}),
}
ROLES = tuple(ROLE_SCOPES)


class MissingScopes(Forbidden):
    """The actor is known but may not do this; ``details`` names what is missing."""

    default_code = "missing_scopes"


@dataclass(frozen=True)
class Actor:
    """Who makes a change: ``kind`` is staff, api_key, oauth_client or system (``address``
    for an audit entry of a refused address); ``scopes`` what they may do (None: anything,
    for the system)."""

    kind: str
    id: int | None
    label: str
    scopes: frozenset[str] | None = None

    @classmethod
    def staff(cls, staff_id: int, email: str, role: str = "owner") -> Actor:
        """A console user with the scopes of their role."""
        return cls("staff", staff_id, email, ROLE_SCOPES.get(role, frozenset()))

    @classmethod
    def command_line(cls, user: str) -> Actor:
        """Someone at the service's command line (``tp-bridge ...``), named by their login:
        the audit trail tells their changes from the sync daemon's."""
        return cls("system", None, f"command line ({user or 'unknown user'})")

    @classmethod
    def api_key(cls, key_id: int, label: str, scopes: frozenset[str] | None = None) -> Actor:
        """An admin-API key, named by its label."""
        return cls("api_key", key_id, label or f"API key {key_id}", scopes)

    @classmethod
    def oauth_client(cls, client_id: int, label: str, scopes: frozenset[str]) -> Actor:
        """An OAuth client calling with one of its access tokens, named by its label."""
        return cls("oauth_client", client_id, label or f"OAuth client {client_id}", scopes)

    def may(self, scope: str) -> bool:
        """Whether the actor may do what ``scope`` covers."""
        return self.scopes is None or scope in self.scopes

    def require(self, *needed: str) -> None:
        """Raise MissingScopes unless the actor may do everything in ``needed``."""
        missing = [scope for scope in needed if not self.may(scope)]
        if not missing:
            return
        scopes = ", ".join(missing)
        if self.kind == "api_key":
            said = Said("This key may not do this: it lacks {scopes}", scopes=scopes)
        else:
            said = Said("Your role may not do this: it lacks {scopes}", scopes=scopes)
        raise MissingScopes(said, details={"missingScopes": missing})


SYSTEM = Actor("system", None, "system")
