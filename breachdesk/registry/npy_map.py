"""Map a one-dimensional ``.npy`` file of unsigned integers without importing numpy.

A scan needs the index only as flat buffers (the compiled core reads them, Python
bisects them), so the scanner maps the files itself: importing numpy would add about
50 ms to every ``breachdesk scan`` before its workers start. The header is the one
``numpy.save`` writes (format versions 1 to 3); anything else is refused with the
command that rebuilds the index.
"""

from __future__ import annotations

import ast
import mmap
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Literal

from breachdesk.errors import ConfigError

MAGIC = b"\x93NUMPY"
# the little-endian dtypes the index uses, and the memoryview format of each
FORMATS: dict[str, Literal["Q", "I"]] = {"<u8": "Q", "<u4": "I"}


def map_npy(path: Path, descr: str) -> memoryview[int]:
    """A read-only view of the array in ``path``, which must hold ``descr`` items."""
    try:
        return _map(path, descr)
    except OSError as exc:
        raise _stale(path, f"cannot be read ({exc.strerror or exc})") from None


def _map(path: Path, descr: str) -> memoryview[int]:
    with path.open("rb") as f:
        head = f.read(12)
        try:
            offset, header = _header(head, f.read)
        except ValueError as exc:
            raise _stale(path, str(exc)) from None
        fields = _fields(path, header)
        if fields.get("descr") != descr:
            raise _stale(path, f"holds {fields.get('descr')!r}, not {descr!r}")
        if fields.get("fortran_order") is not False:
            raise _stale(path, "is in Fortran order")
        shape = fields.get("shape")
        if not (isinstance(shape, tuple) and len(shape) == 1 and isinstance(shape[0], int)):
            raise _stale(path, f"has shape {shape!r}, not one dimension")
        if sys.byteorder != "little":  # pragma: no cover - every supported machine is
            raise ConfigError(f"{path}: the index is little-endian and this machine is not")
        size = path.stat().st_size
        need = offset + shape[0] * int(descr[2])
        if size < need:
            raise _stale(path, f"is truncated ({size:,} of {need:,} bytes)")
        mapped = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
    return memoryview(mapped)[offset:need].cast(FORMATS[descr])


def _header(head: bytes, read: Callable[[int], bytes]) -> tuple[int, bytes]:
    if len(head) < 10 or not head.startswith(MAGIC):
        raise ValueError("is not a .npy file")
    major = head[6]
    if major == 1:
        length, start = int.from_bytes(head[8:10], "little"), 10
    elif major in (2, 3):
        if len(head) < 12:
            raise ValueError("is not a .npy file")
        length, start = int.from_bytes(head[8:12], "little"), 12
    else:
        raise ValueError(f"has .npy format version {major}")
    rest = head[start:] + read(max(0, length - (len(head) - start)))
    if len(rest) < length:
        raise ValueError("has a truncated header")
    return start + length, rest[:length]


def _fields(path: Path, header: bytes) -> dict[str, object]:
    try:
        fields = ast.literal_eval(header.decode("latin-1").strip())
    except (ValueError, SyntaxError):
        raise _stale(path, "has an unreadable header") from None
    if not isinstance(fields, dict):
        raise _stale(path, "has an unreadable header")
    return fields


def _stale(path: Path, why: str) -> ConfigError:
    return ConfigError(f"{path}: {why}; rebuild the index with `breachdesk registry reindex`")
