"""The ticket PDF holds what the door and the attendee need, and its QR code decodes."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime

import pypdf
import zxingcpp
from PIL import Image

from pdf import i18n
from pdf.pages import Branding, TicketPage
from pdf.qr import qr_png
from pdf.render import TicketRenderer
from pdf.signing import derive_signing_key, key_id, sign_ticket_code, verify_ticket_code

KEY = derive_signing_key("render-test")


def page(n: int, name: str = "Jane Doe") -> TicketPage:
    code = sign_ticket_code(KEY, f"ref{n:013d}", 12, 1)
    return TicketPage(
        "Summer Festival",
        "Saturday 1 August 2026 20:00",
        "Vondelpark, Amsterdam",
        "General Admission",
        name,
        "TP-482917365012",
        f"ref{n:013d}",
        qr_png(code),
    )


def text_of(pdf: bytes) -> list[str]:
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    return [re.sub(r"\s+", " ", p.extract_text()) for p in reader.pages]


def decode(png: bytes) -> str:
    [result] = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))
    return str(result.text)


def test_order_pdf_has_one_page_per_ticket_with_the_details():
    pdf = TicketRenderer().render(
        [page(1), page(2, "Piet Jansen")], branding=Branding("Demo BV"), locale="en"
    )
    pages = text_of(pdf)
    assert len(pages) == 2
    for needle in (
        "Summer Festival",
        "Jane Doe",
        "TP-482917365012",
        "ref0000000000001",
        "Vondelpark",
        "General Admission",
        "Demo BV",
        "Saturday 1 August 2026 20:00",
    ):
        assert needle in pages[0]
    assert "Piet Jansen" in pages[1] and "ref0000000000002" in pages[1]


def test_the_qr_code_inside_the_pdf_decodes_to_a_valid_code():
    pdf = TicketRenderer().render([page(7)], branding=Branding("Demo BV"), locale="en")
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    [image] = reader.pages[0].images
    payload = decode(image.data)
    decoded = verify_ticket_code(payload, {key_id(KEY.public_key()): KEY.public_key()})
    assert decoded.reference == "ref0000000000007"


def test_dutch_labels_and_dates():
    when = datetime(2026, 8, 3, 18, 0, tzinfo=UTC)
    assert (
        i18n.format_event_date(when, "Europe/Amsterdam", "nl_NL") == "maandag 3 augustus 2026 20:00"
    )
    assert i18n.format_event_date(when, "America/New_York", "en") == "Monday 3 August 2026 14:00"
    assert i18n.format_event_date(when, "No/Such_Zone", "fr") == "Monday 3 August 2026 18:00"
    pdf = TicketRenderer().render([page(1)], branding=Branding("Demo BV"), locale="nl")
    assert "Bestelling" in text_of(pdf)[0]


def test_templates_can_be_replaced_per_account_and_event(tmp_path):
    (tmp_path / "account-5").mkdir()
    (tmp_path / "account-5" / "ticket.html").write_text(
        "<html><body>{% for p in pages %}<p>ACCOUNT TEMPLATE {{ p.attendee_name }}</p>"
        "{% endfor %}</body></html>"
    )
    (tmp_path / "event-9").mkdir()
    (tmp_path / "event-9" / "ticket.html").write_text(
        "<html><body>{% for p in pages %}<p>EVENT TEMPLATE {{ p.ticket_reference }}</p>"
        "{% endfor %}</body></html>"
    )
    renderer = TicketRenderer([tmp_path])
    branding = Branding("Demo BV")
    assert (
        "ACCOUNT TEMPLATE Jane Doe"
        in text_of(
            renderer.render([page(1)], branding=branding, locale="en", account_id=5, event_id=8)
        )[0]
    )
    assert (
        "EVENT TEMPLATE ref0000000000001"
        in text_of(
            renderer.render([page(1)], branding=branding, locale="en", account_id=5, event_id=9)
        )[0]
    )
    assert (
        "Summer Festival"
        in text_of(renderer.render([page(1)], branding=branding, locale="en", account_id=6))[0]
    )


def test_names_are_escaped_not_interpreted():
    pdf = TicketRenderer().render(
        [page(1, "<b>Bobby</b> & Co")], branding=Branding("X"), locale="en"
    )
    assert "<b>Bobby</b> & Co" in text_of(pdf)[0]


def test_qr_png_decodes_to_the_payload():
    code = sign_ticket_code(KEY, "k7m2q9xwe4tz8hbn", 12, 1)
    assert decode(qr_png(code)) == code
