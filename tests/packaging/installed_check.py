"""Run by test_wheel.py in a subprocess whose only copy of the project is the installed wheel:
loads the demo, then serves the my-tickets page, the console and a ticket PDF from it."""

from __future__ import annotations

import io
import re
import sys
from pathlib import Path

from click.testing import CliRunner


def main(installed: Path, database_url: str) -> None:
    from config.cli import main as cli
    from config.settings import Settings
    from config.wsgi import create_app
    from pdf.pages import Branding, TicketPage
    from pdf.qr import qr_png
    from pdf.render import TicketRenderer

    result = CliRunner().invoke(
        cli, ["demo", "--no-serve"], env={"TP_DATABASE_URL": database_url}, catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    page_path = re.search(r"http://[^/]+(/my-tickets/\S+)", result.output).group(1)

    settings = Settings.from_env({"TP_DATABASE_URL": database_url}).for_development()
    client = create_app(settings).test_client()
    page = client.get(page_path)
    assert page.status_code == 200, page.get_data(as_text=True)[:500]
    html = page.get_data(as_text=True)
    assert 'lang="nl"' in html, html[:500]
    assets = re.findall(r'(?:href|src)="(/[^"?]+\.(?:css|js))', html)
    assert assets, html
    sign_in = client.get("/console/sign-in")
    assert sign_in.status_code == 200, sign_in.get_data(as_text=True)[:500]
    assets += re.findall(r'(?:href|src)="(/[^"?]+\.(?:css|js))', sign_in.get_data(as_text=True))
    for asset in assets:
        assert client.get(asset).status_code == 200, asset

    ticket = TicketPage(
        "Summer Festival",
        "1 August 2026",
        "Vondelpark",
        "General Admission",
        "Jane Doe",
        "TP-00042",
        "ref0000000000001",
        qr_png("code"),
    )
    pdf = TicketRenderer().render([ticket], branding=Branding("Demo BV"), locale="en")
    import pypdf

    text = pypdf.PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    assert "Jane Doe" in text and "Summer Festival" in text, text

    # Every module of the project that ran came from the wheel, none from a source tree.
    ours = ("config", "tp_api", "bridge", "sync", "pdf")
    for name, module in list(sys.modules.items()):
        if name.split(".")[0] in ours and getattr(module, "__file__", None):
            assert Path(module.__file__).resolve().is_relative_to(installed), module.__file__
    print("installed wheel OK")


if __name__ == "__main__":
    main(Path(sys.argv[1]).resolve(), sys.argv[2])
