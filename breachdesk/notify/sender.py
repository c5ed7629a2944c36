"""Deliver an incident's approved notices: claim, render, sign, send, record.

One worker runs one asyncio loop with ``concurrency`` SMTP connections, paced by
the rate limits. Rows are claimed in batches under a lease (see ``queue``);
outcomes are flushed in small groups right after the server answers. A 4xx or a
connection lost before the reply puts the row back for a retry with backoff
(same Message-ID); a 5xx fails it for good.
"""

from __future__ import annotations

import asyncio
import os
import re
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import aiosmtplib
from sqlalchemy import select

from breachdesk.errors import BreachdeskError, UsageError
from breachdesk.notify import queue
from breachdesk.notify.adapter import incident_facts
from breachdesk.notify.approval import is_approved, templates_digest
from breachdesk.notify.dkim_keys import DkimKey, load_or_create
from breachdesk.notify.limits import RateLimiter
from breachdesk.notify.message import build, sign
from breachdesk.notify.render import IncidentFacts, Renderer
from breachdesk.notify.spec import TEMPLATES_DIR
from breachdesk.registry.entities import Entity, load_entities
from breachdesk.settings import Settings
from breachdesk.store import Store
from breachdesk.store.models import Customer

_QID = re.compile(r"queued as\s+(\S+)", re.IGNORECASE)
FLUSH_EVERY = 25


@dataclass
class SendOptions:
    host: str = "127.0.0.1"
    port: int = 25
    starttls: bool = False
    tls: bool = False
    username: str | None = None
    password: str | None = None
    timeout: float = 30.0
    ca_file: str | None = None
    concurrency: int = 8
    rate: float = 0.0
    window_cap: int = 0
    window_seconds: float = 3600.0
    lease_seconds: float = 120.0
    max_attempts: int = 8
    batch: int = 200
    backoff_seconds: float = 30.0
    wait: bool = True  # keep going until no row can still go out
    dkim_signer: str = "cryptography"


def options_from(cfg: Settings) -> SendOptions:
    return SendOptions(
        host=cfg.smtp_host,
        port=cfg.smtp_port,
        starttls=cfg.smtp_starttls,
        tls=cfg.smtp_tls,
        username=cfg.smtp_username,
        password=cfg.smtp_password.get_secret_value() if cfg.smtp_password else None,
        timeout=cfg.smtp_timeout,
        ca_file=str(cfg.smtp_ca_file) if cfg.smtp_ca_file else None,
        concurrency=cfg.notify_concurrency,
        rate=cfg.notify_rate,
        window_cap=cfg.notify_window_cap,
        window_seconds=cfg.notify_window_seconds,
        lease_seconds=cfg.notify_lease_seconds,
        max_attempts=cfg.notify_max_attempts,
        batch=cfg.notify_batch,
        backoff_seconds=cfg.notify_backoff_seconds,
        dkim_signer=cfg.notify_dkim_signer,
    )


@dataclass
class Progress:
    total: int = 0
    done_before: int = 0
    sent: int = 0
    retried: int = 0
    failed: int = 0
    in_flight: int = 0
    states: dict[str, int] = field(default_factory=dict)


class _Pool:
    """``size`` reusable SMTP connections; a broken one is replaced on next use."""

    def __init__(self, opts: SendOptions) -> None:
        self.opts = opts
        self.free: asyncio.Queue[aiosmtplib.SMTP | None] = asyncio.Queue()
        for _ in range(max(1, opts.concurrency)):
            self.free.put_nowait(None)

    async def connect(self) -> aiosmtplib.SMTP:
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
        await smtp.connect()
        return smtp

    async def close(self) -> None:
        while not self.free.empty():
            conn = self.free.get_nowait()
            if conn is not None and conn.is_connected:
                try:
                    await conn.quit()
                except aiosmtplib.SMTPException:
                    conn.close()


