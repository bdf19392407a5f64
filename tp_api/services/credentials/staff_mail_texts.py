"""The words of the e-mails to staff (an invitation, a password reset), in English and Dutch:
the language of the page they were asked from (the inviter's, or the one asking for a
reset), so a Dutch team gets Dutch mail."""

from __future__ import annotations

from pdf import i18n

TEXTS: dict[str, dict[str, str]] = {
    "en": {
        "invite_subject": "You are invited to the {account} console",
        "invite_first": "You have been invited to the ticket console of {account}.",
        "reset_subject": "Set a new password for the {account} console",
        "reset_first": "Someone asked to set a new password for your console account.",
        "body": (
            "{first}\n\nSet your password here (the link works once, for {hours} hours):\n"
            "{url}\n\nIf you did not expect this e-mail, you can ignore it.\n"
        ),
    },
    "nl": {
        "invite_subject": "Je bent uitgenodigd voor de console van {account}",
        "invite_first": "Je bent uitgenodigd voor de ticketconsole van {account}.",
        "reset_subject": "Stel een nieuw wachtwoord in voor de console van {account}",
        "reset_first": "Iemand heeft gevraagd een nieuw wachtwoord in te stellen voor je "
        "console-account.",
        "body": (
            "{first}\n\nStel hier je wachtwoord in (de link werkt één keer, {hours} uur "
            "lang):\n{url}\n\nVerwachtte je deze e-mail niet? Dan kun je hem negeren.\n"
        ),
    },
}


def texts(language: str | None) -> dict[str, str]:
    """The texts in ``language`` (``nl``, ``nl_NL``...), English when we have none."""
    return TEXTS.get(i18n.language(language), TEXTS["en"])
