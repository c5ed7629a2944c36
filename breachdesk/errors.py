"""The one exception hierarchy of breachdesk.

::

    BreachdeskError              a problem a user can act on; the CLI prints one line, exits 1
    ├── UsageError               wrong command-line use; exit 2
    ├── ConfigError              settings, workspace, secret key or rules files are wrong
    │   └── RulesError           a rules or template data file failed validation
    ├── InputError               an input file or record cannot be read (file, record, reason)
    │   └── StrictModeError      --strict turned an input problem into a fatal error
    └── StoreError               the database cannot be reached or is not migrated

Every message names the file, record or field and says what to do. No traceback
reaches a user: ``breachdesk.cli.main`` catches ``BreachdeskError``.
"""

from __future__ import annotations


class BreachdeskError(Exception):
    """Base class. ``str(exc)`` is the single line shown to the user."""

    exit_code = 1


class UsageError(BreachdeskError):
    exit_code = 2


class ConfigError(BreachdeskError):
    pass


class RulesError(ConfigError):
    pass


class InputError(BreachdeskError):
    def __init__(self, file: str, reason: str, record: str | None = None) -> None:
        self.file = file
        self.record = record
        self.reason = reason
        where = f"{file}: {record}" if record else file
        super().__init__(f"{where}: {reason}")


class StrictModeError(InputError):
    pass


class StoreError(BreachdeskError):
    pass