class Sender:
    def __init__(
        self,
        store: Store,
        cfg: Settings,
        incident_id: int,
        opts: SendOptions,
        templates_dir: Path = TEMPLATES_DIR,
        on_progress: Callable[[Progress], None] | None = None,
    ) -> None:
        self.store, self.cfg, self.incident_id, self.opts = store, cfg, incident_id, opts
        self.renderer = Renderer(templates_dir)
        if not is_approved(store, incident_id, templates_digest(self.renderer)):
            raise UsageError(
                f"incident {incident_id}: notices are not approved for the current templates; "
                f"run `breachdesk notify preview {incident_id}` then `notify approve {incident_id}`"
            )
        self.entities: dict[str, Entity] = load_entities(cfg.entities_path)
        self.keys: dict[str, DkimKey] = {}
        self.on_progress = on_progress
        self.worker = f"{socket.gethostname()}:{os.getpid()}"
        self.progress = Progress()
        self.limiter = RateLimiter(opts.rate, opts.window_cap, opts.window_seconds)
        self._pending: list[queue.Outcome] = []
        self.facts: IncidentFacts | None = None

    def _key(self, entity: Entity) -> DkimKey:
        k = self.keys.get(entity.id)
        if k is None:
            k = self.keys[entity.id] = load_or_create(self.cfg, entity)
        return k

    def prepare(self, row: queue.Claimed, email: str, name: str) -> bytes:
        assert self.facts is not None
        entity = self.entities[row.entity]
        rendered = self.renderer.render(
            self.facts, entity, row.context, name, row.locale, row.verification
        )
        msg = build(rendered, entity, email, name, row.message_id, row.locale)
        return sign(msg, self._key(entity), self.opts.dkim_signer)

    async def _one(self, pool: _Pool, row: queue.Claimed, who: tuple[str, str] | None) -> None:
        if who is None or row.entity not in self.entities:
            self._done(queue.Outcome(row, "failed", "customer or entity no longer exists"))
            return
        await self.limiter.acquire()
        try:
            raw = self.prepare(row, *who)
        except (BreachdeskError, ValueError, KeyError) as exc:
            self._done(queue.Outcome(row, "failed", f"not rendered: {exc}"))
            return
        entity = self.entities[row.entity]
        conn = await pool.free.get()
        self.progress.in_flight += 1
        try:
            if conn is None or not conn.is_connected:
                conn = await pool.connect()
            _, reply = await conn.sendmail(entity.sender, [who[0]], raw)
            found = _QID.search(reply)
            self._done(
                queue.Outcome(row, "sent", f"250 {reply}", found.group(1) if found else None)
            )
        except aiosmtplib.SMTPRecipientsRefused as exc:
            first = exc.recipients[0] if exc.recipients else None
            code = first.code if first else 450
            kind = "failed" if code >= 500 else "retry"
            self._done(queue.Outcome(row, kind, f"{code} {first.message if first else exc}"))
            conn = _drop(conn)
        except aiosmtplib.SMTPResponseException as exc:
            kind = "failed" if exc.code >= 500 else "retry"
            self._done(queue.Outcome(row, kind, f"{exc.code} {exc.message}"))
            conn = _drop(conn)
        except (TimeoutError, aiosmtplib.SMTPException, OSError) as exc:
            # No reply: the server may or may not have kept it. Retry with the same Message-ID.
            self._done(queue.Outcome(row, "retry", f"no reply: {type(exc).__name__}"))
            conn = _drop(conn)
        finally:
            self.progress.in_flight -= 1
            pool.free.put_nowait(conn)

    def _done(self, outcome: queue.Outcome) -> None:
        p = self.progress
        if outcome.kind == "sent":
            p.sent += 1
        elif outcome.kind == "failed" or outcome.row.attempts >= self.opts.max_attempts:
            p.failed += 1
        else:
            p.retried += 1
        self._pending.append(outcome)
        if len(self._pending) >= FLUSH_EVERY:
            self.flush()

    def flush(self) -> None:
        batch, self._pending = self._pending, []
        queue.record(self.store, batch, self.opts.max_attempts, self.opts.backoff_seconds)
        if self.on_progress:
            self.on_progress(self.progress)

    def _batch_size(self) -> int:
        """Claim no more than can go out well within the lease under the limits."""
        size = self.opts.batch
        if self.opts.rate > 0:
            size = min(size, max(1, int(self.opts.rate * self.opts.lease_seconds / 2)))
        room = self.limiter.room(time.monotonic())
        return size if room is None else min(size, room)

    def _recipients(self, rows: list[queue.Claimed]) -> dict[int, tuple[str, str]]:
        pks = [r.customer_pk for r in rows]
        with self.store.session() as s:
            got = s.execute(
                select(Customer.id, Customer.email, Customer.full_name).where(Customer.id.in_(pks))
            )
            return {pk: (email, name) for pk, email, name in got}

    async def run(self) -> Progress:
        counts = queue.counts(self.store, self.incident_id)
        total = sum(counts.values())
        self.facts = incident_facts(self.store, self.incident_id, total)
        self.progress.total = total - counts.get("held", 0)
        self.progress.done_before = sum(counts.get(k, 0) for k in ("sent", "failed", "bounced"))
        pool = _Pool(self.opts)
        try:
            while True:
                size = self._batch_size()
                if size == 0:  # the sliding window is full: claim nothing until it frees
                    await asyncio.sleep(min(1.0, max(0.05, self.limiter.delay(time.monotonic()))))
                    continue
                rows = queue.claim(
                    self.store, self.incident_id, size, self.worker, self.opts.lease_seconds
                )
                if not rows:
                    self.flush()
                    due = queue.seconds_until_due(self.store, self.incident_id)
                    if due is None or not self.opts.wait:
                        break
                    await asyncio.sleep(min(max(due, 0.05), 1.0))
                    continue
                who = self._recipients(rows)
                await asyncio.gather(*(self._one(pool, r, who.get(r.customer_pk)) for r in rows))
                self.flush()
        finally:
            self.flush()
            await pool.close()
        self.progress.states = queue.counts(self.store, self.incident_id)
        return self.progress


def _drop(conn: aiosmtplib.SMTP | None) -> aiosmtplib.SMTP | None:
    """Close a connection after an error; the pool reconnects on next use."""
    if conn is not None:
        conn.close()
    return None


def deliver(
    store: Store,
    cfg: Settings,
    incident_id: int,
    opts: SendOptions | None = None,
    templates_dir: Path = TEMPLATES_DIR,
    on_progress: Callable[[Progress], None] | None = None,
) -> Progress:
    """Send every due outbox row of the incident; requires approval of the templates."""
    sender = Sender(store, cfg, incident_id, opts or options_from(cfg), templates_dir, on_progress)
    return asyncio.run(sender.run())
