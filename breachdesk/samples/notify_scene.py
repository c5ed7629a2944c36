"""The notify scene of ``make demo``: plan, preview, approve, and deliver the demo
incident's notices to the in-process SMTP server, then say where the messages are."""

from __future__ import annotations

import email
from dataclasses import dataclass
from email.policy import default
from pathlib import Path

from rich.console import Console

from breachdesk.notify.approval import approve, preview
from breachdesk.notify.dkim_keys import public_keys
from breachdesk.notify.plan import plan
from breachdesk.notify.progress_view import deliver_with_progress, summary
from breachdesk.notify.sender import options_from
from breachdesk.notify.smtp_sink import SmtpSink
from breachdesk.registry.entities import load_entities
from breachdesk.settings import Settings
from breachdesk.store import Store


@dataclass(frozen=True)
class NotifyScene:
    sink_dir: Path
    preview_dir: Path
    delivered: int
    dkim_ok: int
    samples: dict[str, Path]


def run_notify_scene(
    store: Store, cfg: Settings, incident_id: int, out_dir: Path, console: Console
) -> NotifyScene:
    folder = out_dir / "notify"
    planned = plan(store, cfg, incident_id)
    console.print(
        f"planned {planned.affected:,} notices (one outbox row per affected customer); "
        + (
            "held back: " + ", ".join(f"{n} {r}" for r, n in sorted(planned.held.items()))
            if planned.held
            else "none held back"
        )
    )
    shown = preview(store, cfg, incident_id, folder / "preview")
    console.print(
        f"preview: {shown.samples} samples ({len(shown.entities)} entities x "
        f"{len(shown.locales)} locales) in {folder / 'preview'}"
    )
    approve(store, cfg, incident_id, "demo-dpo")
    console.print("approved by demo-dpo (recorded in the audit log)")
    keys = public_keys(cfg, load_entities(cfg.entities_path))
    sink_dir = folder / "smtp-sink"
    with SmtpSink(sink_dir, keys) as sink:
        opts = options_from(cfg)
        opts.host, opts.port, opts.starttls, opts.tls = "127.0.0.1", sink.port, False, False
        opts.username = opts.password = None
        console.print(f"delivering to the in-process SMTP server on 127.0.0.1:{sink.port}")
        p = deliver_with_progress(store, cfg, incident_id, opts, console)
        console.print(summary(incident_id, p))
        messages = list(sink.messages)
    samples: dict[str, Path] = {}
    for m in messages:
        lang = email.message_from_bytes(m.data, policy=default).get("Content-Language", "")
        if lang and lang not in samples:
            samples[lang] = sink_dir / f"{m.seq:08d}.eml"
    ok = sum(1 for m in messages if m.dkim_ok)
    console.print(
        f"the server received {len(messages):,} messages, {ok:,} with a valid DKIM signature; "
        f"all written to {sink_dir}"
    )
    for lang, path in sorted(samples.items()):
        console.print(f"  sample ({lang}): {path}")
    return NotifyScene(sink_dir, folder / "preview", len(messages), ok, samples)
