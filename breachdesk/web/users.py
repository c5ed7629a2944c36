"""Operator accounts: argon2id password hashes, two roles, audited creation and logins.

``add_user`` is what ``breachdesk user add`` calls; ``authenticate`` is what the
login form calls. A wrong user name costs the same argon2 verification as a wrong
password, so the login does not tell which one was wrong.
"""

from __future__ import annotations

import re
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select

from breachdesk.errors import UsageError
from breachdesk.store import Store
from breachdesk.store.audit import record
from breachdesk.store.models.base import utcnow
from breachdesk.store.models.web import WebUser

ROLES = ("operator", "viewer")
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{1,63}$")
_hasher = PasswordHasher()
_DUMMY = _hasher.hash(secrets.token_urlsafe(16))


def add_user(store: Store, username: str, password: str, role: str, actor: str) -> WebUser:
    if role not in ROLES:
        raise UsageError(f"role: {role!r} is not one of {', '.join(ROLES)}")
    if not _NAME.match(username):
        raise UsageError(f"username: {username!r} must be 2-64 letters, digits, '.', '_' or '-'")
    if len(password) < 12:
        raise UsageError("password: use at least 12 characters")
    with store.session() as s:
        if s.scalar(select(WebUser.id).where(WebUser.username == username)) is not None:
            raise UsageError(f"username: {username!r} exists already")
        user = WebUser(
            username=username,
            password_hash=_hasher.hash(password),
            role=role,
            disabled=False,
            created_at=utcnow(),
        )
        s.add(user)
        s.flush()
        record(s, actor, "web.user.add", f"user:{username}", {"role": role})
    return user


def authenticate(store: Store, username: str, password: str) -> WebUser | None:
    """The user when the password matches (and the account is enabled), else None; audited."""
    with store.session() as s:
        user = s.scalars(select(WebUser).where(WebUser.username == username[:64])).first()
        stored = user.password_hash if user is not None and not user.disabled else _DUMMY
        try:
            ok = _hasher.verify(stored, password) and user is not None and not user.disabled
        except (VerificationError, InvalidHashError):
            ok = False
        subject = f"user:{username[:64]}" if user is not None else "user:?"
        record(s, username[:64] if ok else "anonymous", "web.login", subject, {"ok": bool(ok)})
    return user if ok else None


def new_password() -> str:
    return secrets.token_urlsafe(15)
