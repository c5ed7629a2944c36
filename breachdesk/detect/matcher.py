"""Match one document against the keyed index: the compiled core first, the reference after.

Order of work, cheapest first:

1. the compiled core (``detect.core``) decodes, extracts, hashes and looks up every
   address and ``+``-written phone; a document with no customer, or only the viewer's
   own data, is settled there;
2. the rest goes through the Python reference (``detect.reference``), which keeps
   positions: the snippet is cut from the decoded text, so escaped names are masked;
3. nationally written phones near a matched address, tried in the registry's regions,
   and the customer's own name, compared as a keyed hash of word windows of the decoded
   text with every address blanked out (a name inside an address does not count).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator

from breachdesk.detect.candidates import Candidate, iter_national_phones
from breachdesk.detect.core import load_core
from breachdesk.detect.document import Document, Hit, UnitResult
from breachdesk.detect.redact import snippet
from breachdesk.detect.reference import unicode_values, views
from breachdesk.registry.index import MatchIndex
from breachdesk.registry.keyed import KeyedHasher

_TAG = re.compile(r"<[^<>]{0,2000}>")
_WORD = re.compile(r"\w+")
_MAX_GAP = 3  # name words may be separated by up to two other tokens (HTML cells, JSON keys)
_CACHE_LIMIT = 200_000
_PHONE_REACH = 400  # bytes either side of a matched address searched for national numbers


def _windows_from(i: int, n: int, k: int) -> Iterator[tuple[int, ...]]:
    """Index tuples of k tokens starting at i, each within ``_MAX_GAP`` of the previous."""
    if k == 1:
        yield (i,)
        return
    if k > 3:  # long names: contiguous only
        if i + k <= n:
            yield tuple(range(i, i + k))
        return
    for j in range(i + 1, min(n, i + 1 + _MAX_GAP)):
        if k == 2:
            yield (i, j)
        else:
            for m in range(j + 1, min(n, j + 1 + _MAX_GAP)):
                yield (i, j, m)


class Matcher:
    """Holds the index, the hasher and a small cache of candidate hashes."""

    def __init__(self, index: MatchIndex, hasher: KeyedHasher) -> None:
        self.index = index
        self.hasher = hasher
        self.core = load_core(index, hasher)
        self.regions: list[str] = list(index.meta.get("countries", []))
        self._email_cache: dict[str, int] = {}
        self._word_cache: dict[str, int] = {}
        self._viewer_cache: dict[str, int | None] = {}
        self._unicode: dict[bytes, tuple[frozenset[int], bool]] = {}

    def email_hash(self, value: str) -> int:
        h = self._email_cache.get(value)
        if h is None:
            if len(self._email_cache) >= _CACHE_LIMIT:
                self._email_cache.clear()
            h = self.hasher.email(value)
            self._email_cache[value] = h
        return h

    def viewer_row(self, viewer: str | None) -> int | None:
        """The registry row of a signed-in viewer, from the keyed customer-id index."""
        if not viewer:
            return None
        try:
            return self._viewer_cache[viewer]
        except KeyError:
            pass
        if len(self._viewer_cache) >= _CACHE_LIMIT:
            self._viewer_cache.clear()
        row = self._viewer_cache[viewer] = self.index.row_of_customer(
            self.hasher.customer_id(viewer)
        )
        return row

    def match_document(self, doc: Document, result: UnitResult) -> None:
        """Append a ``Hit`` per exposed customer in ``doc``; count unknown emails.

        The compiled core settles the document when it holds no customer, or only the
        viewer's own data; otherwise the reference finds positions, names and phones.
        """
        found, forced, unknown, _, values = self.core.scan_document(doc.body, doc.viewer)
        rows, more = self.resolve(values)
        rows |= set(found)
        own = self.viewer_row(doc.viewer)
        if not forced and (not rows or rows == {own}):
            result.unknown_emails += unknown + more
            result.self_views += int(bool(rows))
            return
        self.match_slow(doc, result)

    def resolve(self, values: tuple[bytes, ...]) -> tuple[set[int], int]:
        """Rows of the Unicode addresses the core handed over, and how many are unknown."""
        rows: set[int] = set()
        unknown = 0
        for value in values:
            got = self._unicode.get(value)
            if got is None:
                if len(self._unicode) >= _CACHE_LIMIT:
                    self._unicode.clear()
                norms = unicode_values(value)
                hits = self._rows(self.email_hash(norms[0])) if norms else set()
                missing = bool(norms) and not hits  # counted as the reference counts it
                for alt in norms[1:]:
                    hits |= self._rows(self.email_hash(alt))
                got = self._unicode[value] = (frozenset(hits), missing)
            rows |= got[0]
            unknown += got[1]
        return rows, unknown

    def match_slow(self, doc: Document, result: UnitResult) -> None:
        """The reference path: every view of the record, with positions for the snippet."""
        fields: dict[int, set[str]] = {}
        where: dict[int, tuple[bytes, int, int]] = {}
        texts: list[str] = []
        unknown = 0
        found_any = False
        for view in views(doc.body):
            blanked = bytearray(view.text)
            for f in view.addresses:
                found_any = True
                hits = self._rows(self.email_hash(f.value))
                if not hits:
                    unknown += 1
                for alt in f.alternatives:
                    hits |= self._rows(self.email_hash(alt))
                for row in hits:
                    fields.setdefault(row, set()).add("email")
                    where.setdefault(row, (view.text, f.start, f.end))
                blanked[f.start : f.end] = b" " * (f.end - f.start)
            for start, end, e164 in view.phones:
                for row in self._rows(self.hasher.phone(e164)):
                    fields.setdefault(row, set()).add("phone")
                    where.setdefault(row, (view.raw, start, end))
            # a name counts only apart from the address: the addresses are blanked out
            texts.append(bytes(blanked).decode("utf-8", errors="replace"))
        result.unknown_emails += unknown
        own = self.viewer_row(doc.viewer)
        if own is not None and own in fields:
            del fields[own]  # the viewer's own data: counted here, before any costly work
            where.pop(own, None)
            result.self_views += 1
        if not fields or not (found_any or where):
            return
        self._national_phones(where, fields)
        name_words = self._names("\n".join(texts), fields)
        for row in sorted(fields):
            buf, start, end = where[row]
            result.hits.append(
                Hit(
                    row=row,
                    fields=tuple(sorted(fields[row])),
                    source=doc.source,
                    locator=doc.locator,
                    line=doc.line,
                    url=doc.url,
                    seen_at=doc.seen_at,
                    viewer=doc.viewer,
                    viewer_ip=doc.viewer_ip,
                    snippet=snippet(buf, start, end, name_words.get(row, ())),
                    fingerprint=self.hasher.fingerprint(str(row), doc.record or doc.body),
                )
            )

    def _rows(self, h: int) -> set[int]:
        return set(self.index.lookup([h]).get(h, ()))

    def _national_phones(
        self, where: dict[int, tuple[bytes, int, int]], fields: dict[int, set[str]]
    ) -> None:
        """Nationally written numbers near a matched address, tried in the registry's regions."""
        if not self.regions:
            return
        seen: set[tuple[int, int, int]] = set()
        cands: list[Candidate] = []
        for buf, start, end in where.values():
            lo, hi = max(0, start - _PHONE_REACH), end + _PHONE_REACH
            if (id(buf), lo, hi) in seen:
                continue
            seen.add((id(buf), lo, hi))
            near = buf[lo:hi].decode("utf-8", errors="replace")
            cands.extend(iter_national_phones(near, self.regions))
        if not cands:
            return
        found = self.index.lookup(self.hasher.phone(c.value) for c in cands)
        for rows in found.values():
            for row in rows:
                if row in fields:
                    fields[row].add("phone")

    def _names(self, text: str, fields: dict[int, set[str]]) -> dict[int, list[str]]:
        """Add "name" where the customer's own name appears; return the words to mask.

        Only windows whose first word matches the 16-bit first-word hash are hashed
        in full, so a long page costs one keyed hash per distinct word.
        """
        wanted = {row: packed for row in fields if (packed := self.index.name_of(row))}
        if not wanted:
            return {}
        plain = unicodedata.normalize("NFKC", _TAG.sub(" ", text))
        tokens = [t.casefold() for t in _WORD.findall(plain)]
        starts: dict[int, list[int]] = {}
        for i, tok in enumerate(tokens):
            starts.setdefault(self._word_hash(tok), []).append(i)
        n = len(tokens)
        words: dict[int, list[str]] = {}
        for row, packed in wanted.items():
            k, rest = packed & 0xF, (packed >> 4) & 0x0FFF
            for i in starts.get(packed >> 16, ()):
                match = next(
                    (
                        idx
                        for idx in _windows_from(i, n, k)
                        if self.hasher.name_rest([tokens[j] for j in idx]) == rest
                    ),
                    None,
                )
                if match is not None:
                    fields[row].add("name")
                    words[row] = [tokens[j] for j in match]
                    break
        return words

    def _word_hash(self, token: str) -> int:
        h = self._word_cache.get(token)
        if h is None:
            if len(self._word_cache) >= _CACHE_LIMIT:
                self._word_cache.clear()
            h = self._word_cache[token] = self.hasher.name_word(token)
        return h
