"""Deliver an incident's approved notices: claim, render, sign, send, record.

One worker runs one asyncio loop with ``concurrency`` SMTP connections, paced by
the rate limits. Rows are claimed in batches under a lease that is renewed while
the batch is in progress and checked before every message (see ``lease``);
outcomes are flushed in small groups right after the server answers, fenced by
the claim's ``lease_gen``. A 4xx or a connection lost before the reply puts the
row back for a retry with backoff (same Message-ID); a 5xx fails it for good.

Addresses go out with an IDNA domain; a non-ASCII local part uses SMTPUTF8 and
fails with a clear reason when the server does not offer it (``addresses``).
When the server cannot be reached at all, or refuses the login, no row is
charged an attempt: the batch is given back, the sender says what happened,
retries a bounded number of times and then stops with the reason
(``Progress.stopped``). Every failure is counted by reason in
``Progress.failures`` so the caller can say so at the time.
"""

from __future__ import annotations

import asyncio
import os
import re
import socket
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import aiosmtplib
from sqlalchemy import select

from breachdesk.errors import BreachdeskError, UsageError
from breachdesk.notify import queue
from breachdesk.notify.adapter import incident_facts
from breachdesk.notify.addresses import NEEDS_SMTPUTF8, AddressError, mail_address
from breachdesk.notify.approval import is_approved, templates_digest
from breachdesk.notify.dkim_keys import DkimKey, load_or_create
from breachdesk.notify.lease import BatchLease
from breachdesk.notify.limits import RateLimiter
from breachdesk.notify.message import build, sign
from breachdesk.notify.render import IncidentFacts, Renderer
from breachdesk.notify.smtp_pool import Pool, ServerTrouble, drop, offers_smtputf8
from breachdesk.notify.spec import TEMPLATES_DIR
from breachdesk.registry.entities import Entity, load_entities
from breachdesk.settings import Settings
from breachdesk.store import Store
from breachdesk.store.models import Customer

_QID = re.compile(r"queued as\s+(\S+)", re.IGNORECASE)
_STATUS = re.compile(r"^\s*([245]\.\d{1,3}\.\d{1,3})\b")
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
    connect_retries: int = 3  # tries to reach the server before the run stops
    connect_retry_seconds: float = 2.0  # first pause between them (doubles)


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
    lost: int = 0  # rows another sender claimed after this one's lease ran out (not sent here)
    failures: Counter[str] = field(default_factory=Counter)  # reason -> rows failed this run
    stopped: str | None = None  # why the run stopped before every row was done
    states: dict[str, int] = field(default_factory=dict)


def failure_reason(reply: str) -> str:
    """A reason to group failures by, without the recipient's address."""
    code = reply[:3]
    if code.isdigit():
        found = _STATUS.match(reply[3:])
        status = f" {found.group(1)}" if found else ""
        return f"refused by the server ({code}{status})"
    return reply


