"""The Python reference of the compiled core: the same rules, written to be read.

The compiled core (``_native/bd_*.c``) must agree with this module; a differential
property test (``tests/detect/test_core_differential.py``) generates documents in every
encoding and compares them. The scanner's slow path (records with another customer's
data) uses this module directly, because it also needs positions for the snippet.

1. **Decode** (up to three passes, so ``%2540`` and ``&amp;#64;`` come out as ``@``):
   JSON escapes (``\\u0040``, surrogate pairs, ``\\n``), HTML character references
   (``&#64;``, ``&#x40;``, named ones from ``core_tables.ENTITIES``), percent-encoding,
   quoted-printable soft line breaks and the codes of address characters and UTF-8
   letters (``=40``, ``=C3=A9``), full-width forms (``＠``, ``ａ``) and ``﹫``.
2. **Extract** around every ``@`` of the decoded text: the local part grows back over
   ``[A-Za-z0-9._+-]`` and non-ASCII letters, digits and marks (at most 64 bytes); the
   domain grows forward over labels; any other character (``（``, ``«``, NBSP, ``。``,
   a byte-order mark, an em dash) ends the address.
3. **Base64 fields**: a JSON string of 24 or more base64 characters is decoded and
   searched too (two levels deep), so ``body_b64`` and base64 fields inside JSON count;
   a binary payload (a NUL byte in its first 64 bytes: images) is not searched.
4. An ``@`` written as ``%40`` in a query string may follow a ``+`` that meant a space:
   the part after the last ``+`` is tried as well (it counts only when it is a customer).
"""

from __future__ import annotations

import base64
import binascii
import re
from array import array
from bisect import bisect_left
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from breachdesk.detect.candidates import iter_phone_candidates
from breachdesk.detect.core_tables import ENTITIES, is_word
from breachdesk.registry.keyed import KeyedHasher
from breachdesk.registry.normalize import NormaliseError, normalise_email

if TYPE_CHECKING:  # the scan's slow path needs no numpy; the differential test passes arrays
    import numpy as np
    import numpy.typing as npt

