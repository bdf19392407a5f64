"""Connecting a WooCommerce shop through WooCommerce's own approval screen
(``/wc-auth/v1/authorize``): the shop owner approves in WordPress, WooCommerce POSTs a new
key to our callback, and the browser comes back to the console.

The ``user_id`` WooCommerce carries through is ours: a signed, 15-minute token naming the
account, the staff user who started and the shop's name and URL. It is the only link
between the callback (server to server, no session) and the console, so the callback
trusts nothing of its body but the keys; a token connects one shop once (the shop's name
is then taken).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode, urlsplit

from pdf.signing import FileLinkSigner, LinkError
from tp_api.models import Shop, StaffUser
from tp_api.services.actors import Actor
from tp_api.services.credentials.secret_box import SecretBox
from tp_api.services.errors import InvalidInput, Said, Unauthenticated
from tp_api.services.shops import connections

APPROVAL_MINUTES = 15
APP_NAME = "tp-bridge"
CALLBACK_PATH = "/shops/wc-auth/callback"


class ApprovalSigner(FileLinkSigner):
    """Signs the ``user_id`` of an approval: who asked, for which shop, for 15 minutes."""

    SALT = "tp-bridge.wc-auth.v1"

    def __init__(self, secrets: Sequence[str]) -> None:
        super().__init__(secrets, max_age_s=APPROVAL_MINUTES * 60)


@dataclass(frozen=True)
class Approval:
    """What a token names."""

    account_id: int
    staff_id: int
    name: str
    url: str


def approval_url(
    signer: ApprovalSigner, actor: Actor, account_id: int, name: str, url: str, public_url: str
) -> str:
    """Where to send the shop owner's browser to approve a key for this service."""
    actor.require("shops:write")
    name, url = name.strip(), url.strip().rstrip("/")
    parts = urlsplit(url)
    if parts.scheme != "https" and parts.hostname not in ("127.0.0.1", "localhost", "::1"):
        # Basic auth, which the approved key is used with, works only over HTTPS.
        raise InvalidInput("WooCommerce's approval needs an https:// shop URL")
    connections.check_shop(name, "woocommerce", url, "basic", 300)
    if Shop.get_or_none((Shop.account == account_id) & (Shop.name == name)) is not None:
        raise InvalidInput(Said("Shop {name!r} already exists", name=name), code="shop_exists")
    claims = json.dumps({"a": account_id, "s": actor.id, "n": name, "u": url})
    token = signer.sign("wc-auth", claims)
    base = public_url.rstrip("/")
    query = {
        "app_name": APP_NAME,
        "scope": "read_write",
        "user_id": token,
        "return_url": f"{base}/console/shops/approved",
        "callback_url": base + CALLBACK_PATH,
    }
    return f"{url}/wc-auth/v1/authorize?{urlencode(query)}"


def approval_of(signer: ApprovalSigner, token: str | None) -> Approval:
    """What a genuine, unexpired token names; Unauthenticated otherwise."""
    try:
        subject, claims = signer.read(token)
        data = json.loads(claims)
        if subject != "wc-auth":
            raise LinkError("not an approval")
        return Approval(int(data["a"]), int(data["s"]), str(data["n"]), str(data["u"]))
    except (LinkError, ValueError, KeyError, TypeError):
        raise Unauthenticated(
            "This approval is not valid or has expired", code="approval_invalid"
        ) from None


def complete(signer: ApprovalSigner, box: SecretBox, body: Any) -> Shop:
    """WooCommerce's POST with the approved key: connect the shop (once per token)."""
    if not isinstance(body, dict):
        raise InvalidInput("The body must be a JSON object", code="invalid_json")
    approval = approval_of(signer, body.get("user_id"))
    key, secret = body.get("consumer_key"), body.get("consumer_secret")
    if not isinstance(key, str) or not isinstance(secret, str) or not key or not secret:
        raise InvalidInput("consumer_key and consumer_secret are required")
    if body.get("key_permissions") not in ("read_write", "write"):
        raise InvalidInput("The key must be allowed to write", code="key_read_only")
    staff = StaffUser.get_or_none(StaffUser.id == approval.staff_id)
    if staff is None or staff.disabled or staff.account_id != approval.account_id:
        raise Unauthenticated("The user who asked cannot connect shops", code="approval_invalid")
    actor = Actor.staff(staff.id, staff.email, staff.role)
    added = connections.add_shop(
        box,
        approval.account_id,
        approval.name,
        platform="woocommerce",
        base_url=approval.url,
        consumer_key=key,
        consumer_secret=secret,
        actor=actor,
    )
    return added.shop
