"""The insider scene of ``make demo``: an export leaks, is traced, and its canary is mailed.

1. ``j.doe`` exports customers to "Acme Marketing" (canaries blended in);
2. part of that file turns up as a gzip'd paste: rows sampled, columns reordered,
   prose around them;
3. ``attribute`` finds the customers, names the export and opens an incident;
4. Acme starts mailing the list: one message to a canary reaches the tripwire
   on loopback, and the alert names the export and its exporter.
"""

from __future__ import annotations

import csv
import gzip
import random
import smtplib
import socket
from dataclasses import dataclass
from pathlib import Path

from rich.console import Console
from sqlalchemy import func, select

from breachdesk.incident.attribution import record_attribution
from breachdesk.insider.attribute import attribute_dump
from breachdesk.insider.attribution_view import render_attribution
from breachdesk.insider.tripwire import Alert, TripwireConfig, start_tripwire
from breachdesk.registry.entities import load_entities
from breachdesk.registry.exports import ExportRequest, create_export
from breachdesk.registry.index import MatchIndex
from breachdesk.settings import Settings
from breachdesk.store import Store
from breachdesk.store.audit import default_actor
from breachdesk.store.models import Customer
from breachdesk.workspace import hasher

LEAK_SHARE = 0.08


@dataclass(frozen=True)
class InsiderSceneResult:
    export_uid: str
    exported: int
    leaked_rows: int
    matched: int
    named: list[str]
    incident_id: int | None
    alerts: int


def _country(store: Store) -> str:
    with store.sessions() as session:
        stmt = select(Customer.country, func.count()).group_by(Customer.country)
        counts = sorted(session.execute(stmt).all(), key=lambda r: -r[1])
    # a mid-sized country keeps the scene short on a large sample
    return str(counts[len(counts) // 2][0]) if counts else "GB"


def _leak(export_csv: Path, out: Path, rng: random.Random) -> int:
    with export_csv.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    leaked = rng.sample(rows, max(1, int(len(rows) * LEAK_SHARE)))
    lines = ["fresh marketing list, GB/EU, verified 2026 -- dm for more", ""]
    lines += [f"{r['email']} | {r['full_name']}" for r in leaked]
    lines += ["", "bulk price on request"]
    out.write_bytes(gzip.compress("\n".join(lines).encode("utf-8")))
    return len(leaked)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def run_insider_scene(
    store: Store, cfg: Settings, out_dir: Path, console: Console
) -> InsiderSceneResult:
    keyed = hasher(cfg)
    work = out_dir / "insider"
    work.mkdir(parents=True, exist_ok=True)
    rng = random.Random(2020)
    country = _country(store)
    console.rule("insider scene: an export to a third party leaks")
    req = ExportRequest(
        recipient="Acme Marketing",
        exporter="j.doe",
        purpose="spring newsletter partnership",
        out=work / "acme-export.csv",
        filters={"country": [country]},
    )
    exp = create_export(store, keyed, load_entities(cfg.entities_path), req)
    console.print(
        f"$ breachdesk export --to 'Acme Marketing' --by j.doe --where country={country} "
        f"--out {exp.out}\n  {exp.members:,} customers + {exp.canaries} canaries"
    )
    leak = work / "paste.txt.gz"
    leaked = _leak(Path(exp.out), leak, rng)
    console.print(f"a paste turns up: {leak} ({leaked:,} rows, columns reordered, prose around)")
    console.print(f"$ breachdesk attribute {leak} --open-incident")
    index = MatchIndex(cfg.index_dir, keyed.fingerprint_of_key)
    att = attribute_dump(store, keyed, index, [leak])
    rec = record_attribution(store, cfg, att, default_actor(cfg), open_new=True)
    render_attribution(att, console)
    console.print(f"incident {rec.incident_id} opened, {rec.attached:,} customers attached")

    console.print("$ breachdesk tripwire   (Acme starts mailing the list)")
    with (work / "acme-export.csv").open(newline="", encoding="utf-8") as fh:
        canary = next(r["email"] for r in csv.DictReader(fh) if "canary" in r["email"])
    alerts: list[Alert] = []
    tcfg = TripwireConfig(port=_free_port())
    controller, _ = start_tripwire(store, keyed, tcfg, alerts.append)
    try:
        with smtplib.SMTP("127.0.0.1", tcfg.port, local_hostname="mta.acme-marketing.example") as s:
            s.sendmail(
                "news@acme-marketing.example",
                [canary],
                (
                    "From: Acme Marketing <news@acme-marketing.example>\r\n"
                    f"To: {canary}\r\nSubject: Spring deals just for you\r\n\r\nHello!\r\n"
                ).encode(),
                mail_options=[] if canary.isascii() else ["SMTPUTF8"],  # RFC 6531
            )
    finally:
        controller.stop()
    for a in alerts:
        console.print(
            f"[bold red]ALERT[/bold red] canary of export {a.export_uid} (made by {a.exporter} "
            f"for {a.recipient}) mailed by {a.mail_from} from {a.client_ip} "
            f"(HELO {a.helo}): {a.subject!r}"
        )
    return InsiderSceneResult(
        export_uid=exp.uid,
        exported=exp.members,
        leaked_rows=leaked,
        matched=att.matched,
        named=[e.uid for e in att.named],
        incident_id=rec.incident_id,
        alerts=len(alerts),
    )
