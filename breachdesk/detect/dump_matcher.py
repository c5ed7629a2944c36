"""Match one block of a leaked dump against the keyed index and the canary register.

For every email candidate (and ``+``-written phone) the keyed hash is looked up in
the matching index with one vectorised ``searchsorted``. For each registry customer
found, the line that named them is checked for the other elements:

- ``name``: the customer's own name (a keyed hash of word windows, compared with
  the packed name hash in the index: no plaintext name is needed);
- ``phone``: a ``+``-written number on the line that belongs to the same customer;
- ``password``: a column whose header says password/hash, an ``email:secret`` combo
  line, a ``password=...`` pair, or a token shaped like a password hash.

Canaries are found by their keyed hash. A block's result holds only hashes, row
numbers and counts, so blocks can be matched in worker processes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from breachdesk.detect.candidates import iter_email_candidates, iter_phone_candidates
from breachdesk.detect.dump_reader import DumpBlock
from breachdesk.registry.index import MatchIndex
from breachdesk.registry.keyed import KeyedHasher

EMAIL, PHONE, NAME, PASSWORD = 1, 2, 4, 8
ELEMENTS = {EMAIL: "email", PHONE: "phone", NAME: "name", PASSWORD: "password"}

_FAST_EMAIL = re.compile(
    rb"[a-z0-9._%+\-]{1,64}@(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+"
    rb"[a-z](?:[a-z0-9-]{0,61}[a-z0-9])?"
)
_WORD = re.compile(r"\w+")
_PASSWORDISH = re.compile(
    rb"(?im)(?:^[ \t]*[^\s@:;|,]{1,64}@[^\s@:;|,]{1,255}[ \t]*[:;|][ \t]*\S+[ \t]*\r?$)"
    rb"|(?:\b(?:pass(?:word)?|passwd|pwd|password_hash|pass_hash|hash)"
    rb"[\"']?[ \t]*[:=][ \t]*[\"']?[^\s\"',;]{3,})"
    rb"|(?:\$2[abxy]?\$\d\d\$[./A-Za-z0-9]{53})|(?:\$argon2i?d?\$\S{20,})|(?:\$[156]\$\S{8,})"
    rb"|(?:(?<![0-9a-fA-F])(?:[0-9a-f]{32}|[0-9a-f]{40}|[0-9a-f]{64})(?![0-9a-fA-F]))"
)

U64 = npt.NDArray[np.uint64]
I64 = npt.NDArray[np.int64]


@dataclass
class BlockResult:
    bytes: int = 0
    lines: int = 0
    emails: int = 0
    phones: int = 0
    unknown_emails: int = 0
    hit_hashes: U64 = field(default_factory=lambda: np.empty(0, dtype=np.uint64))
    rows: I64 = field(default_factory=lambda: np.empty(0, dtype=np.int64))
    masks: npt.NDArray[np.uint8] = field(default_factory=lambda: np.empty(0, dtype=np.uint8))
    canaries: dict[int, int] = field(default_factory=dict)
    canary_domain_unknown: int = 0


def lookup_rows(index: MatchIndex, q: U64) -> I64:
    """The customer row of each hash (-1 when absent); shared keys give their first row."""
    keys = index.keys
    if q.size == 0 or keys.size == 0:
        return np.full(q.size, -1, dtype=np.int64)
    pos = np.minimum(np.searchsorted(keys, q), keys.size - 1)
    hit = keys[pos] == q
    return np.where(hit, np.asarray(index.rows[pos], dtype=np.int64), -1)


def _emails(data: bytes) -> tuple[list[int], list[int], list[str]]:
    """Starts, ends and normalised values of the email candidates in ``data``."""
    starts: list[int] = []
    ends: list[int] = []
    values: list[str] = []
    if data.isascii() and b"\\" not in data:
        for m in _FAST_EMAIL.finditer(data.lower()):
            s, e = m.span()
            value = m.group()
            while value[:1] == b".":
                value, s = value[1:], s + 1
            local = value.split(b"@", 1)[0]
            if not local or b".." in value or local.endswith(b"."):
                continue
            starts.append(s)
            ends.append(e)
            values.append(value.decode("ascii"))
        return starts, ends, values
    for c in iter_email_candidates(data):
        if c.value:
            starts.append(c.start)
            ends.append(c.end)
            values.append(c.value)
    return starts, ends, values


class BlockMatcher:
    def __init__(
        self,
        index: MatchIndex,
        hasher: KeyedHasher,
        canary_hashes: U64,
        canary_domains: frozenset[str],
    ) -> None:
        self.index = index
        self.hasher = hasher
        self.canary_hashes = np.sort(canary_hashes)
        self.canary_domains = canary_domains

    def match(self, block: DumpBlock) -> BlockResult:
        data = block.data
        res = BlockResult(bytes=len(data), lines=data.count(b"\n"))
        starts, ends, values = _emails(data)
        res.emails = len(values)
        email = self.hasher.email
        hashes = np.fromiter((email(v) for v in values), dtype=np.uint64, count=len(values))
        self._canaries(hashes, values, res)
        rows = lookup_rows(self.index, hashes)
        hit = rows >= 0
        res.unknown_emails = int((~hit).sum())
        res.hit_hashes = hashes[hit]
        p_starts: list[int] = []
        p_hashes: list[int] = []
        for c in iter_phone_candidates(data):
            p_starts.append(c.start)
            p_hashes.append(self.hasher.phone(c.value))
        res.phones = len(p_hashes)
        p_rows = lookup_rows(self.index, np.array(p_hashes, dtype=np.uint64))
        e_rows = rows[hit]
        if e_rows.size == 0 and not (p_rows >= 0).any():
            return res
        nl = np.flatnonzero(np.frombuffer(data, dtype=np.uint8) == 10)
        e_line = np.searchsorted(nl, np.array(starts, dtype=np.int64)[hit])
        p_hit = p_rows >= 0
        p_line = np.searchsorted(nl, np.array(p_starts, dtype=np.int64)[p_hit])
        masks = np.full(e_rows.size, EMAIL, dtype=np.uint8)
        phone_at = {(int(ln), int(r)) for ln, r in zip(p_line, p_rows[p_hit], strict=True)}
        pw_lines = self._password_lines(block, nl, np.unique(e_line))
        s_arr = np.array(starts, dtype=np.int64)[hit]
        en_arr = np.array(ends, dtype=np.int64)[hit]
        for i in range(e_rows.size):
            row, ln = int(e_rows[i]), int(e_line[i])
            if (ln, row) in phone_at:
                masks[i] |= PHONE
            if ln in pw_lines:
                masks[i] |= PASSWORD
            lo = int(nl[ln - 1]) + 1 if ln > 0 else 0
            hi = int(nl[ln]) if ln < nl.size else len(data)
            line = data[lo : int(s_arr[i])] + b" " + data[int(en_arr[i]) : hi]
            if self._name_seen(row, line):
                masks[i] |= NAME
        res.rows = np.concatenate([e_rows, p_rows[p_hit]])
        res.masks = np.concatenate([masks, np.full(int(p_hit.sum()), PHONE, dtype=np.uint8)])
        return res

    def _canaries(self, hashes: U64, values: list[str], res: BlockResult) -> None:
        if self.canary_hashes.size:
            pos = np.minimum(
                np.searchsorted(self.canary_hashes, hashes), self.canary_hashes.size - 1
            )
            found = self.canary_hashes[pos] == hashes
            for h in hashes[found]:
                res.canaries[int(h)] = res.canaries.get(int(h), 0) + 1
        else:
            found = np.zeros(hashes.size, dtype=bool)
        if self.canary_domains:
            for i, v in enumerate(values):
                if not found[i] and v.rpartition("@")[2] in self.canary_domains:
                    res.canary_domain_unknown += 1

    def _password_lines(self, block: DumpBlock, nl: I64, lines: I64) -> set[int]:
        data = block.data
        cols = block.layout.password_columns
        if cols and block.layout.delimiter:
            out: set[int] = set()
            for ln in lines.tolist():
                lo = int(nl[ln - 1]) + 1 if ln > 0 else 0
                hi = int(nl[ln]) if ln < nl.size else len(data)
                cells = data[lo:hi].rstrip(b"\r").split(block.layout.delimiter)
                if any(c < len(cells) and cells[c].strip(b' "') for c in cols):
                    out.add(ln)
            return out
        found = [m.start() for m in _PASSWORDISH.finditer(data)]
        return {int(x) for x in np.searchsorted(nl, np.array(found, dtype=np.int64))}

    def _name_seen(self, row: int, line: bytes) -> bool:
        packed = self.index.name_of(row)
        if not packed:
            return False
        k = packed & 0xF
        text = line.decode("utf-8", errors="replace")
        tokens = _WORD.findall(text.casefold() if text.isascii() else _nfkc(text))
        name = self.hasher.name
        return any(name(tokens[i : i + k]) == packed for i in range(len(tokens) - k + 1))


def _nfkc(text: str) -> str:
    import unicodedata

    return unicodedata.normalize("NFKC", text).casefold()
