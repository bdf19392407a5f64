"""``/files/tickets/...``: the files behind the partner API's signed links.

The name in the path is matched against three fixed patterns and never used as a path: the
file served is the one the store keeps for that ticket or order (an Apple Wallet pass is
signed when fetched; it is not stored).
"""

from __future__ import annotations

import re

from flask import Blueprint, Response, request, send_file

from pdf.apple_pass import MEDIA_TYPE as PKPASS_MEDIA_TYPE
from tp_api.models.orders import format_order_reference
from tp_api.services.delivery import ticket_files, wallet_passes
from tp_api.services.errors import TicketingError
from tp_api.web.parts import parts

bp = Blueprint("downloads", __name__, url_prefix="/files/tickets")

_QR_NAME = re.compile(r"^ticket_([a-z0-9]{4,32})\.png$")
_ORDER_NAME = re.compile(r"^order_([0-9]{1,18})_tickets$")
_PASS_NAME = re.compile(r"^ticket_([a-z0-9]{4,32})\.pkpass$")


@bp.errorhandler(TicketingError)
def _refused(error: TicketingError) -> Response:
    return Response(error.message, status=error.status, mimetype="text/plain")


@bp.get("/<name>")
def ticket_file(name: str) -> Response:
    tools = parts().ticket_tools
    secret = request.args.get("secret")
    if match := _QR_NAME.match(name):
        path = ticket_files.qr_for_link(tools, match.group(1), secret)
        return _private(send_file(path, mimetype="image/png", download_name=name))
    if match := _ORDER_NAME.match(name):
        path = ticket_files.order_pdf_for_link(tools, int(match.group(1)), secret, parts().render)
        return _private(
            send_file(
                path,
                mimetype="application/pdf",
                download_name=f"{format_order_reference(int(match.group(1)))}-tickets.pdf",
            )
        )
    if match := _PASS_NAME.match(name):
        body = wallet_passes.pkpass_for_link(tools, match.group(1), secret)
        disposition = f'attachment; filename="{name}"'
        return _private(
            Response(
                body,
                mimetype=PKPASS_MEDIA_TYPE,
                headers={"Content-Disposition": disposition},
            )
        )
    return Response("Forbidden", status=403, mimetype="text/plain")


def _private(response: Response) -> Response:
    # The URL is a credential: keep the file out of shared caches and referrers.
    response.headers["Cache-Control"] = "private, max-age=300"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response
