"""Keys the web app derives from the workspace key, one per purpose (HMAC-SHA256)."""

from __future__ import annotations

import base64
import hashlib
import hmac


def derive(key: bytes, purpose: str) -> bytes:
    return hmac.new(key, f"breachdesk-web:{purpose}".encode(), hashlib.sha256).digest()


def keyed(key: bytes, purpose: str, value: str) -> str:
    """Hex keyed hash of ``value`` (rate-limit keys, one-time code hashes)."""
    return hmac.new(derive(key, purpose), value.encode("utf-8"), hashlib.sha256).hexdigest()


def fernet_key(key: bytes, purpose: str) -> bytes:
    return base64.urlsafe_b64encode(derive(key, purpose))