_PASS = re.compile(
    rb"\\u([dD][89abAB][0-9a-fA-F]{2})\\u([dD][c-fC-F][0-9a-fA-F]{2})"
    rb"|\\u([0-9a-fA-F]{4})"
    rb'|\\(["\\/bfnrt])'
    rb"|&#[xX]([0-9a-fA-F]{1,6});?"
    rb"|&#([0-9]{1,7});?"
    rb"|&([A-Za-z][A-Za-z0-9]{1,32});"
    rb"|%([0-9a-fA-F]{2})"
    rb"|(=\r?\n)"
    rb"|=(40|2E|2D|5F|2B|3D)"
    rb"|=(C[2-9A-F]|D[0-9A-F])=([89AB][0-9A-F])"
    rb"|=(E[0-9A-F])=([89AB][0-9A-F])=([89AB][0-9A-F])"
    rb"|\xef\xbc([\x81-\xbf])|\xef\xbd([\x80-\x9e])|(\xef\xb9\xab)"
)
_SIMPLE = {b'"': b'"', b"\\": b"\\", b"/": b"/", b"b": b"\b", b"f": b"\f", b"n": b"\n"}
_SIMPLE |= {b"r": b"\r", b"t": b"\t"}
_B64_FIELD = re.compile(rb'"([A-Za-z0-9+/]{24,})(={0,2})(?=\\?")')
_LOCAL = frozenset(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._+-")
_DOMAIN = frozenset(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-.")
_LETTER = frozenset(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
MAX_DEPTH = 2


def _cp_bytes(cp: int) -> bytes | None:
    if cp == 0 or cp > 0x10FFFF or 0xD800 <= cp <= 0xDFFF:
        return None
    return chr(cp).encode("utf-8")


def _replacement(m: re.Match[bytes]) -> bytes | None:
    """What one escape decodes to, or None when it is left as it is."""
    g = m.groups()
    if g[0] is not None:
        hi, lo = int(g[0], 16), int(g[1], 16)
        return chr(0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00)).encode("utf-8")
    if g[2] is not None:
        v = int(g[2], 16)
        return "\ufffd".encode() if 0xD800 <= v <= 0xDFFF else chr(v).encode("utf-8")
    if g[3] is not None:
        return _SIMPLE[g[3]]
    if g[4] is not None:
        return _cp_bytes(int(g[4], 16))
    if g[5] is not None:
        return _cp_bytes(int(g[5]))
    if g[6] is not None:
        cp = ENTITIES.get(g[6].decode("ascii"))
        return None if cp is None else chr(cp).encode("utf-8")
    if g[7] is not None:
        return bytes([int(g[7], 16)])
    if g[8] is not None:
        return b""
    if g[9] is not None:
        return bytes([int(g[9], 16)])
    if g[10] is not None:
        return bytes([int(g[10], 16), int(g[11], 16)])
    if g[12] is not None:
        return bytes([int(g[12], 16), int(g[13], 16), int(g[14], 16)])
    if g[15] is not None:
        return bytes([g[15][0] - 0x81 + 0x21])
    if g[16] is not None:
        return bytes([g[16][0] - 0x80 + 0x60])
    return b"@"


def _one_pass(data: bytes, origin: array[int]) -> tuple[bytes, array[int], bool]:
    out = bytearray()
    omap: array[int] = array("I")
    pos = 0
    changed = False
    for m in _PASS.finditer(data):
        rep = _replacement(m)
        if rep is None:
            continue
        out += data[pos : m.start()]
        omap.extend(origin[pos : m.start()])
        out += rep
        omap.extend([origin[m.start()]] * len(rep))
        pos = m.end()
        changed = True
    out += data[pos:]
    omap.extend(origin[pos:])
    return bytes(out), omap, changed


def decode(data: bytes) -> tuple[bytes, array[int]]:
    """The decoded text and, for each of its bytes, the offset in ``data`` it came from."""
    origin: array[int] = array("I", range(len(data)))
    for _ in range(3):
        data, origin, changed = _one_pass(data, origin)
        if not changed:
            break
    return data, origin


def _utf8_before(b: bytes, lo: int, end: int) -> tuple[int, int] | None:
    """(code point, length) of the character ending at ``end``, if valid UTF-8."""
    k = end - 1
    back = 0
    while k > lo and (b[k] & 0xC0) == 0x80 and back < 3:
        k -= 1
        back += 1
    return _utf8_at(b, k, end, must_end=end)


def _utf8_at(b: bytes, k: int, hi: int, must_end: int | None = None) -> tuple[int, int] | None:
    c = b[k]
    n = 2 if 0xC2 <= c <= 0xDF else 3 if 0xE0 <= c <= 0xEF else 4 if 0xF0 <= c <= 0xF4 else 0
    if not n or k + n > hi or (must_end is not None and k + n != must_end):
        return None
    try:
        ch = b[k : k + n].decode("utf-8")
    except UnicodeDecodeError:
        return None
    return ord(ch), n


@dataclass(frozen=True, slots=True)
class Found:
    """An address in a decoded text: its span there, and the normalised value(s)."""

    start: int
    end: int
    value: str
    alternatives: tuple[str, ...] = ()  # the parts after a '+' that may have been a space


def _labels(b: bytes, at: int, e: int) -> list[bytes]:
    labels: list[bytes] = []
    pos = at + 1
    while len(labels) < 128:
        st = pos
        while pos < e and b[pos] != 0x2E:
            pos += 1
        label = b[st:pos]
        if not label or label[0] == 0x2D:
            break
        trimmed = label.rstrip(b"-")
        if len(trimmed) > 63:
            break
        labels.append(trimmed)
        if trimmed != label:
            break
        if pos < e and b[pos] == 0x2E:
            pos += 1
            continue
        break
    while labels and not (labels[-1][0] in _LETTER or labels[-1][0] >= 0x80):
        labels.pop()
    return labels


def extract_at(b: bytes, at: int, pct: bool = False) -> Found | None:
    """The address around ``b[at] == '@'``, normalised, or None."""
    s = at
    while s > 0:
        c = b[s - 1]
        if c < 0x80:
            if c not in _LOCAL or at - (s - 1) > 64:
                break
            s -= 1
            continue
        got = _utf8_before(b, 0, s)
        if got is None or not is_word(got[0]) or at - (s - got[1]) > 64:
            break
        s -= got[1]
    e = at + 1
    while e < len(b) and e - (at + 1) < 255:
        c = b[e]
        if c < 0x80:
            if c not in _DOMAIN:
                break
            e += 1
            continue
        got = _utf8_at(b, e, len(b))
        if got is None or not is_word(got[0]):
            break
        e += got[1]
    ls = s
    while ls < at and b[ls] == 0x2E:
        ls += 1
    local = b[ls:at]
    if not local or local.endswith(b".") or b".." in local:
        return None
    labels = _labels(b, at, e)
    if len(labels) < 2:
        return None
    raw = local + b"@" + b".".join(labels)
    if raw.isascii():
        value = raw.lower().decode("ascii")
    else:
        try:
            value = normalise_email(raw.decode("utf-8"))
        except (UnicodeDecodeError, NormaliseError):
            return None
    alternatives: tuple[str, ...] = ()
    if pct:
        local_v, domain_v = value.split("@", 1)
        tails = [local_v[i + 1 :] for i, ch in enumerate(local_v) if ch == "+"]
        alternatives = tuple(f"{t}@{domain_v}" for t in tails if t and t[0] not in ".+")
    return Found(s, e, value, alternatives)


def iter_addresses(data: bytes) -> Iterator[Found]:
    """Every address in ``data``'s decoded text (positions are in that text)."""
    text, origin = decode(data)
    at = text.find(b"@")
    while at != -1:
        found = extract_at(text, at, pct=data[origin[at]] == 0x25)
        if found is not None:
            yield found
        at = text.find(b"@", at + 1)


def base64_fields(data: bytes) -> Iterator[bytes]:
    """The decoded contents of every base64 JSON string of 24 or more characters."""
    for m in _B64_FIELD.finditer(data):
        run, pad = m.group(1), m.group(2)
        if not ((len(run) + len(pad)) % 4 == 0 or (not pad and len(run) % 4 != 1)):
            continue
        try:
            payload = base64.b64decode(run + b"=" * (-len(run) % 4))
        except (binascii.Error, ValueError):
            continue
        if b"\0" not in payload[:64]:  # binary payloads (images) hold no text
            yield payload


@dataclass(slots=True)
class View:
    """One text searched: the decoded record, or the decoded content of a base64 field."""

    text: bytes
    addresses: list[Found]
    phones: list[tuple[int, int, str]]  # (start, end, E.164) in ``raw``
    raw: bytes


def views(data: bytes, depth: int = 0) -> Iterator[View]:
    """The record itself, then what its base64 fields hold (recursively, two levels)."""
    text, origin = decode(data)
    found = []
    at = text.find(b"@")
    while at != -1:
        f = extract_at(text, at, pct=data[origin[at]] == 0x25)
        if f is not None:
            found.append(f)
        at = text.find(b"@", at + 1)
    phones = [(c.start, c.end, c.value) for c in iter_phone_candidates(data)]
    yield View(text, found, phones, data)
    if depth < MAX_DEPTH:
        for inner in base64_fields(data):
            yield from views(inner, depth + 1)


class ReferenceCore:
    """The reference with the compiled core's ``scan_document`` API, for the differential test.

    It answers every address itself (non-ASCII ones too), so it never asks for a full decode.
    """

    def __init__(
        self,
        hasher: KeyedHasher,
        keys: npt.NDArray[np.uint64],
        rows: npt.NDArray[np.uint32],
        ids: npt.NDArray[np.uint64] | None = None,
        idrows: npt.NDArray[np.uint32] | None = None,
    ) -> None:
        self.hasher = hasher
        self.keys, self.rows, self.ids, self.idrows = keys, rows, ids, idrows

    def _rows(self, keys: npt.NDArray[np.uint64], rows: npt.NDArray[np.uint32], h: int) -> set[int]:
        i = bisect_left(keys, h)
        out: set[int] = set()
        while i < len(keys) and int(keys[i]) == h:
            out.add(int(rows[i]))
            i += 1
        return out

    def viewer_row(self, viewer: str | None) -> int | None:
        if not viewer or self.ids is None or self.idrows is None:
            return None
        found = self._rows(self.ids, self.idrows, self.hasher.customer_id(viewer))
        return min(found) if found else None

    def scan_document(self, body: bytes, viewer: str | None = None) -> tuple[set[int], int, bool]:
        """(rows hit, unknown addresses, whether it is the viewer's own page only)."""
        hit: set[int] = set()
        unknown = 0
        for view in views(body):
            for f in view.addresses:
                rows = self._rows(self.keys, self.rows, self.hasher.email(f.value))
                if not rows:
                    unknown += 1
                hit |= rows
                for alt in f.alternatives:
                    hit |= self._rows(self.keys, self.rows, self.hasher.email(alt))
            for _, _, e164 in view.phones:
                hit |= self._rows(self.keys, self.rows, self.hasher.phone(e164))
        own = self.viewer_row(viewer)
        return hit, unknown, own is not None and hit == {own}


def unicode_values(value: bytes) -> list[str]:
    """The normalised address(es) of a Unicode candidate the core handed over.

    A leading ``%`` says its ``@`` was percent-encoded: the parts after each ``+`` are
    returned too (after the address itself), as ``extract_at`` would try them.
    """
    pct = value[:1] == b"%"
    raw = value[1:] if pct else value
    try:
        norm = normalise_email(raw.decode("utf-8"))
    except (UnicodeDecodeError, NormaliseError):
        return []
    local, domain = norm.split("@", 1)
    tails = [local[i + 1 :] for i, ch in enumerate(local) if ch == "+"] if pct else []
    return [norm] + [f"{t}@{domain}" for t in tails if t and t[0] not in ".+"]
