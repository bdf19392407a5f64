"""Ticket PDFs with weasyprint: a pure function of its inputs, returning bytes.

A :class:`TicketRenderer` parses its templates, its stylesheet and the font configuration
once and reuses them for every render, and renders an order's tickets as one document (one
page per ticket): both matter for speed (docs/performance.md).

Templates can be replaced without code changes: the renderer looks in its template folders
for ``event-<id>/ticket.html``, then ``account-<id>/ticket.html``, then ``ticket.html``, before
falling back to the built-in one; a folder's ``ticket.css`` (same order) replaces the
built-in stylesheet.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import weasyprint
from jinja2 import ChoiceLoader, Environment, FileSystemLoader, select_autoescape
from weasyprint.text.fonts import FontConfiguration

from pdf import i18n
from pdf.pages import Branding, RenderJob, TicketPage

BUILTIN_TEMPLATES = Path(__file__).parent / "templates"

__all__ = ["Branding", "RenderJob", "TicketPage", "TicketRenderer"]


class TicketRenderer:
    """Renders ticket PDFs; one instance per process, reused across renders."""

    def __init__(self, template_dirs: Sequence[str | os.PathLike[str]] = ()) -> None:
        self._dirs = [Path(d) for d in template_dirs]
        loaders = [
            FileSystemLoader([str(d) for d in self._dirs]),
            FileSystemLoader(str(BUILTIN_TEMPLATES)),
        ]
        self._env = Environment(
            loader=ChoiceLoader(loaders),
            autoescape=select_autoescape(default=True),
            auto_reload=False,
        )
        self._fonts = FontConfiguration()
        self._stylesheets: dict[Path, weasyprint.CSS] = {}

    def render(
        self,
        pages: Sequence[TicketPage],
        *,
        branding: Branding,
        locale: str | None,
        account_id: int | None = None,
        event_id: int | None = None,
    ) -> bytes:
        """One PDF with a page per ticket."""
        if not pages:
            raise ValueError("nothing to render: no tickets")
        scopes = _scopes(account_id, event_id)
        template = self._env.select_template([f"{scope}ticket.html" for scope in scopes])
        html = template.render(
            pages=pages, branding=branding, t=i18n.texts(locale), lang=i18n.language(locale)
        )
        document = weasyprint.HTML(string=html, base_url=str(BUILTIN_TEMPLATES))
        return bytes(
            document.write_pdf(stylesheets=[self._stylesheet(scopes)], font_config=self._fonts)
        )

    def render_job(self, job: RenderJob) -> bytes:
        """Render a :class:`RenderJob` (the form the domain hands over)."""
        return self.render(
            job.pages,
            branding=job.branding,
            locale=job.locale,
            account_id=job.account_id,
            event_id=job.event_id,
        )

    def _stylesheet(self, scopes: list[str]) -> weasyprint.CSS:
        path = self._find(scopes, "ticket.css")
        sheet = self._stylesheets.get(path)
        if sheet is None:
            sheet = weasyprint.CSS(filename=str(path), font_config=self._fonts)
            self._stylesheets[path] = sheet
        return sheet

    def _find(self, scopes: list[str], name: str) -> Path:
        for scope in scopes:
            for directory in self._dirs:
                candidate = directory / f"{scope}{name}"
                if candidate.is_file():
                    return candidate
        return BUILTIN_TEMPLATES / name


def _scopes(account_id: int | None, event_id: int | None) -> list[str]:
    scopes = []
    if event_id is not None:
        scopes.append(f"event-{event_id}/")
    if account_id is not None:
        scopes.append(f"account-{account_id}/")
    scopes.append("")
    return scopes
