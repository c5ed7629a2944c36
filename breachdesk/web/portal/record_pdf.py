"""The breach record as a PDF (WeasyPrint, like the regulator reports): the incident,
the exposed elements, times, viewers counted, the notices sent with their dates and
the regulators notified, with a verification code the portal checks."""

from __future__ import annotations

import logging
from datetime import datetime

from breachdesk.notify.codes import verification_code
from breachdesk.reports.pdf import markdown_to_html
from breachdesk.store import Store
from breachdesk.store.audit import record
from breachdesk.store.models.base import utcnow
from breachdesk.store.models.web import RecordCode
from breachdesk.web.i18n import Translator
from breachdesk.web.portal.localise import when
from breachdesk.web.portal.record import CustomerRecord, Exposure


def record_code(key: bytes, incident_id: int, customer_pk: int, issued: str) -> str:
    """A code in the notice-code format, keyed and distinct per issue."""
    return verification_code(key, incident_id, f"record:{customer_pk}:{issued}")


def _md_escape(text: str) -> str:
    return "".join("\\" + ch if ch in "\\`*_{}[]()#+-.!|<>" else ch for ch in text)


def _section(t: Translator, e: Exposure, code: str, lang: str) -> list[str]:
    def _when(dt: datetime | None) -> str:
        return when(dt, lang)

    seen = t("record.public") if e.public else str(e.recipients)
    lines = [
        f"## {t('record.incident')} {e.incident_id}: {_md_escape(e.title)}",
        "",
        f"| | |\n|---|---|\n| {t('record.exposed')} | {', '.join(e.labels) or '-'} |",
        f"| {t('record.first_seen')} | {_when(e.first_seen)} |",
        f"| {t('record.last_seen')} | {_when(e.last_seen)} |",
        f"| {t('record.viewers')} | {seen} |",
        f"| {t('record.aware')} | {_when(e.became_aware_at)} |",
        f"| {t('record.regulators_done')} | {', '.join(e.regulators_done) or '-'} |",
        f"| {t('record.regulators_pending')} | {', '.join(e.regulators_pending) or '-'} |",
        f"| {t('record.code')} | **{code}** |",
        "",
        f"### {t('record.notices')}",
        "",
    ]
    if e.notices:
        lines.append(f"| {t('record.notice_code')} | {t('record.state')} | {t('record.sent_at')} |")
        lines.append("|---|---|---|")
        lines += [
            f"| {n.verification} | {t('notice_state.' + n.state)} | {_when(n.sent_at)} |"
            for n in e.notices
        ]
    else:
        lines.append(t("record.no_notice"))
    return lines


def record_pdf(store: Store, key: bytes, person: CustomerRecord, lang: str, actor: str) -> bytes:
    """Render the PDF, store one checkable code per incident in it, and audit it."""
    from weasyprint import HTML

    for name in ("weasyprint", "fontTools"):
        logging.getLogger(name).setLevel(logging.ERROR)
    t = Translator(lang)
    issued = utcnow()
    entity = person.entity.legal_name if person.entity else person.entity_id
    md = [
        f"# {t('record.pdf_title')}",
        "",
        f"{_md_escape(person.name)} — {entity}. {t('record.issued')} {when(issued, lang)}.",
        "",
        t("record.pdf_check", website=person.entity.website if person.entity else ""),
        "",
    ]
    codes: list[RecordCode] = []
    for e in person.exposures:
        code = record_code(key, e.incident_id, person.customer_pk, issued.isoformat())
        codes.append(
            RecordCode(
                code=code,
                incident_id=e.incident_id,
                customer_pk=person.customer_pk,
                entity=person.entity_id,
                issued_at=issued,
            )
        )
        md += [*_section(t, e, code, lang), ""]
    html = markdown_to_html("\n".join(md), t("record.pdf_title"))
    pdf: bytes = HTML(string=html).write_pdf()
    with store.session() as s:
        s.add_all(codes)
        record(
            s,
            actor,
            "portal.record.pdf",
            f"customer:{person.customer_pk}",
            {"incidents": [e.incident_id for e in person.exposures]},
        )
    return pdf
