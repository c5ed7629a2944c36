"""Keyed hashes of identifiers: BLAKE2b in keyed (MAC) mode, one personalisation per kind.

Without the workspace key nobody can test a guess against the index, so the index
and the findings can be handled without exposing who our customers are.

- ``email`` / ``phone``: 64-bit keys stored in the matching index;
- ``name``: 28 bits of hash plus the token count (4 bits) packed in a uint32;
- ``fingerprint``: 128-bit hex that makes findings unique per customer and record.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

NAME_MAX_TOKENS = 15


class KeyedHasher:
    def __init__(self, key: bytes) -> None:
        if len(key) < 16:
            raise ValueError("secret key must be at least 16 bytes")
        self._key = key[:64]
        self._email = hashlib.blake2b(key=self._key, digest_size=8, person=b"bd:email")
        self._phone = hashlib.blake2b(key=self._key, digest_size=8, person=b"bd:phone")
        self._name = hashlib.blake2b(key=self._key, digest_size=4, person=b"bd:name")
        self._fp = hashlib.blake2b(key=self._key, digest_size=16, person=b"bd:finding")

    @property
    def fingerprint_of_key(self) -> str:
        """A short public fingerprint of the key, to detect an index built with another key."""
        h = hashlib.blake2b(key=self._key, digest_size=8, person=b"bd:keyid")
        return h.hexdigest()

    def email(self, normalised: str) -> int:
        h = self._email.copy()
        h.update(normalised.encode("utf-8"))
        return int.from_bytes(h.digest(), "little")

    def email_bytes(self, normalised: bytes) -> int:
        h = self._email.copy()
        h.update(normalised)
        return int.from_bytes(h.digest(), "little")

    def phone(self, e164: str) -> int:
        h = self._phone.copy()
        h.update(e164.encode("ascii"))
        return int.from_bytes(h.digest(), "little")

    def name(self, tokens: Sequence[str]) -> int:
        """Pack a 28-bit keyed hash of the joined tokens with the token count (max 15)."""
        n = len(tokens)
        if n == 0 or n > NAME_MAX_TOKENS:
            return 0
        h = self._name.copy()
        h.update(" ".join(tokens).encode("utf-8"))
        return (int.from_bytes(h.digest(), "little") & 0x0FFFFFFF) << 4 | n

    def fingerprint(self, *parts: str | bytes) -> str:
        h = self._fp.copy()
        for part in parts:
            data = part.encode("utf-8") if isinstance(part, str) else part
            h.update(len(data).to_bytes(8, "little"))
            h.update(data)
        return h.hexdigest()
