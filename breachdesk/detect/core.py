"""The compiled detection core, loaded loudly: a scanner 40x slower is a failure, not a fallback.

``load_core(index, hasher)`` returns a ``_core.Core`` over the memory-mapped index. The
same object serves ``scan`` (blocks of lines, whole documents), ``attribute`` (every
candidate of a dump block) and a response-inspecting middleware (one body at a time).
The Python reference of its rules is ``breachdesk.detect.reference``.
"""

from __future__ import annotations

import struct
from typing import TYPE_CHECKING

from breachdesk.errors import ConfigError
from breachdesk.registry.index import MatchIndex
from breachdesk.registry.keyed import KeyedHasher

if TYPE_CHECKING:
    from typing_extensions import Buffer

    from breachdesk.detect._core import Core

MISSING = (
    "breachdesk's compiled detection core (breachdesk.detect._core) is not built: "
    "run `pip install -e .` in the checkout (it needs gcc and the Python headers)"
)

# one packed record per candidate (``bd_cand`` in _native/bd_scan.h); numpy reads them as
# ``numpy.dtype(CANDIDATE_FIELDS)`` where they are used (insider), so a scan needs no numpy
CANDIDATE_FIELDS = [
    ("hash", "<u8"),
    ("row", "<i8"),
    ("lo", "<u4"),
    ("hi", "<u4"),
    ("cs", "<u4"),
    ("ce", "<u4"),
    ("kind", "<u4"),
    ("pad", "<u4"),
]
CANDIDATE_SIZE = struct.calcsize("<QqIIIIII")
EMAIL, PHONE, FORCED, NAME_SEEN, NAME_UNSURE = 1, 2, 4, 8, 16


def utf8_invalid(data: Buffer) -> int:
    """Offset of the first invalid UTF-8 sequence in ``data``, or -1."""
    from breachdesk.detect import _core

    return _core.utf8_invalid(data)


def count_lines(data: Buffer) -> int:
    """How many newlines ``data`` holds (memchr in the core)."""
    from breachdesk.detect import _core

    return _core.count_lines(data)


def core_module() -> object:
    try:
        from breachdesk.detect import _core
    except ImportError as exc:
        raise ConfigError(f"{MISSING} ({exc})") from None
    if CANDIDATE_SIZE != _core.CANDIDATE_SIZE:
        raise ConfigError(f"{MISSING} (stale build: candidate records differ in size)")
    return _core


def load_core(index: MatchIndex, hasher: KeyedHasher) -> Core:
    """A core over ``index`` with the workspace key; raises ``ConfigError`` if not built."""
    core_module()
    from breachdesk.detect._core import Core

    return Core(
        hasher.key,
        index.key_buf,
        index.row_buf,
        index.id_buf,
        index.idrow_buf,
        index.name_buf,
    )
