"""Mail a one-time portal code the way notices go out: from the entity that holds
the account, built by ``notify.message.build``, DKIM-signed with the entity's key
(``notify.dkim_keys``), sent over the SMTP settings of ``notify``. No links."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from email.utils import make_msgid

import aiosmtplib
from markupsafe import escape

from breachdesk.notify.dkim_keys import load_or_create, sender_domain
from breachdesk.notify.message import build, sign
from breachdesk.notify.render import Rendered
from breachdesk.notify.sender import options_from
from breachdesk.registry.entities import Entity, load_entities
from breachdesk.settings import Settings
from breachdesk.store import Store
from breachdesk.store.models import Customer
from breachdesk.web.i18n import Translator, catalogs
from breachdesk.web.portal.lookup import CodeMail


def render_code_mail(entity: Entity, name: str, mail: CodeMail) -> Rendered:
    lang = mail.locale if mail.locale in catalogs() else "en"
    t = Translator(lang)
    values = {
        "name": name,
        "code": mail.code,
        "minutes": mail.minutes,
        "website": entity.website,
        "entity": entity.legal_name,
    }
    paragraphs = [t(f"mail.p{i}", **values) for i in range(1, 5)]
    text = t("mail.greeting", name=name) + "\n\n" + "\n\n".join(paragraphs) + "\n"
    html = (
        f'<!doctype html><html lang="{lang}"><body>'
        f"<p>{escape(t('mail.greeting', name=name))}</p>"
        + "".join(f"<p>{escape(p)}</p>" for p in paragraphs)
        + "</body></html>"
    )
    return Rendered(subject=t("mail.subject", entity=entity.legal_name), text=text, html=html)


def ascii_address(address: str) -> str:
    """The address with its domain in IDNA form (``bücher.example`` -> ``xn--bcher-kva.example``);
    message headers and the SMTP envelope are ASCII."""
    local, _, domain = address.rpartition("@")
    return f"{local}@{domain.encode('idna').decode('ascii')}"


class CodeMailer:
    """Callable handed to ``process_requests``: builds, signs and sends one code mail."""

    def __init__(self, store: Store, cfg: Settings) -> None:
        self.store, self.cfg = store, cfg
        self.entities = load_entities(cfg.entities_path)
        self.opts = options_from(cfg)

    def message(self, mail: CodeMail) -> tuple[str, str, bytes]:
        with self.store.session() as s:
            customer = s.get(Customer, mail.customer_pk)
        if customer is None or customer.entity not in self.entities:
            raise LookupError("customer or entity gone")
        entity = self.entities[customer.entity]
        lang = (customer.locale or "").replace("_", "-").split("-")[0].lower()
        if lang in catalogs():  # the customer's own language, as for the notices
            mail = replace(mail, locale=lang)
        rendered = render_code_mail(entity, customer.full_name, mail)
        mid = make_msgid("portal", domain=sender_domain(entity))
        to = ascii_address(customer.email)
        raw = build(rendered, entity, to, customer.full_name, mid, mail.locale)
        signed = sign(raw, load_or_create(self.cfg, entity), self.opts.dkim_signer)
        return entity.sender, to, signed

    def __call__(self, mail: CodeMail) -> None:
        sender, to, raw = self.message(mail)
        asyncio.run(self._send(sender, to, raw))

    async def _send(self, sender: str, to: str, raw: bytes) -> None:
        o = self.opts
        await aiosmtplib.send(
            raw,
            sender=sender,
            recipients=[to],
            hostname=o.host,
            port=o.port,
            use_tls=o.tls,
            start_tls=o.starttls,
            username=o.username,
            password=o.password,
            timeout=o.timeout,
            cert_bundle=o.ca_file,
        )
