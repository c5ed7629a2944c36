"""Keyed hashes of identifiers: BLAKE2b in keyed (MAC) mode, one personalisation per kind.

Without the workspace key nobody can test a guess against the index, so the index
and the findings can be handled without exposing who our customers are.

- ``email`` / ``phone``: 64-bit keys stored in the matching index;
- ``name``: a uint32 packing 16 bits of the first word's hash, 12 bits of the whole
  name's hash and the word count (4 bits), so a scanner tests only word windows that
  start with a plausible first word;
- ``customer_id``: 64-bit keys of customer ids, so scanners recognise a viewer's own data;
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
        self._name = hashlib.blake2b(key=self._key, digest_size=2, person=b"bd:name")
        self._word = hashlib.blake2b(key=self._key, digest_size=2, person=b"bd:nameword")
        self._cid = hashlib.blake2b(key=self._key, digest_size=8, person=b"bd:customerid")
        self._fp = hashlib.blake2b(key=self._key, digest_size=16, person=b"bd:finding")

    @property
    def key(self) -> bytes:
        """The key as hashed (its first 64 bytes), for the compiled core."""
        return self._key

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

    def customer_id(self, value: str) -> int:
        """The keyed hash of a customer id, so a worker can tell a viewer's own page."""
        h = self._cid.copy()
        h.update(value.encode("utf-8"))
        return int.from_bytes(h.digest(), "little")

    def phone(self, e164: str) -> int:
        h = self._phone.copy()
        h.update(e164.encode("ascii"))
        return int.from_bytes(h.digest(), "little")

    def name(self, tokens: Sequence[str]) -> int:
        """Packed name: first-word hash (16 bits), whole-name hash (12 bits), word count."""
        n = len(tokens)
        if n == 0 or n > NAME_MAX_TOKENS:
            return 0
        return self.name_word(tokens[0]) << 16 | self.name_rest(tokens) << 4 | n

    def name_word(self, token: str) -> int:
        h = self._word.copy()
        h.update(token.encode("utf-8"))
        return int.from_bytes(h.digest(), "little")

    def name_rest(self, tokens: Sequence[str]) -> int:
        h = self._name.copy()
        h.update(" ".join(tokens).encode("utf-8"))
        return int.from_bytes(h.digest(), "little") & 0x0FFF

    def fingerprint(self, *parts: str | bytes) -> str:
        h = self._fp.copy()
        for part in parts:
            data = part.encode("utf-8") if isinstance(part, str) else part
            h.update(len(data).to_bytes(8, "little"))
            h.update(data)
        return h.hexdigest()
