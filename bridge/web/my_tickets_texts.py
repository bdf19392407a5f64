"""The texts of the "my tickets" page in English and Dutch, and its date format.

A small dict per language rather than gettext catalogues: two languages, one page, and a
shop that hosts the page can read (or patch) every sentence here.
"""

from __future__ import annotations

from datetime import datetime

from pdf import i18n

DEFAULT_LANGUAGE = "en"

TEXTS: dict[str, dict[str, str]] = {
    "en": {
        "title": "My tickets",
        "intro": (
            "Fill in who will use each ticket. Once every ticket of an order has a name, you "
            "can download the tickets here; we also send them to you by e-mail."
        ),
        "language": "Language",
        "no_tickets": "There are no tickets for this link yet.",
        "order": "Order {reference}",
        "ticket": "ticket {reference}",
        "status_label": "Status",
        "status_1": "Awaiting details",
        "status_2": "Active",
        "status_3": "Checked in",
        "status_4": "Checked out",
        "status_5": "Cancelled",
        "status_replaced": "Replaced",
        "status_other": "Status {status}",
        "first_name": "First name",
        "last_name": "Last name",
        "email": "E-mail address",
        "tel": "Phone number",
        "name": "Name",
        "save": "Save attendee details",
        "saved": "Saved. Thank you!",
        "read_only": "The details of this ticket can no longer be changed here.",
        "download_qr": "QR code",
        "download_qr_hidden": "of ticket {reference}",
        "wallet_apple": "Add to Apple Wallet",
        "wallet_google": "Save to Google Wallet",
        "wallet_hidden": "(ticket {reference})",
        "add_to_calendar": "Add to calendar (.ics)",
        "add_to_calendar_hidden": "{event}",
        "download_pdf": "Download tickets (PDF)",
        "download_pdf_hidden": "of order {reference}",
        "pdf_pending": "The PDF can be downloaded once every ticket of this order has a name.",
        "error_prefix": "Error:",
        "error_title": "Error",
        "error_summary_title": "There is a problem",
        "required_first_name": "Enter a first name",
        "required_last_name": "Enter a last name",
        "required_email": "Enter an e-mail address",
        "required_tel": "Enter a phone number",
        "required_answer": "Answer this question",
        "optional": "optional",
        "yes": "Yes",
        "no": "No",
        "error_choice": "Choose one of the options",
        "error_yes_no": "Choose yes or no",
        "error_date": "Enter a date",
        "error_phone": "Enter a phone number, like +31 6 12345678",
        "error_number": "Enter a number",
        "error_email": "Enter an e-mail address like name@example.com",
        "error_too_long": "Use at most {limit} characters",
        "error_characters": "Use letters and ordinary characters only (no line breaks)",
        "error_nothing": "Fill in the details of at least one ticket.",
        "error_ticket": "This ticket could not be saved: {message}",
        "error_form": "The details could not be saved: {message}",
        "expired_title": "This link has expired",
        "expired_body": (
            "For your security, links to your tickets work for a limited time. Ask the shop "
            "for a new link, or use the link in your most recent e-mail from us."
        ),
        "invalid_title": "Link not found",
        "invalid_body": (
            "This link does not work. Check that you opened the whole link from your e-mail."
        ),
        "unavailable_title": "Temporarily unavailable",
        "unavailable_body": "Your tickets cannot be shown right now. Please try again shortly.",
        "missing_title": "Not available",
        "missing_body": (
            "This download is not available (yet). Tickets can be downloaded once they have a name."
        ),
        "back": "Back to my tickets",
    },
    "nl": {
        "title": "Mijn tickets",
        "intro": (
            "Vul in wie elk ticket gebruikt. Zodra elk ticket van een bestelling een naam "
            "heeft, kun je de tickets hier downloaden; we sturen ze je ook per e-mail."
        ),
        "language": "Taal",
        "no_tickets": "Er zijn nog geen tickets voor deze link.",
        "order": "Bestelling {reference}",
        "ticket": "ticket {reference}",
        "status_label": "Status",
        "status_1": "Wacht op gegevens",
        "status_2": "Actief",
        "status_3": "Ingecheckt",
        "status_4": "Uitgecheckt",
        "status_5": "Geannuleerd",
        "status_replaced": "Vervangen",
        "status_other": "Status {status}",
        "first_name": "Voornaam",
        "last_name": "Achternaam",
        "email": "E-mailadres",
        "tel": "Telefoonnummer",
        "name": "Naam",
        "save": "Gegevens opslaan",
        "saved": "Opgeslagen. Bedankt!",
        "read_only": "De gegevens van dit ticket kun je hier niet meer wijzigen.",
        "download_qr": "QR-code",
        "download_qr_hidden": "van ticket {reference}",
        "wallet_apple": "Toevoegen aan Apple Wallet",
        "wallet_google": "Opslaan in Google Wallet",
        "wallet_hidden": "(ticket {reference})",
        "add_to_calendar": "In je agenda zetten (.ics)",
        "add_to_calendar_hidden": "{event}",
        "download_pdf": "Tickets downloaden (pdf)",
        "download_pdf_hidden": "van bestelling {reference}",
        "pdf_pending": (
            "De pdf kun je downloaden zodra elk ticket van deze bestelling een naam heeft."
        ),
        "error_prefix": "Fout:",
        "error_title": "Fout",
        "error_summary_title": "Er is een probleem",
        "required_first_name": "Vul een voornaam in",
        "required_last_name": "Vul een achternaam in",
        "required_email": "Vul een e-mailadres in",
        "required_tel": "Vul een telefoonnummer in",
        "required_answer": "Beantwoord deze vraag",
        "optional": "niet verplicht",
        "yes": "Ja",
        "no": "Nee",
        "error_choice": "Kies een van de mogelijkheden",
        "error_yes_no": "Kies ja of nee",
        "error_date": "Vul een datum in",
        "error_phone": "Vul een telefoonnummer in, zoals +31 6 12345678",
        "error_number": "Vul een getal in",
        "error_email": "Vul een e-mailadres in zoals naam@voorbeeld.nl",
        "error_too_long": "Gebruik hoogstens {limit} tekens",
        "error_characters": "Gebruik alleen letters en gewone tekens (geen regeleinden)",
        "error_nothing": "Vul de gegevens van minstens één ticket in.",
        "error_ticket": "Dit ticket kon niet worden opgeslagen: {message}",
        "error_form": "De gegevens konden niet worden opgeslagen: {message}",
        "expired_title": "Deze link is verlopen",
        "expired_body": (
            "Voor je veiligheid werken links naar je tickets een beperkte tijd. Vraag de winkel "
            "om een nieuwe link, of gebruik de link uit je meest recente e-mail van ons."
        ),
        "invalid_title": "Link niet gevonden",
        "invalid_body": (
            "Deze link werkt niet. Controleer of je de hele link uit je e-mail hebt geopend."
        ),
        "unavailable_title": "Tijdelijk niet beschikbaar",
        "unavailable_body": "Je tickets kunnen nu niet worden getoond. Probeer het zo nog eens.",
        "missing_title": "Niet beschikbaar",
        "missing_body": (
            "Deze download is (nog) niet beschikbaar. Tickets kun je downloaden zodra ze een "
            "naam hebben."
        ),
        "back": "Terug naar mijn tickets",
    },
}

LANGUAGE_NAMES = {"en": "English", "nl": "Nederlands"}


def language(locale: str | None) -> str:
    """``nl``, ``nl_NL``, ``nl-BE`` or ``NL`` -> ``nl``; anything else -> English."""
    code = (locale or "").replace("-", "_").split("_")[0].lower()
    return code if code in TEXTS else DEFAULT_LANGUAGE


def texts(lang: str) -> dict[str, str]:
    """The texts of ``lang`` (a value of :func:`language`)."""
    return TEXTS[language(lang)]


def format_when(value: datetime, lang: str, timezone: str = "UTC") -> str:
    """``2026-08-03T18:00Z`` -> ``Monday 3 August 2026 18:00 UTC`` (``maandag 3 augustus ...``).

    The zone is printed because the partner API gives times in UTC and does not say in
    which zone the event takes place: the page shows them in ``timezone``.
    """
    return i18n.format_event_date(value, timezone, language(lang), show_zone=True)
