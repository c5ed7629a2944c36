"""Keyed, checkable identifiers of one notice: the verification code and the Message-ID.

The verification code is what the customer types on the official site (the
portal recomputes it with the workspace key), so a look-alike email cannot carry
a valid one. Both values depend only on (incident, customer, channel) and the key,
so every resend of a notice carries the same ones.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

# Crockford-like alphabet without 0/O/1/I/L confusion.
_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"


def _digest(key: bytes, person: bytes, *parts: str | int) -> bytes:
    h = hashlib.blake2b(key=key[:64], digest_size=16, person=person)
    for part in parts:
        data = str(part).encode("utf-8")
        h.update(len(data).to_bytes(4, "big"))
        h.update(data)
    return h.digest()


def verification_code(key: bytes, incident_id: int, customer_id: str) -> str:
    """Twelve characters in three groups, e.g. ``K7QX-M2PD-9RTA``."""
    n = int.from_bytes(_digest(key, b"bd:notice-code", incident_id, customer_id), "big")
    chars = []
    for _ in range(12):
        n, r = divmod(n, len(_ALPHABET))
        chars.append(_ALPHABET[r])
    s = "".join(chars)
    return f"{s[:4]}-{s[4:8]}-{s[8:]}"


def normalise_code(text: str) -> str:
    raw = "".join(ch for ch in text.upper() if ch.isalnum())
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}" if len(raw) == 12 else raw


def check_code(key: bytes, incident_id: int, customer_id: str, code: str) -> bool:
    """True when ``code`` (any case, with or without dashes) is this customer's code."""
    expected = verification_code(key, incident_id, customer_id)
    return hmac.compare_digest(expected, normalise_code(code))


def message_id(key: bytes, incident_id: int, customer_pk: int, channel: str, domain: str) -> str:
    digest = _digest(key, b"bd:message-id", incident_id, customer_pk, channel)
    token = base64.b32encode(digest).decode("ascii").rstrip("=").lower()
    return f"<bd.{incident_id}.{token}@{domain}>"