class Sender:
    def __init__(
        self,
        store: Store,
        cfg: Settings,
        incident_id: int,
        opts: SendOptions,
        templates_dir: Path = TEMPLATES_DIR,
        on_progress: Callable[[Progress], None] | None = None,
        on_event: Callable[[str], None] | None = None,
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
        self.on_event = on_event
        self.worker = f"{socket.gethostname()}:{os.getpid()}"
        self.progress = Progress()
        self.limiter = RateLimiter(opts.rate, opts.window_cap, opts.window_seconds)
        self._pending: list[queue.Outcome] = []
        self.facts: IncidentFacts | None = None
        self.trouble: ServerTrouble | None = None
        self._lease: BatchLease | None = None
        self._finished: set[int] = set()  # row ids of the current batch with an outcome
        self._last_note = ""

    def _key(self, entity: Entity) -> DkimKey:
        k = self.keys.get(entity.id)
        if k is None:
            k = self.keys[entity.id] = load_or_create(self.cfg, entity)
        return k

    def _event(self, text: str) -> None:
        if self.on_event:
            self.on_event(text)

    def prepare(self, row: queue.Claimed, email: str, name: str) -> bytes:
        assert self.facts is not None
        entity = self.entities[row.entity]
        rendered = self.renderer.render(
            self.facts, entity, row.context, name, row.locale, row.verification
        )
        msg = build(rendered, entity, email, name, row.message_id, row.locale)
        return sign(msg, self._key(entity), self.opts.dkim_signer)

    def _fail(self, row: queue.Claimed, reason: str) -> None:
        """Fail a row without an SMTP transaction (nothing was sent)."""
        self._done(queue.Outcome(row, "failed", reason, transacted=False))

    async def _one(self, pool: Pool, row: queue.Claimed, who: tuple[str, str] | None) -> None:
        if self.trouble is not None:
            return  # the server is unreachable: the row is given back untouched
        if who is None or row.entity not in self.entities:
            self._fail(row, "customer or entity no longer exists")
            return
        try:
            addr = mail_address(who[0])
        except AddressError as exc:
            self._fail(row, f"address cannot be delivered: {exc}")
            return
        await self.limiter.acquire()
        try:
            raw = self.prepare(row, addr.header, who[1])
        except (BreachdeskError, ValueError, KeyError) as exc:
            self._fail(row, f"not rendered: {exc}")
            return
        entity = self.entities[row.entity]
        conn = await pool.free.get()
        try:
            if self.trouble is not None:
                return
            if conn is None or not conn.is_connected:
                conn = None
                conn = await pool.connect()
            if addr.smtputf8 and not await offers_smtputf8(conn):
                self._fail(row, NEEDS_SMTPUTF8)
                return
            assert self._lease is not None
            if not self._lease.holds(row.id):
                self.progress.lost += 1  # another sender has it now: stop before sending it
                return
            self.progress.in_flight += 1
            try:
                await self._transact(conn, entity.sender, addr.envelope, addr.smtputf8, raw, row)
            except aiosmtplib.SMTPException:
                drop(conn)
                conn = None
            finally:
                self.progress.in_flight -= 1
        except ServerTrouble as trouble:
            self.trouble = self.trouble or trouble
            conn = None
        finally:
            pool.free.put_nowait(conn)

    async def _transact(
        self,
        conn: aiosmtplib.SMTP,
        sender: str,
        rcpt: str,
        utf8: bool,
        raw: bytes,
        row: queue.Claimed,
    ) -> None:
        """One SMTP transaction; its outcome is recorded. Re-raises after a lost connection."""
        try:
            _, reply = await conn.sendmail(
                sender, [rcpt], raw, mail_options=["SMTPUTF8"] if utf8 else []
            )
        except aiosmtplib.SMTPRecipientsRefused as exc:
            first = exc.recipients[0] if exc.recipients else None
            code = first.code if first else 450
            kind = "failed" if code >= 500 else "retry"
            self._done(queue.Outcome(row, kind, f"{code} {first.message if first else exc}"))
            raise
        except aiosmtplib.SMTPResponseException as exc:
            kind = "failed" if exc.code >= 500 else "retry"
            self._done(queue.Outcome(row, kind, f"{exc.code} {exc.message}"))
            raise
        except (TimeoutError, aiosmtplib.SMTPException, OSError) as exc:
            # No reply: the server may or may not have kept it. Retry with the same Message-ID.
            self._done(queue.Outcome(row, "retry", f"no reply: {type(exc).__name__}"))
            raise aiosmtplib.SMTPException(str(exc)) from None
        found = _QID.search(reply)
        self._done(queue.Outcome(row, "sent", f"250 {reply}", found.group(1) if found else None))

    def _count(self, outcome: queue.Outcome, sign_: int) -> None:
        p = self.progress
        if outcome.kind == "sent":
            p.sent += sign_
        elif outcome.final(self.opts.max_attempts):
            p.failed += sign_
            reason = failure_reason(outcome.reply)
            if outcome.kind == "retry":
                reason = f"no success after {outcome.attempts} attempts (last: {reason})"
            p.failures[reason] += sign_
            if p.failures[reason] <= 0:
                del p.failures[reason]
        else:
            p.retried += sign_

    def _done(self, outcome: queue.Outcome) -> None:
        self._finished.add(outcome.row.id)
        self._count(outcome, 1)
        self._pending.append(outcome)
        if len(self._pending) >= FLUSH_EVERY:
            self.flush()

    def flush(self) -> None:
        batch, self._pending = self._pending, []
        written = queue.record(self.store, batch, self.opts.max_attempts, self.opts.backoff_seconds)
        for o in batch:
            if o.row.id not in written:  # taken over by another sender: not ours to count
                self._count(o, -1)
                self.progress.lost += 1
        if self._lease is not None:
            self._lease.done(o.row.id for o in batch)
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

    async def _batch(self, pool: Pool, rows: list[queue.Claimed], claimed_at: float) -> None:
        self._lease = BatchLease(self.store, rows, self.opts.lease_seconds, claimed_at)
        self._finished = set()
        keeper = asyncio.create_task(self._lease.keep())
        try:
            who = self._recipients(rows)
            await asyncio.gather(*(self._one(pool, r, who.get(r.customer_pk)) for r in rows))
        finally:
            keeper.cancel()
            self.flush()
        untouched = [r for r in rows if r.id not in self._finished]
        queue.release(self.store, untouched)  # fenced: rows another sender took are left alone
        self._lease = None

    def _note_wait(self, due: float) -> None:
        """Say once per situation why the sender is waiting (never a silent wait)."""
        st = queue.counts(self.store, self.incident_id)
        parts = []
        if st.get("pending"):
            parts.append(f"{st['pending']} to retry after a temporary failure")
        if st.get("sending"):
            parts.append(f"{st['sending']} held by another sender's lease")
        situation = ", ".join(parts or ["rows not yet due"])
        if situation != self._last_note:
            self._last_note = situation
            self._event(f"waiting (next due in {due:.0f} s): {situation}")

    async def _server_trouble(self, tries: int) -> bool:
        """Say what happened; True to try again, False to stop the run."""
        trouble = self.trouble
        assert trouble is not None
        self.trouble = None
        if trouble.permanent or not self.opts.wait or tries >= self.opts.connect_retries:
            self.progress.stopped = (
                trouble.reason
                if trouble.permanent or not self.opts.wait
                else f"{trouble.reason}; gave up after {tries} tries"
            )
            return False
        pause = self.opts.connect_retry_seconds * 2 ** (tries - 1)
        self._event(
            f"{trouble.reason}; trying again in {pause:g} s (try {tries + 1} of "
            f"{self.opts.connect_retries})"
        )
        await asyncio.sleep(pause)
        return True

    async def run(self) -> Progress:
        counts = queue.counts(self.store, self.incident_id)
        total = sum(counts.values())
        self.facts = incident_facts(self.store, self.incident_id, total)
        self.progress.total = total - counts.get("held", 0)
        self.progress.done_before = sum(counts.get(k, 0) for k in ("sent", "failed", "bounced"))
        pool = Pool(self.opts)
        tries = 0
        try:
            while True:
                size = self._batch_size()
                if size == 0:  # the sliding window is full: claim nothing until it frees
                    await asyncio.sleep(min(1.0, max(0.05, self.limiter.delay(time.monotonic()))))
                    continue
                claimed_at = time.monotonic()
                rows = queue.claim(
                    self.store, self.incident_id, size, self.worker, self.opts.lease_seconds
                )
                if not rows:
                    self.flush()
                    due = queue.seconds_until_due(self.store, self.incident_id)
                    if due is None or not self.opts.wait:
                        break
                    self._note_wait(due)
                    await asyncio.sleep(min(max(due, 0.05), 1.0))
                    continue
                await self._batch(pool, rows, claimed_at)
                if self.trouble is None:
                    tries = 0
                    continue
                tries += 1
                if not await self._server_trouble(tries):
                    break
        finally:
            self.flush()
            await pool.close()
        self.progress.states = queue.counts(self.store, self.incident_id)
        return self.progress


def deliver(
    store: Store,
    cfg: Settings,
    incident_id: int,
    opts: SendOptions | None = None,
    templates_dir: Path = TEMPLATES_DIR,
    on_progress: Callable[[Progress], None] | None = None,
    on_event: Callable[[str], None] | None = None,
) -> Progress:
    """Send every due outbox row of the incident; requires approval of the templates."""
    sender = Sender(
        store, cfg, incident_id, opts or options_from(cfg), templates_dir, on_progress, on_event
    )
    return asyncio.run(sender.run())
