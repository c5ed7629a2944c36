"""Reusable SMTP connections, and what a failure to connect means.

A failure before any message is handed over (the server is unreachable, TLS is
not trusted, the login is refused) is about the server, not about a customer:
:class:`ServerTrouble` stops the batch without touching its rows' attempts, and
the sender retries a bounded number of times (or stops at once when retrying
cannot help), saying what it is doing.
"""

from __future__ import annotations

import asyncio
import ssl
from dataclasses import dataclass
from typing import Protocol

import aiosmtplib


class PoolOptions(Protocol):
    host: str
    port: int
    tls: bool
    starttls: bool
    username: str | None
    password: str | None
    timeout: float
    ca_file: str | None
    concurrency: int


@dataclass
class ServerTrouble(Exception):
    reason: str
    permanent: bool  # retrying will not help (login refused, TLS not trusted)

    def __str__(self) -> str:
        return self.reason


def _cause(
    exc: BaseException, kind: type[ssl.SSLCertVerificationError]
) -> ssl.SSLCertVerificationError | None:
    seen: BaseException | None = exc
    for _ in range(5):
        if seen is None:
            return None
        if isinstance(seen, kind):
            return seen
        seen = seen.__cause__ or seen.__context__
    return None


def classify(exc: BaseException, host: str, port: int) -> ServerTrouble:
    where = f"the SMTP server {host}:{port}"
    if isinstance(exc, aiosmtplib.SMTPAuthenticationError):
        return ServerTrouble(
            f"{where} refused the login ({exc.code} {exc.message}); "
            "check BREACHDESK_SMTP_USERNAME and BREACHDESK_SMTP_PASSWORD",
            permanent=True,
        )
    cert = _cause(exc, ssl.SSLCertVerificationError)
    if cert is not None:
        return ServerTrouble(
            f"{where}: TLS certificate not trusted ({cert.verify_message}); "
            "set BREACHDESK_SMTP_CA_FILE",
            permanent=True,
        )
    if isinstance(exc, aiosmtplib.SMTPResponseException):
        return ServerTrouble(
            f"{where} answered {exc.code} {exc.message} before any message",
            permanent=exc.code >= 500,
        )
    if isinstance(exc, aiosmtplib.SMTPException) and not isinstance(
        exc,
        aiosmtplib.SMTPConnectError
        | aiosmtplib.SMTPServerDisconnected
        | aiosmtplib.SMTPTimeoutError,
    ):
        return ServerTrouble(f"{where}: {exc}", permanent=True)  # e.g. no STARTTLS offered
    text = str(exc).strip() or type(exc).__name__
    return ServerTrouble(f"cannot reach {where} ({text})", permanent=False)


class Pool:
    """``concurrency`` reusable SMTP connections; a broken one is replaced on next use."""

    def __init__(self, opts: PoolOptions) -> None:
        self.opts = opts
        self.free: asyncio.Queue[aiosmtplib.SMTP | None] = asyncio.Queue()
        for _ in range(max(1, opts.concurrency)):
            self.free.put_nowait(None)

    async def connect(self) -> aiosmtplib.SMTP:
        """A connected (and, as configured, TLS-secured and logged-in) client, or ServerTrouble."""
        o = self.opts
        smtp = aiosmtplib.SMTP(
            hostname=o.host,
            port=o.port,
            use_tls=o.tls,
            start_tls=o.starttls,
            username=o.username,
            password=o.password,
            timeout=o.timeout,
            cert_bundle=o.ca_file,
        )
        try:
            await smtp.connect()
        except (TimeoutError, OSError, aiosmtplib.SMTPException) as exc:
            smtp.close()
            raise classify(exc, o.host, o.port) from None
        return smtp

    async def close(self) -> None:
        while not self.free.empty():
            conn = self.free.get_nowait()
            if conn is not None and conn.is_connected:
                try:
                    await conn.quit()
                except aiosmtplib.SMTPException:
                    conn.close()


async def offers_smtputf8(conn: aiosmtplib.SMTP) -> bool:
    """Whether the server advertises SMTPUTF8 (says EHLO first if not yet done)."""
    if conn.is_ehlo_or_helo_needed:
        try:
            await conn.ehlo()
        except aiosmtplib.SMTPResponseException:
            return False  # no EHLO (an old HELO-only server): no extensions at all
        except (TimeoutError, OSError, aiosmtplib.SMTPException) as exc:
            conn.close()
            raise classify(exc, conn.hostname or "", conn.port or 0) from None
    return conn.supports_extension("smtputf8")


def drop(conn: aiosmtplib.SMTP | None) -> None:
    """Close a connection after an error; the pool reconnects on next use."""
    if conn is not None:
        conn.close()
