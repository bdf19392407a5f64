"""Door scanners from the console: make one for chosen events, pair a phone with it through a
one-time code (QR or typed), revoke it.

The scanner's key is never shown here: pairing hands a new key to the device itself
(services.door.pairing), so nobody copies a key by hand.
"""

from __future__ import annotations

import base64

from flask import Response, flash, redirect, render_template, request, url_for

from pdf.qr import qr_png
from tp_api.services.door import pairing, scanners
from tp_api.services.errors import TicketingError
from tp_api.web.console import MAX_ID, account_id, actor, bp, queries
from tp_api.web.languages import _, translated
from tp_api.web.parts import parts


@bp.get("/scanners")
def scanner_list() -> str:
    """The account's scanners, and the form for a new one."""
    return _list_page()


@bp.post("/scanners")
def scanner_create() -> Response | tuple[str, int]:
    """A new scanner for the ticked events; then its page, to pair a device."""
    name = request.form.get("name", "").strip()
    event_ids = [
        int(v) for v in request.form.getlist("events") if v.isdigit() and 0 < int(v) <= MAX_ID
    ]
    errors = {}
    if not name or len(name) > 100:
        errors["name"] = _("Enter a name of 1 to 100 characters, e.g. Gate A phone.")
    if not event_ids:
        errors["events"] = _("Choose the events it may scan.")
    if errors:
        return _list_page(errors=errors, typed=name, ticked=event_ids), 422
    try:
        made = scanners.create_scanner(account_id(), name, event_ids, actor=actor())
    except TicketingError as error:
        return _list_page(errors={"events": translated(error.message)}, typed=name), error.status
    flash(_("Scanner %(name)s made. Pair a phone with it below.", name=made.scanner.name))
    return redirect(url_for("console.scanner", scanner_id=made.scanner.id))  # type: ignore[return-value]


@bp.get("/scanners/<int:scanner_id>")
def scanner(scanner_id: int) -> str:
    """One scanner: its events, and "Pair a device"."""
    return _scanner_page(scanner_id)


@bp.post("/scanners/<int:scanner_id>/pair")
def scanner_pair(scanner_id: int) -> str:
    """A one-time pairing code, shown on this answer only (as a QR code and as text)."""
    code = pairing.issue_code(account_id(), scanner_id, actor=actor())
    link = f"{parts().public_url.rstrip('/')}/door#pair={code.code}"
    qr = "data:image/png;base64," + base64.b64encode(qr_png(link, box_size=6)).decode()
    return _scanner_page(scanner_id, code=code, qr=qr, link=link)


@bp.post("/scanners/<int:scanner_id>/gate")
def scanner_gate(scanner_id: int) -> Response | tuple[str, int]:
    """The gate a phone paired with this scanner starts with (its staff may change it)."""
    gate = request.form.get("gate", "").strip()
    if len(gate) > 100:
        problem = _("Enter a gate name of at most 100 characters, or nothing.")
        return _scanner_page(scanner_id, gate_error=problem, typed_gate=gate), 422
    changed = scanners.set_default_gate(account_id(), scanner_id, gate, actor=actor())
    if gate:
        flash(_("Phones paired with %(name)s from now on start at gate %(gate)s.",
                name=changed.name, gate=gate))  # fmt: skip
    else:
        flash(_("Phones paired with %(name)s from now on start without a gate.", name=changed.name))
    return redirect(url_for("console.scanner", scanner_id=scanner_id))  # type: ignore[return-value]


@bp.post("/scanners/<int:scanner_id>/revoke")
def scanner_revoke(scanner_id: int) -> Response:
    """Revoke the scanner: its device is refused from now on."""
    revoked = scanners.revoke_scanner(account_id(), scanner_id, actor=actor())
    flash(_("Scanner %(name)s revoked.", name=revoked.name))
    return redirect(url_for("console.scanner_list"))  # type: ignore[return-value]


def _list_page(
    *, errors: dict[str, str] | None = None, typed: str = "", ticked: list[int] | None = None
) -> str:
    return render_template(
        "console/scanners.html",
        scanners=scanners.list_scanners(account_id()),
        events={e.id: e for e in queries.event_choices(account_id())},
        errors=errors or {},
        typed=typed,
        ticked=set(ticked or []),
    )


def _scanner_page(scanner_id: int, **shown: object) -> str:
    device, event_ids = scanners.get_scanner(account_id(), scanner_id)
    names = queries.event_names(account_id(), event_ids)
    return render_template(
        "console/scanner.html",
        scanner=device,
        event_names=[names[i] if i in names else _("Event %(id)s", id=i) for i in event_ids],
        minutes=pairing.PAIRING_MINUTES,
        **shown,
    )
