"""Match one document against the keyed index: candidates first, then keyed lookups.

Order of work, cheapest first:

1. email candidates (``@``-anchored) and ``+``-prefixed phone candidates over bytes;
2. keyed hashes of the normalised candidates, looked up in one batch;
3. only for documents with a hit: nationally written phones tried in the registry's
   regions (accepted only for customers already matched here), and the customer's own
   name, compared as a keyed hash of word windows (so no plaintext name is needed).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator

from breachdesk.detect.candidates import (
    Candidate,
    iter_email_candidates,
    iter_national_phones,
    iter_phone_candidates,
)
from breachdesk.detect.document import Document, Hit, UnitResult
from breachdesk.detect.redact import snippet
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
        self.regions: list[str] = list(index.meta.get("countries", []))
        self._email_cache: dict[str, int] = {}
        self._word_cache: dict[str, int] = {}
        self._viewer_cache: dict[str, int | None] = {}

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
        """Append a ``Hit`` per exposed customer in ``doc``; count unknown emails."""
        body = doc.body
        emails = [c for c in iter_email_candidates(body) if c.value]
        phones = list(iter_phone_candidates(body))
        if not emails and not phones:
            return
        e_hashes = [self.email_hash(c.value) for c in emails]
        p_hashes = [self.hasher.phone(c.value) for c in phones]
        found = self.index.lookup(e_hashes + p_hashes)
        fields: dict[int, set[str]] = {}
        spans: dict[int, tuple[int, int]] = {}
        unknown = 0
        for kind, cands, hashes in (("email", emails, e_hashes), ("phone", phones, p_hashes)):
            for cand, h in zip(cands, hashes, strict=True):
                rows = found.get(h)
                if not rows:
                    if kind == "email":
                        unknown += 1
                    continue
                for row in rows:
                    fields.setdefault(row, set()).add(kind)
                    spans.setdefault(row, (cand.start, cand.end))
        result.unknown_emails += unknown
        own = self.viewer_row(doc.viewer)
        if own is not None and own in fields:
            del fields[own]  # the viewer's own data: counted here, before any costly work
            spans.pop(own, None)
            result.self_views += 1
        if not fields:
            return
        text = body.decode("utf-8", errors="replace")
        self._national_phones(body, spans, fields)
        name_words = self._names(text, fields)
        for row in sorted(fields):
            start, end = spans[row]
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
                    snippet=snippet(body, start, end, name_words.get(row, ())),
                    fingerprint=self.hasher.fingerprint(str(row), doc.record or body),
                )
            )

    def _national_phones(
        self, body: bytes, spans: dict[int, tuple[int, int]], fields: dict[int, set[str]]
    ) -> None:
        """Nationally written numbers near a matched address, tried in the registry's regions."""
        if not self.regions:
            return
        seen: set[tuple[int, int]] = set()
        cands: list[Candidate] = []
        for start, end in spans.values():
            lo, hi = max(0, start - _PHONE_REACH), end + _PHONE_REACH
            if (lo, hi) in seen:
                continue
            seen.add((lo, hi))
            near = body[lo:hi].decode("utf-8", errors="replace")
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
