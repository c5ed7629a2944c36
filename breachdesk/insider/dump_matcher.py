"""Match one block of a leaked dump against the keyed index and the canary register.

The compiled core (``detect.core``) finds every address in every encoding (and every
``+``-written phone), hashes it and looks it up, and returns packed candidate records:
no Python runs per candidate, only per customer found. Unicode addresses come back
marked for the Python reference. For each registry customer found, the line that
named them is checked for the other elements:

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
import unicodedata
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from breachdesk.detect.core import CANDIDATE_FIELDS, FORCED, NAME_SEEN, NAME_UNSURE, load_core
from breachdesk.detect.core import EMAIL as EMAIL_CAND
from breachdesk.detect.core import PHONE as PHONE_CAND
from breachdesk.detect.reference import decode as reference_decode
from breachdesk.detect.reference import views
from breachdesk.insider.dump_reader import DumpBlock, Layout
from breachdesk.registry.index import MatchIndex
from breachdesk.registry.keyed import KeyedHasher

CANDIDATE_DTYPE = np.dtype(CANDIDATE_FIELDS)
EMAIL, PHONE, NAME, PASSWORD = 1, 2, 4, 8
ELEMENTS = {EMAIL: "email", PHONE: "phone", NAME: "name", PASSWORD: "password"}

_FAST_EMAIL = re.compile(  # starts only where a local-part run starts, so the scan is linear
    rb"(?<![a-z0-9._%+\-])[a-z0-9._%+\-]{1,64}@[a-z0-9\-]{1,63}(?:\.[a-z0-9\-]{1,63})+"
)
_LINE_EMAIL = re.compile(  # the last label starts with a letter, as in the shared extractor
    rb"(?m)^([^\n]*?)(?<![a-z0-9._%+\-])"
    rb"([a-z0-9._%+\-]{1,64}@[a-z0-9\-]{1,63}(?:\.[a-z0-9\-]{1,63})*\.[a-z][a-z0-9\-]{0,62})"
    rb"(?![a-z0-9\-])([^\n]*)"
)
# shapes a valid address cannot have (or must have trimmed), looked for in all of them at once
_ODD = (b"..", b".@", b"@.", b"-.", b".-", b"@-", b"\n.", b"-\n")
_ASCII_EMAIL = re.compile(
    rb"[a-z0-9._%+\-]{1,64}@(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+"
    rb"[a-z](?:[a-z0-9-]{0,61}[a-z0-9])?"
)
_WORD = re.compile(r"\w+")
_WORD_ASCII = re.compile(rb"[A-Za-z0-9_]+")
_PW_SEP = frozenset(b":;|")
_PW_KEY = re.compile(
    rb"(?:pass(?:word)?|passwd|pwd|hash)[\"']?[ \t]*[:=][ \t]*[\"']?[^\s\"',;]{3,}"
)
_COMBO_SEP = (b":", b";", b"|")
_NO_SPACE_OR_SEP = re.compile(rb"[^\s,;|]+")
_PW_CRYPT = re.compile(
    rb"\$2[abxy]?\$\d\d\$[./A-Za-z0-9]{53}|\$argon2i?d?\$\S{20,}|\$[156]\$\S{8,}"
)
_PW_HEX = re.compile(rb"(?<![0-9a-fA-F])(?:[0-9a-f]{64}|[0-9a-f]{40}|[0-9a-f]{32})(?![0-9a-fA-F])")
_HEX_RUN = re.compile(rb"[0-9a-f]{32}")
_WORD_CACHE = 100_000

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


Record = tuple[bytes, bytes, bytes]  # (line before the address, address, line after it)


def _valid(value: bytes) -> bytes:
    """The normalised address, or b"" when the candidate is not a valid address."""
    if value[0] == 46 or b".." in value or b".@" in value or b"-." in value:
        value = value.lstrip(b".")
        local = value.split(b"@", 1)[0]
        if not local or local.endswith(b".") or b".." in value:
            return b""
        return value if _ASCII_EMAIL.fullmatch(value) else b""
    if value[-1] == 45 or not value.rpartition(b".")[2][:1].isalpha():
        return value if _ASCII_EMAIL.fullmatch(value) else b""
    return value


def ascii_records(low: bytes) -> list[Record]:
    """Every address in a lowercased ASCII block, with the rest of its line either side.

    One ``findall`` returns the first address of each line with its context, all in
    C; the addresses are checked together (one join) and one by one only when some
    shape needs it; a line holding more addresses is searched again for the others.
    """
    found: list[Record] = _LINE_EMAIL.findall(low)
    joined = b"\n" + b"\n".join([r[1] for r in found]) + b"\n"
    if any(odd in joined for odd in _ODD):
        records = [(b, _valid(v), a) for b, v, a in found]
        out = [r for r in records if r[1]]
    else:
        out = found
    for before, value, after in [r for r in found if b"@" in r[2]]:
        line = before + value + after
        for m in _FAST_EMAIL.finditer(after):
            v = _valid(m.group())
            if v:
                out.append((line, v, b""))
    return out


def text_records(data: bytes) -> list[Record]:
    """Addresses in any block via the Python reference (every encoding, Unicode addresses).

    The context either side is the rest of the address's line in the decoded text.
    """
    out: list[Record] = []
    for line in data.split(b"\n"):
        for view in views(line):
            text = view.text
            for f in view.addresses:
                lo = text.rfind(b"\n", 0, f.start) + 1
                hi = text.find(b"\n", f.end)
                hi = len(text) if hi == -1 else hi
                out.append((text[lo : f.start], f.value.encode("utf-8"), text[f.end : hi]))
    return out


class _PasswordCheck:
    """Is there a password-like value on an address's line? Rules a block lacks are skipped."""

    def __init__(self, low_block: bytes, layout: Layout) -> None:
        self.cols = layout.password_columns if layout.delimiter else ()
        self.delimiter = layout.delimiter
        self.keywords = any(k in low_block for k in (b"pass", b"pwd", b"hash"))
        self.crypt = b"$" in low_block
        self.hex = _HEX_RUN.search(low_block) is not None  # a cheap pre-filter

    def __call__(self, before: bytes, after: bytes, low: bytes) -> bool:
        """``low``: the line without the address, lowercased."""
        if self.cols and self.delimiter:
            cells = (before + b"@" + after).rstrip(b"\r").split(self.delimiter)
            return any(c < len(cells) and bool(cells[c].strip(b' "')) for c in self.cols)
        if after[:1] in _COMBO_SEP and not before.strip():
            rest = after[1:].strip()
            if rest and _NO_SPACE_OR_SEP.fullmatch(rest):
                return True  # an email:secret combo line
        if self.keywords and _PW_KEY.search(low):
            return True  # password=..., "hash": "..."
        if self.crypt and b"$" in low and _PW_CRYPT.search(before + b" " + after):
            return True  # bcrypt, argon2, crypt(3)
        return self.hex and len(low) >= 32 and _PW_HEX.search(low) is not None  # hex digests


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
        self.canary_domains = frozenset(d.encode("ascii") for d in canary_domains)
        self.core = load_core(index, hasher)
        self._words: dict[bytes, int] = {}

    def match(self, block: DumpBlock) -> BlockResult:
        data = block.data
        res = BlockResult(bytes=len(data), lines=data.count(b"\n"))
        cands = np.frombuffer(self.core.candidates(data), dtype=CANDIDATE_DTYPE)
        kinds = cands["kind"] & 7
        emails = cands[kinds == EMAIL_CAND]
        records: list[Record] = []
        hashes = emails["hash"].copy()
        rows = emails["row"].astype(np.int64)
        forced = cands[kinds == FORCED]
        if forced.size:  # Unicode addresses: the reference normalises their lines
            extra = text_records(b"\n".join(data[c["lo"] : c["hi"]] for c in forced))
            email = self.hasher.email_bytes
            more = np.fromiter((email(r[1]) for r in extra), dtype=np.uint64, count=len(extra))
            hashes = np.concatenate([hashes, more])
            rows = np.concatenate([rows, lookup_rows(self.index, more)])
            records = extra
        res.emails = int(hashes.size)
        low_block = data.lower()
        self._canaries(hashes, emails, records, res, low_block, data)
        hit = rows >= 0
        res.unknown_emails = int((~hit).sum())
        res.hit_hashes = hashes[hit]
        phones = cands[kinds == PHONE_CAND]
        res.phones = int(phones.size)
        p_rows = phones["row"].astype(np.int64)
        p_rows = p_rows[p_rows >= 0]
        e_rows = rows[hit]
        names = np.asarray(self.index.names[np.clip(e_rows, 0, self.index.names.size - 1)])
        name_seen = self._name_seen
        check = _PasswordCheck(low_block, block.layout)
        out: list[int] = []
        append = out.append
        n_core = emails.size
        lo_a, hi_a = emails["lo"].tolist(), emails["hi"].tolist()
        cs_a, ce_a = emails["cs"].tolist(), emails["ce"].tolist()
        kind_a = emails["kind"].tolist()
        for i, packed in zip(np.flatnonzero(hit).tolist(), names.tolist(), strict=True):
            if i < n_core:
                before, after = data[lo_a[i] : cs_a[i]], data[ce_a[i] : hi_a[i]]
                name = kind_a[i] & (NAME_SEEN | NAME_UNSURE)  # the core checked ASCII lines
            else:
                before, _, after = records[i - n_core]
                name = NAME_UNSURE
            low = (before + b" " + after).lower()
            mask = EMAIL
            if check(before, after, low):
                mask |= PASSWORD
            if packed and (name == NAME_SEEN or (name == NAME_UNSURE and name_seen(packed, low))):
                mask |= NAME
            append(mask)
        masks = np.array(out, dtype=np.uint8)
        # a customer's own phone anywhere in the dump is an element seen with them
        res.rows = np.concatenate([e_rows, p_rows])
        res.masks = np.concatenate([masks, np.full(p_rows.size, PHONE, dtype=np.uint8)])
        return res

    def _canaries(
        self,
        hashes: U64,
        emails: npt.NDArray[np.void],
        records: list[Record],
        res: BlockResult,
        block_low: bytes,
        data: bytes,
    ) -> None:
        if self.canary_hashes.size:
            pos = np.minimum(
                np.searchsorted(self.canary_hashes, hashes), self.canary_hashes.size - 1
            )
            found = self.canary_hashes[pos] == hashes
            for h in hashes[found]:
                res.canaries[int(h)] = res.canaries.get(int(h), 0) + 1
        else:
            found = np.zeros(hashes.size, dtype=bool)
        if self.canary_domains and any(d in block_low for d in self.canary_domains):
            n_core = emails.size
            for i in np.flatnonzero(~found).tolist():
                if i < n_core:
                    span = data[int(emails["cs"][i]) : int(emails["ce"][i])]
                    value = reference_decode(span)[0].lower()
                else:
                    value = records[i - n_core][1]
                domain = value.rpartition(b"@")[2].rstrip(b".")
                if domain in self.canary_domains:
                    res.canary_domain_unknown += 1

    def _word(self, token: bytes) -> int:
        h = self._words.get(token)
        if h is None:
            if len(self._words) >= _WORD_CACHE:
                self._words.clear()
            h = self._words[token] = self.hasher.name_word(token.decode("utf-8"))
        return h

    def _name_seen(self, packed: int, line: bytes) -> bool:
        """The customer's own name (packed: first-word, rest, count) in a lowercased line."""
        k, rest, first = packed & 0xF, (packed >> 4) & 0xFFF, packed >> 16
        if line.isascii():
            tokens: list[bytes] = _WORD_ASCII.findall(line)
        else:
            text = _nfkc(line.decode("utf-8", errors="replace"))
            tokens = [t.encode("utf-8") for t in _WORD.findall(text)]
        word = self._word
        for i in range(len(tokens) - k + 1):
            if word(tokens[i]) == first:
                window = [t.decode("utf-8") for t in tokens[i : i + k]]
                if self.hasher.name_rest(window) == rest:
                    return True
        return False


def _nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold()
