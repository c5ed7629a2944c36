"""Types of the compiled detection core (``_native/bd_module.c``)."""

from typing import Any

import numpy as np
from typing_extensions import Buffer

_Array = Buffer | np.ndarray[Any, Any]

CANDIDATE_SIZE: int

def decode(data: Buffer, /) -> bytes: ...
def utf8_invalid(data: Buffer, /) -> int: ...
def count_lines(data: Buffer, /) -> int: ...

class Core:
    def __init__(
        self,
        key: bytes,
        keys: _Array,
        rows: _Array,
        ids: _Array | None = None,
        idrows: _Array | None = None,
        names: _Array | None = None,
    ) -> None: ...
    def scan_lines(
        self, data: Buffer, jsonl: bool = False, viewer: str | None = None
    ) -> tuple[
        list[tuple[int, int, tuple[int, ...], bool, int, tuple[bytes, ...], int]], int, int, int
    ]: ...
    def scan_document(
        self, body: Buffer, viewer: str | None = None
    ) -> tuple[tuple[int, ...], bool, int, bool, tuple[bytes, ...]]: ...
    def candidates(self, data: Buffer, /) -> bytes: ...
    def viewer_row(self, viewer: str | None, /) -> int | None: ...
    def email_hash(self, value: Buffer, /) -> int: ...
