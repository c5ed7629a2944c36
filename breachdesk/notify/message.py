"""Build the MIME message of one notice (text + HTML, no attachments) and DKIM-sign it."""

from __future__ import annotations

import base64
import binascii
import hashlib
import time
from email.header import Header
from email.utils import format_datetime, formataddr
from functools import lru_cache

import dkim
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa, utils
from dkim.canonicalization import CanonicalizationPolicy

from breachdesk.notify.dkim_keys import DkimKey
from breachdesk.notify.render import Rendered
from breachdesk.registry.entities import Entity
from breachdesk.store.models.base import utcnow

SIGNED_HEADERS = [
    b"from",
    b"to",
    b"subject",
    b"date",
    b"message-id",
    b"mime-version",
    b"content-type",
]


def _qp(text: str) -> bytes:
    """Quoted-printable body with CRLF line ends (RFC 2045 §6.7)."""
    lines = text.replace("\r\n", "\n").split("\n")
    body = binascii.b2a_qp("\n".join(lines).encode("utf-8"), istext=True)
    return body.replace(b"\n", b"\r\n")


@lru_cache(maxsize=1024)
def _address(name: str, addr: str) -> str:
    return formataddr((name, addr), charset="utf-8")


def _to(name: str, addr: str) -> str:
    """``To:`` value. A non-ASCII address (SMTPUTF8, RFC 6532) is written as UTF-8;
    the display name is RFC 2047-encoded either way."""
    if addr.isascii():
        return formataddr((name, addr), charset="utf-8")
    placeholder = "to@placeholder.invalid"
    shown = formataddr((name, placeholder), charset="utf-8")
    return shown.replace(placeholder, addr)


@lru_cache(maxsize=1024)
def _subject(text: str) -> str:
    return Header(text, "utf-8", header_name="Subject").encode(linesep="\r\n")


def build(
    rendered: Rendered,
    entity: Entity,
    to_email: str,
    to_name: str,
    message_id: str,
    locale: str,
) -> bytes:
    """The message as bytes: multipart/alternative (plain, HTML), no attachments.

    ``to_email`` is the header form of the address (see ``addresses.mail_address``);
    when it is not ASCII the header block is UTF-8 and needs SMTPUTF8.

    Written directly rather than through ``email.message`` (which spends most of a
    notice's CPU on header objects); the tests parse every message back.
    """
    boundary = "bd=" + hashlib.sha256(message_id.encode()).hexdigest()[:32]
    subject = _subject(rendered.subject)
    head = [
        f"From: {_address(entity.legal_name, entity.sender)}",
        f"To: {_to(to_name, to_email)}",
        f"Subject: {subject}",
        f"Date: {format_datetime(utcnow())}",
        f"Message-ID: {message_id}",
        "MIME-Version: 1.0",
        f'Content-Type: multipart/alternative; boundary="{boundary}"',
        f"Content-Language: {rendered.language or locale}",
        "Auto-Submitted: auto-generated",
    ]
    parts = []
    for subtype, body in (("plain", rendered.text), ("html", rendered.html)):
        parts.append(
            f'--{boundary}\r\nContent-Type: text/{subtype}; charset="utf-8"\r\n'
            "Content-Transfer-Encoding: quoted-printable\r\n\r\n".encode("ascii")
            + _qp(body)
            + b"\r\n"
        )
    return (
        "\r\n".join(head).encode("utf-8")
        + b"\r\n\r\n"
        + b"".join(parts)
        + f"--{boundary}--\r\n".encode("ascii")
    )


def sign(raw: bytes, key: DkimKey, engine: str = "cryptography") -> bytes:
    """Prepend a DKIM-Signature (rsa-sha256, relaxed/simple) made with the entity's key.

    ``dkimpy`` runs ``dkim.sign`` end to end; its RSA is pure Python (about 10 ms a
    signature here). ``cryptography`` uses dkimpy's parser, canonicalisation and
    header hashing and only does the RSA step with OpenSSL (about 1 ms). Both give
    signatures that ``dkim.verify`` accepts (the tests and the sink check every one).
    """
    if engine == "cryptography":
        return _sign_fast(raw, key)
    header = dkim.sign(
        raw,
        key.selector.encode(),
        key.domain.encode(),
        key.private_pem,
        include_headers=SIGNED_HEADERS,
        canonicalize=(b"relaxed", b"simple"),
    )
    return bytes(header) + raw


def verify(raw: bytes, txt_records: dict[str, str]) -> bool:
    """Check the DKIM signature offline against ``{"sel._domainkey.domain.": "v=DKIM1; ..."}``."""

    def dnsfunc(name: bytes | str, timeout: int = 5) -> bytes | None:
        text = name.decode() if isinstance(name, bytes) else name
        if not text.endswith("."):
            text += "."
        rec = txt_records.get(text)
        return rec.encode() if rec else None

    try:
        return bool(dkim.verify(raw, dnsfunc=dnsfunc))
    except dkim.DKIMException:
        return False


_RELAXED_SIMPLE = CanonicalizationPolicy.from_c_value(b"relaxed/simple")


def _sign_fast(raw: bytes, key: DkimKey) -> bytes:
    headers, body = dkim.rfc822_parse(raw)
    body_hash = base64.b64encode(hashlib.sha256(_RELAXED_SIMPLE.canonicalize_body(body)).digest())
    domain = key.domain.encode()
    fields = [
        (b"v", b"1"),
        (b"a", b"rsa-sha256"),
        (b"c", b"relaxed/simple"),
        (b"d", domain),
        (b"i", b"@" + domain),
        (b"q", b"dns/txt"),
        (b"s", key.selector.encode()),
        (b"t", str(int(time.time())).encode()),
        (b"h", b" : ".join(SIGNED_HEADERS)),
        (b"bh", body_hash),
        (b"b", b""),
    ]
    value = b"; ".join(b"=".join(f) for f in fields)
    h = hashlib.sha256()
    dkim.hash_headers(
        h,
        _RELAXED_SIMPLE,
        _RELAXED_SIMPLE.canonicalize_headers(headers),
        SIGNED_HEADERS,
        (b"DKIM-Signature", b" " + value),
        dict(fields),
    )
    signature = _private_key(key.private_pem).sign(
        h.digest(), padding.PKCS1v15(), utils.Prehashed(hashes.SHA256())
    )
    return b"DKIM-Signature: " + value + base64.b64encode(signature) + b"\r\n" + raw


@lru_cache(maxsize=64)
def _private_key(pem: bytes) -> rsa.RSAPrivateKey:
    key = serialization.load_pem_private_key(pem, password=None)
    if not isinstance(key, rsa.RSAPrivateKey):
        raise ValueError("DKIM key is not an RSA key")
    return key
