"""Checks on the paths a command is given, before any work starts.

An input that does not exist, an output whose folder is missing or cannot be
written, a number out of range: each is a usage error (exit 2) in one line that
names the option and the path. Folders are created only where the option says so
(``output_folder``), 0700; files holding PII are created 0600 (``private_file``).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO, cast

from breachdesk.errors import UsageError


def _writable_dir(folder: Path) -> bool:
    return folder.is_dir() and os.access(folder, os.W_OK | os.X_OK)


def output_file(path: Path, option: str) -> Path:
    """A file to write: its folder exists and is writable; it is not a folder."""
    if path.is_dir():
        raise UsageError(f"{option} {path}: is a folder; give a file name")
    folder = path.parent
    if not folder.exists():
        raise UsageError(f"{option} {path}: folder {folder} does not exist; create it first")
    if not _writable_dir(folder):
        raise UsageError(f"{option} {path}: cannot write in {folder}")
    if path.exists() and not os.access(path, os.W_OK):
        raise UsageError(f"{option} {path}: file is not writable")
    return path


def output_folder(path: Path, option: str) -> Path:
    """A folder to write into, created (0700) if missing; its parent must exist."""
    if path.exists():
        if not path.is_dir():
            raise UsageError(f"{option} {path}: exists and is not a folder")
        if not _writable_dir(path):
            raise UsageError(f"{option} {path}: folder is not writable")
        return path
    parent = path.parent
    if not parent.exists():
        raise UsageError(f"{option} {path}: folder {parent} does not exist; create it first")
    if not _writable_dir(parent):
        raise UsageError(f"{option} {path}: cannot create a folder in {parent}")
    try:
        path.mkdir(mode=0o700)
    except OSError as exc:
        raise UsageError(f"{option} {path}: cannot create the folder: {exc.strerror}") from None
    return path


def input_file(path: Path, option: str) -> Path:
    """A file to read: it exists, is a file and is readable."""
    if not path.exists():
        raise UsageError(f"{option} {path}: no such file")
    if not path.is_file():
        raise UsageError(f"{option} {path}: not a file")
    if not os.access(path, os.R_OK):
        raise UsageError(f"{option} {path}: not readable")
    return path


def positive(value: float | None, option: str) -> None:
    if value is not None and value <= 0:
        raise UsageError(f"{option} {value:g}: must be more than 0")


@contextmanager
def private_file(path: Path) -> Iterator[TextIO]:
    """Open ``path`` for writing text, created 0600 (an existing file is narrowed to 0600)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(fd, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
        yield cast(TextIO, fh)
