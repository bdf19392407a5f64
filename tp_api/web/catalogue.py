"""The sentences of the staff pages, found in the code: ``make messages`` adds new ones to
each language's catalogue (``python -m tp_api.web.catalogue``), and a test fails while one
has no translation.

What is read is ``babel.cfg``: the console's views and templates (``_()``, ``N_()``,
``ngettext()``, ``{% trans %}``) and the refusals the domain raises with a plain sentence
(``raise Conflict("...")``, or with values ``Said("... {name}", name=...)``), which the
console shows in the page's language. An f-string cannot be translated: the extraction
lists the domain's that remain.
"""

from __future__ import annotations

import contextlib
import io
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po, write_po

from tp_api.web.languages import LANGUAGES, TRANSLATIONS

ROOT = Path(__file__).resolve().parents[2]
# The domain's refusal classes: their first argument is the sentence a person reads.
REFUSALS = (
    "Said",
    "TicketingError",
    "InvalidInput",
    "NotFound",
    "Forbidden",
    "Unauthenticated",
    "Conflict",
    "Unprocessable",
    "OutOfStock",
    "SignInRefused",
    "LinkRefused",
    "MissingScopes",
    "ValidationFailed",
    "DestinationRefused",
)


def extract(root: Path = ROOT) -> tuple[Catalog, list[str]]:
    """Every sentence of the staff pages, with where it was found; and the pages' f-strings
    given to ``_()``, which cannot be translated (the domain's are expected, not listed)."""
    with (root / "babel.cfg").open() as handle:
        method_map, options_map = parse_mapping_cfg(handle)
    keywords = {**DEFAULT_KEYWORDS, **{name: None for name in REFUSALS}}
    found = Catalog(project="tp-bridge", charset="utf-8")
    warnings = io.StringIO()
    with contextlib.redirect_stderr(warnings):
        for filename, lineno, message, comments, context in extract_from_dir(
            str(root), method_map, options_map, keywords=keywords, strip_comment_tags=True
        ):
            found.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    untranslatable = [
        line.replace(str(root) + "/", "")
        for line in warnings.getvalue().splitlines()
        if "f-string" in line and "/tp_api/services/" not in line
    ]
    return found, untranslatable


def path_of(language: str) -> Path:
    """Where a language's catalogue is kept."""
    return TRANSLATIONS / language / "LC_MESSAGES" / "messages.po"


def update(language: str, template: Catalog) -> Catalog:
    """The language's catalogue with the sentences of ``template``: new ones untranslated,
    gone ones dropped (no guessing from similar sentences: a wrong guess reads as right)."""
    path = path_of(language)
    if path.exists():
        with path.open("rb") as handle:
            kept = read_po(handle, locale=language)
    else:
        kept = Catalog(locale=language, project="tp-bridge", charset="utf-8")
    kept.update(template, no_fuzzy_matching=True)
    kept.obsolete.clear()
    return kept


def main() -> int:
    """Bring every language's catalogue up to date with the code; say what needs words."""
    template, untranslatable = extract()
    for line in untranslatable:
        print(line, file=sys.stderr)
    for language in LANGUAGES:
        if language == "en":
            continue
        catalogue = update(language, template)
        path_of(language).parent.mkdir(parents=True, exist_ok=True)
        with path_of(language).open("wb") as handle:
            write_po(handle, catalogue, width=100, omit_header=False, sort_by_file=False)
        missing = [m.id for m in catalogue if m.id and not m.string]
        print(f"{language}: {len(catalogue)} sentences, {len(missing)} without a translation")
    return 0


if __name__ == "__main__":
    sys.exit(main())
