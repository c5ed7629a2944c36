"""Hash the passwords of a leaked list for the range API: only SHA-1/NTLM and counts.

Run after ``attribute`` found password-like fields in a dump: the dump is read
again (``insider.dump_reader``: same formats and archive caps) and each plaintext
password is taken from the places ``attribute`` recognises: a column whose
header says password, an ``email:secret`` combo line, or a ``password=...`` pair.
Values shaped like password hashes (bcrypt, argon2, crypt, hex digests) are not
passwords and are skipped. The plaintext never leaves this function.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from breachdesk.insider.dump_reader import PASSWORD_HEADER, DumpBlock, DumpProblem, read_dump
from breachdesk.store import Store
from breachdesk.store.audit import record
from breachdesk.web.range_api.hashing import ntlm_hex, sha1_hex
from breachdesk.web.range_api.store import add_hashes

_COMBO = re.compile(rb"^\s*[^\s@:;|,]+@[^\s@:;|,]+\.[A-Za-z]{2,}[:;|]([^\s]{1,256})\s*$")
_PAIR = re.compile(
    rb"(?i)(?:^|[\s,;{\t])[\"']?(?:pass(?:word|wort)?|passwd|pwd)[\"']?[ \t]*[:=][ \t]*"
    rb"[\"']?([^\s\"',;]{1,256})"
)
_HASHLIKE = re.compile(
    r"^(?:\$2[abxy]?\$\d\d\$.{53}|\$argon2.*|\$[156]\$.*|[0-9a-fA-F]{32}|[0-9a-fA-F]{40}|"
    r"[0-9a-fA-F]{64})$"
)


@dataclass
class HarvestResult:
    passwords: int = 0  # distinct
    occurrences: int = 0
    problems: list[str] = field(default_factory=list)


def _usable(raw: bytes) -> str | None:
    raw = raw.strip().strip(b"\"'")
    if not raw:
        return None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return None
    return None if _HASHLIKE.match(text) else text


def passwords_in(block: DumpBlock) -> Iterator[str]:
    cols, delim = block.layout.password_columns, block.layout.delimiter
    for line in block.data.split(b"\n"):
        line = line.rstrip(b"\r")
        if not line or b"@" not in line:
            continue
        if cols and delim:
            cells = line.split(delim)
            for c in cols:
                if c < len(cells) and not PASSWORD_HEADER.match(cells[c].strip()):
                    value = _usable(cells[c])
                    if value:
                        yield value
            continue
        m = _COMBO.match(line) or _PAIR.search(line)
        if m:
            value = _usable(m.group(1))
            if value:
                yield value


def harvest_passwords(
    store: Store, paths: Sequence[Path], max_ratio: int, max_total: int, actor: str
) -> HarvestResult:
    seen: Counter[str] = Counter()
    result = HarvestResult()
    for item in read_dump(paths, max_ratio, max_total):
        if isinstance(item, DumpProblem):
            result.problems.append(f"{item.source}: {item.reason}")
            continue
        seen.update(passwords_in(item))
    result.passwords, result.occurrences = len(seen), sum(seen.values())
    add_hashes(store, "sha1", ((sha1_hex(p), n) for p, n in seen.items()))
    add_hashes(store, "ntlm", ((ntlm_hex(p), n) for p, n in seen.items()))
    seen.clear()
    with store.session() as s:
        record(
            s,
            actor,
            "passwords.harvest",
            "passwords",
            {"files": len(paths), "distinct": result.passwords, "seen": result.occurrences},
        )
    return result
