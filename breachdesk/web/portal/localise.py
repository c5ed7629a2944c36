"""The customer's own record in the customer's language, from the notices' own data.

The portal page and the record PDF say the same things a notice says, so they take
the words from the same places: data elements from the notice catalogs
(``data_labels``), authorities from ``regulators.yaml`` (by the short id in the
obligation key, ``GB/ICO/shop-uk``), the operator's texts in this language only, the
cause sentence in place of the operator's (English) title, and dates written for the
reader's locale. Nothing English leaks into a German page.
"""

from __future__ import annotations

from datetime import UTC, datetime
from functools import cache
from typing import Any

from babel.dates import format_date, format_time

from breachdesk.notify.catalogs import translations
from breachdesk.notify.spec import RegulatorName, load_regulators, load_spec


@cache
def _spec_labels() -> tuple[dict[str, str], dict[str, str]]:
    spec = load_spec()
    return dict(spec.data_labels), dict(spec.causes)


@cache
def _regulators() -> dict[str, RegulatorName]:
    return load_regulators()


def _(lang: str, msgid: str) -> str:
    return translations(lang).gettext(msgid)


def field_labels(fields: list[str], lang: str) -> list[str]:
    """``["email", "name"]`` as the reader's language names them (``E-Mail-Adresse``)."""
    labels, _causes = _spec_labels()
    return [_(lang, labels[f]) if f in labels else f for f in fields]


def cause_line(cause: str, lang: str) -> str:
    _labels, causes = _spec_labels()
    return _(lang, causes.get(cause, causes["unknown"]))


def authority(key: str, jurisdiction: str, lang: str) -> str:
    """An authority by the short id of its obligation key, in the reader's language."""
    parts = key.split("/")
    short = parts[1] if len(parts) > 2 else ""
    regs = _regulators()
    entry = regs.get(f"{jurisdiction}/{short}") or regs.get(short)
    if entry is not None:
        name = entry.names.get(lang) or (entry.names["en"] if lang == "en" else "")
        if name:
            return name
    msg = _(lang, "the competent authority (%(short)s)")
    return msg % {"short": short} if short else _(lang, "the competent authority")


def operator_text(texts: dict[str, Any] | None, default: str, lang: str, name: str) -> str:
    """The operator's text in this language; the English source only for English readers."""
    for loc, fields in (texts or {}).items():
        if loc.split("-")[0].split("_")[0] == lang and (fields or {}).get(name):
            return str(fields[name])
    return default if lang == "en" else ""


def when(dt: datetime | None, lang: str) -> str:
    """``21 November 2026, 13:16 UTC`` / ``21. November 2026, 13:16 UTC``."""
    if dt is None:
        return "—"
    stamp = dt.astimezone(UTC)
    try:
        day = format_date(stamp, "long", locale=lang)
        return f"{day}, {format_time(stamp, 'HH:mm', tzinfo=UTC, locale=lang)} UTC"
    except (ValueError, LookupError):
        return stamp.strftime("%Y-%m-%d %H:%M UTC")
