"""The one exception hierarchy of breachdesk.

::

    BreachdeskError              a problem a user can act on; the CLI prints one line, exits 1
    ├── UsageError               wrong command-line use; exit 2
    ├── ConfigError              settings, workspace, secret key or rules files are wrong
    │   └── RulesError           a rules or template data file failed validation
    ├── InputError               an input file or record cannot be read (file, record, reason)
    │   └── StrictModeError      --strict turned an input problem into a fatal error
    ├── StoreError               the database cannot be reached or is not migrated
    └── Interrupted              the user stopped the work (Ctrl-C); exit 130

Exit codes (``ExitCode``), the one convention of every command:
0 success; 1 failure, or problems under ``--strict``; 2 usage error (a bad option
value, a path that does not exist, an output that cannot be written); 3 done with
problems, a partial result was stored; 130 interrupted.

Every message names the file, record or field and says what to do. No traceback
reaches a user: ``breachdesk.cli.main`` catches ``BreachdeskError``.
"""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0
    FAILURE = 1
    USAGE = 2
    PROBLEMS = 3
    INTERRUPTED = 130


class BreachdeskError(Exception):
    """Base class. ``str(exc)`` is the single line shown to the user."""

    exit_code: int = ExitCode.FAILURE


class UsageError(BreachdeskError):
    exit_code = ExitCode.USAGE


class ConfigError(BreachdeskError):
    pass


class RulesError(ConfigError):
    pass


class InputError(BreachdeskError):
    def __init__(self, file: str, reason: str, record: str | None = None) -> None:
        self.file = file
        self.record = record
        # one line, whatever a library's message held (newlines, control characters)
        self.reason = " ".join("".join(c if c.isprintable() else " " for c in reason).split())
        where = f"{file}: {record}" if record else file
        super().__init__(f"{where}: {self.reason}")


class StrictModeError(InputError):
    pass


class StoreError(BreachdeskError):
    pass


class Interrupted(BreachdeskError):
    """Raised after an interrupted run was recorded as ``interrupted``."""

    exit_code = ExitCode.INTERRUPTED
