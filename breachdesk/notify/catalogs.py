"""Gettext catalogs of the notice: ``.po`` files in the repo, compiled to ``.mo`` on load.

Nothing is compiled by hand: ``translations(locale)`` reads the ``.po`` with Babel,
compiles it in memory and caches the result per process; ``compile_catalogs``
writes ``.mo`` files for packaging. English is the msgid language itself.
"""

from __future__ import annotations

import io
from functools import cache, lru_cache
from pathlib import Path

from babel import Locale, UnknownLocaleError
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

from breachdesk.errors import RulesError

LOCALES_DIR = Path(__file__).parent / "locales"
DOMAIN = "notice"
SOURCE_LOCALE = "en"


@cache
def shipped_locales(locales_dir: Path = LOCALES_DIR) -> tuple[str, ...]:
    found = sorted(p.parent.parent.name for p in locales_dir.glob(f"*/LC_MESSAGES/{DOMAIN}.po"))
    return (SOURCE_LOCALE, *found)


@lru_cache(maxsize=4096)
def supported_locale(value: str | None, locales_dir: Path = LOCALES_DIR) -> str | None:
    """The full locale a customer is written to (``de_DE`` -> ``de-DE``, ``ja`` -> ``ja``)
    when a catalog exists for its language, else None. The territory stays: dates and
    numbers follow it (en-GB is not en-US) and it is the message's Content-Language."""
    if not value:
        return None
    try:
        loc = Locale.parse(value.replace("-", "_"))
    except (ValueError, UnknownLocaleError):
        return None
    if loc.language not in shipped_locales(locales_dir):
        return None
    return f"{loc.language}-{loc.territory}" if loc.territory else loc.language


def language(locale: str) -> str:
    """The catalog language of a full locale: ``en-GB`` -> ``en``."""
    return locale.replace("_", "-").split("-", 1)[0].lower()


def babel_locale(locale: str) -> str:
    """The Babel spelling of a full locale: ``en-GB`` -> ``en_GB``."""
    return locale.replace("-", "_")


def _po_path(locale: str, locales_dir: Path) -> Path:
    return locales_dir / locale / "LC_MESSAGES" / f"{DOMAIN}.po"


def compile_po(po: Path) -> bytes:
    try:
        with po.open("rb") as fh:
            catalog = read_po(fh, locale=po.parent.parent.name, abort_invalid=True)
    except Exception as exc:  # babel raises PoFileError and plain ValueErrors
        raise RulesError(f"{po}: not a valid .po catalog: {exc}") from None
    buf = io.BytesIO()
    write_mo(buf, catalog)
    return buf.getvalue()


@cache
def translations(locale: str, locales_dir: Path = LOCALES_DIR) -> NullTranslations:
    """The catalog of ``locale``'s language (``en-GB`` and ``en`` share one)."""
    locale = language(locale)
    if locale == SOURCE_LOCALE:
        return NullTranslations()
    po = _po_path(locale, locales_dir)
    if not po.exists():
        raise RulesError(f"{po}: no catalog for locale {locale!r}")
    return Translations(io.BytesIO(compile_po(po)), domain=DOMAIN)


def compile_catalogs(locales_dir: Path = LOCALES_DIR) -> list[Path]:
    """Write ``notice.mo`` next to every ``notice.po`` (for packaging); returns the files."""
    out = []
    for locale in shipped_locales(locales_dir)[1:]:
        po = _po_path(locale, locales_dir)
        mo = po.with_suffix(".mo")
        mo.write_bytes(compile_po(po))
        out.append(mo)
    return out
