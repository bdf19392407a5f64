"""Texts and date formats of tickets and ticket e-mails, per locale (English and Dutch)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel.dates import format_datetime

DEFAULT_LOCALE = "en"

TEXTS: dict[str, dict[str, str]] = {
    "en": {
        "ticket": "Ticket",
        "date": "Date",
        "venue": "Venue",
        "ticket_type": "Ticket type",
        "attendee": "Name",
        "order": "Order",
        "reference": "Ticket",
        "scan_note": "Show this code at the entrance. It admits one person, once.",
        "mail_subject": "Your tickets for {event}",
        "mail_greeting": "Dear {name},",
        "mail_body": (
            "Thank you for your order {order}. Your tickets for {event} are attached to this "
            "e-mail as a PDF. Each ticket admits one person, once: please bring it to the "
            "entrance, printed or on your phone."
        ),
        "mail_page_link": (
            "See your tickets, fill in who comes and download them again at any time "
            "(a personal link, do not share it): {url}"
        ),
        "mail_my_tickets": "You can also find your tickets here: {url}",
        "mail_closing": "Kind regards,\n{seller}",
        "event": "Event",
        "mail_wallet": "Add your tickets to the wallet on your phone:",
        "mail_wallet_apple": "Ticket {reference}, Add to Apple Wallet: {url}",
        "mail_wallet_google": "Ticket {reference}, Save to Google Wallet: {url}",
        # A holder's own ticket (services.delivery.holder_mail).
        "holder_subject": "Your ticket for {event}",
        "holder_body": (
            "Your ticket for {event} (order {order}, booked by {buyer}) is attached to this "
            "e-mail as a PDF. It admits one person, once: please bring it to the entrance, "
            "printed or on your phone."
        ),
        # To the holder a ticket was transferred away from.
        "transfer_subject": "Your ticket for {event} was transferred",
        "transfer_body": (
            "Your ticket {ticket} for {event} (order {order}) has been transferred to someone "
            "else. Its old code and PDF no longer work: they will not admit you at the "
            "entrance. If you did not expect this, please contact {seller}."
        ),
        # The reminder before the event (services.delivery.reminders).
        "reminder_subject": "Reminder: {event}, {date}",
        "reminder_body": (
            "{event} is coming up: it starts on {date}. Your tickets are attached to this "
            "e-mail as a PDF; each admits one person, once. Please bring them to the "
            "entrance, printed or on your phone."
        ),
        "reminder_venue": "Venue: {venue}",
    },
    "nl": {
        "ticket": "Ticket",
        "date": "Datum",
        "venue": "Locatie",
        "ticket_type": "Tickettype",
        "attendee": "Naam",
        "order": "Bestelling",
        "reference": "Ticket",
        "scan_note": "Toon deze code bij de ingang. Hij geeft één persoon één keer toegang.",
        "mail_subject": "Je tickets voor {event}",
        "mail_greeting": "Beste {name},",
        "mail_body": (
            "Bedankt voor je bestelling {order}. Je tickets voor {event} zitten als PDF bij "
            "deze e-mail. Elk ticket geeft één persoon één keer toegang: neem het mee naar "
            "de ingang, geprint of op je telefoon."
        ),
        "mail_page_link": (
            "Bekijk je tickets, vul in wie er komt en download ze opnieuw wanneer je wilt "
            "(een persoonlijke link, deel hem niet): {url}"
        ),
        "mail_my_tickets": "Je vindt je tickets ook hier: {url}",
        "mail_closing": "Met vriendelijke groet,\n{seller}",
        "event": "Evenement",
        "mail_wallet": "Zet je tickets in de wallet op je telefoon:",
        "mail_wallet_apple": "Ticket {reference}, toevoegen aan Apple Wallet: {url}",
        "mail_wallet_google": "Ticket {reference}, opslaan in Google Wallet: {url}",
        "holder_subject": "Je ticket voor {event}",
        "holder_body": (
            "Je ticket voor {event} (bestelling {order}, geboekt door {buyer}) zit als PDF bij "
            "deze e-mail. Het geeft één persoon één keer toegang: neem het mee naar de "
            "ingang, geprint of op je telefoon."
        ),
        "transfer_subject": "Je ticket voor {event} is overgedragen",
        "transfer_body": (
            "Je ticket {ticket} voor {event} (bestelling {order}) is overgedragen aan iemand "
            "anders. De oude code en PDF werken niet meer: je komt er niet mee binnen. Had "
            "je dit niet verwacht? Neem dan contact op met {seller}."
        ),
        "reminder_subject": "Herinnering: {event}, {date}",
        "reminder_body": (
            "{event} komt eraan: het begint op {date}. Je tickets zitten als PDF bij deze "
            "e-mail; elk ticket geeft één persoon één keer toegang. Neem ze mee naar de "
            "ingang, geprint of op je telefoon."
        ),
        "reminder_venue": "Locatie: {venue}",
    },
}


def language(locale: str | None) -> str:
    """``nl_NL``, ``nl-BE`` or ``NL`` -> ``nl``; unknown or empty -> English."""
    code = (locale or "").replace("-", "_").split("_")[0].lower()
    return code if code in TEXTS else DEFAULT_LOCALE


def texts(locale: str | None) -> dict[str, str]:
    """The texts for ``locale`` (English when we have no translation)."""
    return TEXTS[language(locale)]


def format_event_date(
    value: datetime | None, timezone: str, locale: str | None, *, show_zone: bool = False
) -> str:
    """``2026-08-03T18:00Z``, ``Europe/Amsterdam``, ``nl`` -> ``maandag 3 augustus 2026 20:00``
    (with ``show_zone``, the zone's abbreviation after the time: ``... 20:00 CEST``)."""
    if value is None:
        return ""
    try:
        zone = ZoneInfo(timezone or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo("UTC")
    local = value.astimezone(zone)
    pattern = "EEEE d MMMM y HH:mm z" if show_zone else "EEEE d MMMM y HH:mm"
    return str(format_datetime(local, pattern, locale=language(locale)))
