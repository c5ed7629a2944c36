"""A customer's address as SMTP needs it: IDNA for the domain, SMTPUTF8 for the local part.

- The domain always goes out as its IDNA A-label (UTS #46 mapping, so a full-width
  ``ｅｘａｍｐｌｅ．ｊｐ`` becomes ``example.jp`` and ``bücherpost-test.de`` becomes
  ``xn--bcherpost-test-gsb.de``); any server accepts that.
- A non-ASCII local part (``jürgen.müller``) can only be delivered with SMTPUTF8
  (RFC 6531): the envelope and the ``To:`` header then carry it as UTF-8 (RFC 6532),
  and the header shows the domain as the customer knows it (its U-label).
  A server that does not offer SMTPUTF8 cannot take it; the sender fails that row
  with :data:`NEEDS_SMTPUTF8` as the reason.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import idna

from breachdesk.registry.normalize import NormaliseError, normalise_domain

NEEDS_SMTPUTF8 = (
    "the address has a non-ASCII local part and the SMTP server does not offer "
    "SMTPUTF8 (RFC 6531); send through a server that does, then `notify resend --missing`"
)


class AddressError(ValueError):
    """The address cannot be delivered; ``str()`` says why without echoing it."""


@dataclass(frozen=True)
class MailAddress:
    envelope: str  # for MAIL FROM / RCPT TO
    header: str  # for the To: header (UTF-8 only when smtputf8)
    smtputf8: bool  # the local part is not ASCII: needs a server offering SMTPUTF8


@lru_cache(maxsize=4096)
def mail_address(address: str) -> MailAddress:
    """Split, map and encode ``address``; raises :class:`AddressError`."""
    address = address.strip()
    if address.count("@") != 1:
        raise AddressError("the address must contain exactly one '@'")
    local, domain = address.split("@")
    local = unicodedata.normalize("NFC", local)
    if not local or any(c.isspace() or c in '"<>()[]\\,;:@' for c in local):
        raise AddressError("the local part of the address is not valid")
    try:
        a_label = normalise_domain(domain)
    except NormaliseError as exc:
        raise AddressError(str(exc)) from None
    envelope = f"{local}@{a_label}"
    if local.isascii():
        return MailAddress(envelope, envelope, smtputf8=False)
    try:
        u_label = idna.decode(a_label)
    except idna.IDNAError:  # pragma: no cover - normalise_domain produced it
        u_label = a_label
    return MailAddress(envelope, f"{local}@{u_label}", smtputf8=True)
