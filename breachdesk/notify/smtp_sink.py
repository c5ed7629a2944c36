"""A real SMTP server (aiosmtpd) on 127.0.0.1 for tests, the demo and the benchmarks.

It records every message (in memory and, when given a folder, as ``.eml`` files
plus an ``index.jsonl``), checks each DKIM signature offline against the entity
public keys it was given, and can be told to answer the next messages with a
``4xx`` or ``5xx``, or to drop the connection after the final "." and before
replying: the synchronisation gap where the message is kept but the sender
never hears ``250``. It offers SMTPUTF8 (RFC 6531) unless ``smtputf8=False``,
and ``delay`` makes it slow (seconds before it answers each message).

Run standalone (used by the crash benchmark, which kills the sender, not this)::

    python -m breachdesk.notify.smtp_sink --port 2526 --dir out/sink --keys keys.json
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import signal
import socket
import ssl
import threading
import time
from collections import deque
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from breachdesk.notify.message import verify

_MID = re.compile(rb"^Message-ID:\s*(<[^>\r\n]+>)", re.IGNORECASE | re.MULTILINE)


@dataclass(frozen=True)
class Received:
    seq: int
    queue_id: str
    mail_from: str
    rcpt: tuple[str, ...]
    message_id: str
    dkim_ok: bool | None
    dropped: bool
    data: bytes


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


class _Handler:
    def __init__(self, sink: SmtpSink) -> None:
        self.sink = sink

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        refused = self.sink.refuse.get(address)
        if refused:
            return refused
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.sink.delay:
            await asyncio.sleep(self.sink.delay)
        return self.sink._accept(server, envelope)


class SmtpSink:
    def __init__(
        self,
        out_dir: Path | None = None,
        keys: dict[str, str] | None = None,
        port: int | None = None,
        save_files: bool = True,
        drop_every: int = 0,
        sample_every: int = 1,
        keep_in_memory: bool = True,
        tls_context: ssl.SSLContext | None = None,
        credentials: tuple[str, str] | None = None,
        smtputf8: bool = True,
        delay: float = 0.0,
    ) -> None:
        self.out_dir = out_dir
        self.keys = dict(keys or {})
        self.port = port or free_port()
        self.save_files = save_files
        self.drop_every = drop_every
        self.delay = delay
        self.sample_every = max(1, sample_every)
        self.keep_in_memory = keep_in_memory
        self.messages: list[Received] = []
        self._plan: deque[tuple[str, int, str]] = deque()
        self._lock = threading.Lock()
        self._seen = 0
        self._index: Any = None
        self.credentials = credentials
        self.refuse: dict[str, str] = {}  # address -> reply to RCPT TO, e.g. "550 5.1.1 unknown"
        self._controller = Controller(
            _Handler(self),
            hostname="127.0.0.1",
            port=self.port,
            tls_context=tls_context,
            require_starttls=tls_context is not None,
            authenticator=self._authenticate if credentials else None,
            auth_required=credentials is not None,
            auth_require_tls=tls_context is not None,
            enable_SMTPUTF8=smtputf8,
        )

    def _authenticate(
        self, server: Any, session: Any, envelope: Any, mechanism: str, data: Any
    ) -> AuthResult:
        ok = isinstance(data, LoginPassword) and self.credentials == (
            data.login.decode(),
            data.password.decode(),
        )
        return AuthResult(success=ok, handled=False)

    # -- behaviour -------------------------------------------------------------------
    def fail_next(self, code: int, count: int = 1, text: str = "") -> None:
        """Answer the next ``count`` messages with ``code`` (e.g. 451 or 550)."""
        reason = text or ("Try again later" if code < 500 else "Mailbox unavailable")
        with self._lock:
            self._plan.extend(("code", code, reason) for _ in range(count))

    def drop_next(self, count: int = 1) -> None:
        """Keep the next ``count`` messages but drop the connection before replying."""
        with self._lock:
            self._plan.extend(("drop", 0, "") for _ in range(count))

    # -- lifecycle -------------------------------------------------------------------
    def start(self) -> SmtpSink:
        if self.out_dir is not None:  # the mail holds PII: folder 0700, files 0600
            self.out_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
            fd = os.open(
                self.out_dir / "index.jsonl", os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600
            )
            self._index = os.fdopen(fd, "a", encoding="utf-8")
        self._controller.start()
        return self

    def stop(self) -> None:
        self._controller.stop()
        if self._index is not None:
            self._index.close()
            self._index = None

    def __enter__(self) -> SmtpSink:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # -- queries ---------------------------------------------------------------------
    def by_message_id(self) -> dict[str, list[Received]]:
        out: dict[str, list[Received]] = {}
        for m in list(self.messages):
            out.setdefault(m.message_id, []).append(m)
        return out

    # -- the server side -------------------------------------------------------------
    def _accept(self, server: Any, envelope: Any) -> str:
        with self._lock:
            action = self._plan.popleft() if self._plan else ("ok", 0, "")
            self._seen += 1
            seq = self._seen
            if action[0] == "ok" and self.drop_every and seq % self.drop_every == 0:
                action = ("drop", 0, "")
        kind, code, reason = action
        if kind == "code":
            return f"{code} {reason}"
        raw: bytes = envelope.original_content or envelope.content
        found = _MID.search(raw)
        mid = found.group(1).decode("ascii", "replace") if found else ""
        sampled = seq % self.sample_every == 0 or self.sample_every == 1
        dkim_ok = verify(raw, self.keys) if self.keys and sampled else None
        qid = f"SINK{seq:08X}"
        rec = Received(
            seq,
            qid,
            envelope.mail_from,
            tuple(envelope.rcpt_tos),
            mid,
            dkim_ok,
            kind == "drop",
            raw,
        )
        with self._lock:
            if self.keep_in_memory:
                self.messages.append(rec)
            if self.out_dir is not None:
                name = f"{seq:08d}.eml"
                saved = self.save_files and sampled
                if saved:
                    fd = os.open(self.out_dir / name, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
                    with os.fdopen(fd, "wb") as fh:
                        fh.write(raw)
                self._index.write(
                    json.dumps(
                        {
                            "seq": seq,
                            "queue_id": qid,
                            "rcpt": list(rec.rcpt),
                            "message_id": mid,
                            "dkim_ok": dkim_ok,
                            "dropped": rec.dropped,
                            "file": name if saved else None,
                            "t": round(time.time(), 4),
                        }
                    )
                    + "\n"
                )
                self._index.flush()
        if kind == "drop":
            server.transport.abort()
        return f"250 2.0.0 Ok: queued as {qid}"


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description="Run the breachdesk test SMTP server.")
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--dir", type=Path, required=True)
    ap.add_argument("--keys", type=Path, help="JSON {dns name: DKIM TXT record}")
    ap.add_argument("--drop-every", type=int, default=0)
    ap.add_argument("--no-files", action="store_true", help="index.jsonl only, no .eml files")
    ap.add_argument("--no-smtputf8", action="store_true", help="Do not offer SMTPUTF8.")
    ap.add_argument(
        "--sample-every", type=int, default=1, help="Save and DKIM-check every Nth message."
    )
    args = ap.parse_args(argv)
    keys = json.loads(args.keys.read_text()) if args.keys else None
    sink = SmtpSink(
        args.dir,
        keys,
        port=args.port,
        save_files=not args.no_files,
        drop_every=args.drop_every,
        sample_every=args.sample_every,
        keep_in_memory=False,
        smtputf8=not args.no_smtputf8,
    )
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    with sink:
        print(f"listening on 127.0.0.1:{sink.port}", flush=True)
        stop.wait()


if __name__ == "__main__":
    main()
