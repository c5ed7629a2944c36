"""Delivery against the real local SMTP server: approval gate, DKIM, held rows, 4xx/5xx,
the dropped connection, bounces, missing/resend, on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import email
import mailbox
from email.message import EmailMessage
from email.policy import default
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from breachdesk.cli.main import run
from breachdesk.errors import UsageError
from breachdesk.notify.approval import approve
from breachdesk.notify.bounces import ingest
from breachdesk.notify.codes import check_code
from breachdesk.notify.dkim_keys import sender_domain
from breachdesk.notify.missing import export_missing, requeue_missing, status
from breachdesk.notify.plan import plan
from breachdesk.notify.sender import deliver
from breachdesk.registry.entities import load_entities
from breachdesk.store.audit import entries
from breachdesk.store.models import Customer
from breachdesk.store.models.outbox import OutboxRow
from breachdesk.workspace import load_key

from .conftest import BAD, GOOD, World


def _rows(w: World) -> dict[str, OutboxRow]:
    with w.store.session() as s:
        got = s.execute(
            select(Customer.customer_id, OutboxRow).join(
                Customer, Customer.id == OutboxRow.customer_pk
            )
        ).all()
    return {cid: row for cid, row in got}


def _ready(w: World) -> None:
    plan(w.store, w.settings, w.incident_id)
    approve(w.store, w.settings, w.incident_id, "tester")


def test_nothing_is_sent_before_approval(world: World) -> None:
    plan(world.store, world.settings, world.incident_id)
    with pytest.raises(UsageError, match="not approved"):
        deliver(world.store, world.settings, world.incident_id, world.options())
    assert world.sink.messages == []
    approve(world.store, world.settings, world.incident_id, "dpo-anna")
    audit = entries(world.store, subject=f"incident:{world.incident_id}")
    assert [e.actor for e in audit if e.action == "notify.approve"] == ["dpo-anna"]
    deliver(world.store, world.settings, world.incident_id, world.options())
    assert len(world.sink.messages) == len(GOOD)


def test_approval_is_for_the_templates_as_approved(world: World, tmp_path: Path) -> None:
    import shutil

    from breachdesk.notify.spec import TEMPLATES_DIR

    edited = tmp_path / "tpl"
    shutil.copytree(TEMPLATES_DIR, edited)
    _ready(world)  # approves the shipped templates
    txt = edited / "notice.txt.j2"
    txt.write_text(txt.read_text(encoding="utf-8") + "\nP.S.\n", encoding="utf-8")
    with pytest.raises(UsageError, match="not approved"):
        deliver(world.store, world.settings, world.incident_id, world.options(), edited)


def test_every_customer_gets_one_signed_notice_and_bad_rows_are_held(world: World) -> None:
    _ready(world)
    progress = deliver(world.store, world.settings, world.incident_id, world.options())
    assert progress.states == {"sent": len(GOOD), "held": len(BAD)}
    got = {m.rcpt[0]: m for m in world.sink.messages}
    assert set(got) == {c[1] for c in GOOD}
    assert all(m.dkim_ok for m in got.values())
    rows = _rows(world)
    key = load_key(world.settings)
    entities = load_entities(world.settings.entities_path)
    for cid, addr, name, _country, _sub, entity, _loc, _f in GOOD:
        m = got[addr]
        msg = email.message_from_bytes(m.data, policy=default)
        assert isinstance(msg, EmailMessage)
        assert m.message_id == rows[cid].message_id
        assert rows[cid].queue_id == m.queue_id  # the server's queue id is kept
        domain = msg["From"].addresses[0].domain
        assert f"d={domain}".encode() in m.data  # signed by the holding entity's own key
        assert domain == sender_domain(entities[entity])
        assert msg.get_content_type() == "multipart/alternative"
        kinds = [p.get_content_type() for p in msg.iter_parts()]
        assert kinds == ["text/plain", "text/html"]
        text = msg.get_body(("plain",)).get_content()  # type: ignore[union-attr]
        html = msg.get_body(("html",)).get_content()  # type: ignore[union-attr]
        assert name in text
        assert check_code(key, world.incident_id, cid, rows[cid].verification)
        assert rows[cid].verification in text and rows[cid].verification in html
        assert (
            "http" not in text
            and "<a " not in html
            and not any(p.get_filename() for p in msg.walk())
        )
    reasons = {cid: rows[cid].reason for cid, *_ in BAD}
    assert reasons["bad-mail"].startswith("no valid email address")
    assert reasons["bad-loc"] == "unknown locale 'pl-PL'"
    assert reasons["bad-ent"] == "unknown entity 'shop-nl'"
    # The Japanese customer got Japanese, the Californian the mandated headings.
    ja = email.message_from_bytes(got["kenji@example.jp"].data, policy=default)
    assert "二要素認証" in ja.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    ca = email.message_from_bytes(got["carol@example.com"].data, policy=default)
    assert "What Information Was Involved?" in ca.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    ma = email.message_from_bytes(got["mary@example.com"].data, policy=default)
    assert "customers affected" not in ma.get_body(("plain",)).get_content()  # type: ignore[union-attr]


def test_tampered_message_fails_dkim(world: World) -> None:
    from breachdesk.notify.message import verify

    _ready(world)
    deliver(world.store, world.settings, world.incident_id, world.options())
    raw = world.sink.messages[0].data
    assert verify(raw, world.sink.keys)
    tampered = raw.replace(b"Dear", b"Deer", 1).replace(b"Guten", b"Gutem", 1)
    assert tampered != raw
    assert not verify(tampered, world.sink.keys)


def test_4xx_is_retried_and_5xx_is_permanent(world: World) -> None:
    _ready(world)
    world.sink.fail_next(451, count=3)
    world.sink.fail_next(550, count=1)
    progress = deliver(world.store, world.settings, world.incident_id, world.options(concurrency=1))
    rows = _rows(world)
    failed = [cid for cid, r in rows.items() if r.state == "failed"]
    assert len(failed) == 1 and rows[failed[0]].last_reply.startswith("550")
    assert progress.states == {"sent": len(GOOD) - 1, "failed": 1, "held": len(BAD)}
    retried = [r for r in rows.values() if r.state == "sent" and r.attempts > 1]
    assert len(retried) >= 1  # a 451 came back and was sent on a later attempt
    assert len(world.sink.messages) == len(GOOD) - 1


def test_4xx_gives_up_after_max_attempts(world: World) -> None:
    _ready(world)
    world.sink.fail_next(421, count=1000)
    deliver(world.store, world.settings, world.incident_id, world.options(max_attempts=2))
    rows = _rows(world)
    assert {r.state for cid, r in rows.items() if cid not in {b[0] for b in BAD}} == {"failed"}
    assert all(r.attempts == 2 for r in rows.values() if r.state == "failed")


def test_dropped_connection_is_resent_with_the_same_message_id(world: World) -> None:
    _ready(world)
    world.sink.drop_next(2)
    deliver(world.store, world.settings, world.incident_id, world.options(concurrency=1))
    by_id = world.sink.by_message_id()
    dup = {mid: ms for mid, ms in by_id.items() if len(ms) > 1}
    assert len(dup) == 2  # kept by the server but never acknowledged: sent again
    for ms in dup.values():
        assert ms[0].dropped and not ms[-1].dropped
        assert len({m.rcpt for m in ms}) == 1
    assert status(world.store, world.incident_id).states == {"sent": len(GOOD), "held": len(BAD)}


def _dsn(original: bytes, status_code: str = "5.1.1", action: str = "failed") -> EmailMessage:
    orig = email.message_from_bytes(original, policy=default)
    msg = EmailMessage()
    msg["From"] = "MAILER-DAEMON@mx.example.org"
    msg["To"] = "privacy@notices.shop.example.com"
    msg["Subject"] = "Undelivered Mail Returned to Sender"
    msg.set_content("The mail system could not deliver your message.")
    msg.make_mixed()
    report = EmailMessage()
    report.set_content("Reporting-MTA: dns; mx.example.org\n")
    msg.attach(report)
    msg.replace_header("Content-Type", "multipart/report; report-type=delivery-status")
    status_part = email.message_from_string(
        "Content-Type: message/delivery-status\n\n"
        "Reporting-MTA: dns; mx.example.org\n\n"
        f"Final-Recipient: rfc822; someone@example.org\nAction: {action}\n"
        f"Status: {status_code}\nDiagnostic-Code: smtp; 550 5.1.1 user unknown\n"
    )
    msg.get_payload()[1] = status_part  # type: ignore[index]
    head = original.split(b"\r\n\r\n", 1)[0].decode("ascii")
    returned = email.message_from_string("Content-Type: text/rfc822-headers\n\n")
    returned.set_payload(head.replace("\r\n", "\n") + "\n")
    assert orig["Message-ID"] in head
    msg.attach(returned)
    return msg


@pytest.mark.parametrize("kind", ["mbox", "maildir"])
def test_bounces_mark_rows_and_resend_reaches_the_missing(
    world: World, tmp_path: Path, kind: str
) -> None:
    _ready(world)
    deliver(world.store, world.settings, world.incident_id, world.options())
    first, second = world.sink.messages[0], world.sink.messages[1]
    path = tmp_path / kind
    box: mailbox.Mailbox = mailbox.mbox(str(path)) if kind == "mbox" else mailbox.Maildir(str(path))
    box.add(_dsn(first.data))
    box.add(_dsn(second.data, "4.4.1", "delayed"))
    not_dsn = EmailMessage()
    not_dsn["Subject"] = "out of office"
    not_dsn.set_content("I am away")
    box.add(not_dsn)
    box.close()
    result = ingest(world.store, path)
    assert (result.messages, result.bounced, result.delayed, result.not_dsn) == (3, 1, 1, 1)
    rows = {r.message_id: r for r in _rows(world).values()}
    assert rows[first.message_id].state == "bounced"
    assert rows[second.message_id].state == "sent"

    out = tmp_path / "missing.csv"
    assert export_missing(world.store, world.incident_id, out) == 1 + len(BAD)
    with out.open(encoding="utf-8") as fh:
        listed = {r["customer_id"]: r for r in csv.DictReader(fh)}
    assert {r["state"] for r in listed.values()} == {"bounced", "held"}
    assert listed["bad-loc"]["reason"] == "unknown locale 'pl-PL'"

    before = len(world.sink.messages)
    assert requeue_missing(world.store, world.incident_id) == 1
    deliver(world.store, world.settings, world.incident_id, world.options())
    resent = world.sink.messages[before:]
    assert [m.message_id for m in resent] == [first.message_id]  # only the missing one


def test_fixed_held_customer_is_released_by_resend(world: World, tmp_path: Path) -> None:
    _ready(world)
    deliver(world.store, world.settings, world.incident_id, world.options())
    with world.store.session() as s:
        c = s.scalars(select(Customer).where(Customer.customer_id == "bad-loc")).one()
        c.locale = "de-DE"
    before = len(world.sink.messages)
    result = plan(world.store, world.settings, world.incident_id)
    assert result.released == 1 and result.created == 0
    deliver(world.store, world.settings, world.incident_id, world.options())
    assert [m.rcpt[0] for m in world.sink.messages[before:]] == ["zed@example.com"]


def test_outbox_is_unique_per_incident_customer_channel(world: World) -> None:
    plan(world.store, world.settings, world.incident_id)
    again = plan(world.store, world.settings, world.incident_id)
    assert again.created == 0
    row = next(iter(_rows(world).values()))
    with pytest.raises(IntegrityError), world.store.session() as s:
        s.add(
            OutboxRow(
                incident_id=row.incident_id,
                customer_pk=row.customer_pk,
                channel="email",
                entity=row.entity,
                locale=row.locale,
                message_id="<other@example>",
                verification="X",
                context={},
            )
        )


def test_cli_preview_approve_send_status_missing(
    world: World,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    import json

    monkeypatch.setenv("BREACHDESK_SMTP_PORT", str(world.sink.port))
    monkeypatch.setenv("BREACHDESK_NOTIFY_CONCURRENCY", "2")
    iid = str(world.incident_id)
    assert run(["notify", "send", iid, "--no-progress"]) == 2
    assert "not approved" in capsys.readouterr().err
    assert run(["notify", "preview", iid, "--out", str(tmp_path / "pv")]) == 0
    assert "written to" in capsys.readouterr().out
    assert run(["notify", "approve", iid]) == 0
    assert run(["notify", "send", iid]) == 0
    out = capsys.readouterr().out
    assert f"sent {len(GOOD)}" in out
    assert run(["notify", "status", iid, "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["sent"] == len(GOOD) and data["held"] == len(BAD)
    assert data["missing"] == len(BAD)
    assert run(["notify", "missing", iid, "--out", str(tmp_path / "m.csv")]) == 0
    assert f"{len(BAD)} customers did not get" in capsys.readouterr().out
    assert run(["notify", "resend", iid, "--missing", "--no-progress"]) == 0
    assert len(world.sink.messages) == len(GOOD)  # nothing new to send
    assert run(["notify", "dkim"]) == 0
    assert "bd1._domainkey.notices.shop.example.de" in capsys.readouterr().out


def test_demo_scene_delivers_and_names_the_samples(world: World, tmp_path: Path) -> None:
    import io

    from rich.console import Console

    from breachdesk.samples.notify_scene import run_notify_scene

    buf = io.StringIO()
    scene = run_notify_scene(
        world.store,
        world.settings,
        world.incident_id,
        tmp_path / "demo",
        Console(file=buf, width=400),
    )
    out = buf.getvalue()
    assert scene.delivered == len(GOOD) and scene.dkim_ok == len(GOOD)
    # Content-Language is the customer's full locale (en-GB is not en-US)
    assert set(scene.samples) == {"en-GB", "en-US", "de-DE", "fr-FR", "es-ES", "it-IT", "ja-JP"}
    assert all(p.exists() for p in scene.samples.values())
    assert str(scene.sink_dir) in out.replace("\n", "")
    assert "held back: 1 no valid email address" in out.replace("\n", " ")


def test_a_sent_code_checks_out_and_a_made_up_one_does_not(world: World) -> None:
    from breachdesk.notify.lookup import find_notice

    _ready(world)
    deliver(world.store, world.settings, world.incident_id, world.options())
    key = load_key(world.settings)
    row = _rows(world)["de1"]
    found = find_notice(world.store, key, row.verification.lower().replace("-", ""))
    assert found is not None
    assert (found.incident_id, found.entity, found.state) == (world.incident_id, "shop-de", "sent")
    assert find_notice(world.store, key, "AAAA-BBBB-CCCC") is None
    with world.store.session() as s:  # a code planted in the database is not genuine
        s.get(OutboxRow, row.id).verification = "AAAA-BBBB-CCCC"  # type: ignore[union-attr]
    assert find_notice(world.store, key, "AAAA-BBBB-CCCC") is None


def test_send_no_wait_leaves_a_backed_off_row_pending(
    world: World, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("BREACHDESK_SMTP_PORT", str(world.sink.port))
    monkeypatch.setenv("BREACHDESK_NOTIFY_BACKOFF_SECONDS", "3600")
    _ready(world)
    world.sink.fail_next(452, count=1)
    # Not everyone has it yet: done with problems (3), and it says what is left.
    assert run(["notify", "send", str(world.incident_id), "--no-wait", "--no-progress"]) == 3
    err = capsys.readouterr().err.replace("\n", " ")
    assert "not finished: 1 notices still pending" in err
    st = status(world.store, world.incident_id).states
    assert st == {"sent": len(GOOD) - 1, "pending": 1, "held": len(BAD)}
    row = next(r for r in _rows(world).values() if r.state == "pending")
    assert row.last_reply.startswith("452") and row.next_attempt_at is not None


def test_a_refused_recipient_fails_and_the_rest_go(world: World) -> None:
    _ready(world)
    world.sink.refuse["bob@example.de"] = "550 5.1.1 <bob@example.de>: user unknown"
    deliver(world.store, world.settings, world.incident_id, world.options())
    rows = _rows(world)
    assert rows["de1"].state == "failed" and rows["de1"].last_reply.startswith("550 5.1.1")
    assert sorted(m.rcpt[0] for m in world.sink.messages) == sorted(
        c[1] for c in GOOD if c[0] != "de1"
    )


def test_send_says_why_it_waits(
    world: World, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("BREACHDESK_SMTP_PORT", str(world.sink.port))
    monkeypatch.setenv("BREACHDESK_NOTIFY_BACKOFF_SECONDS", "1")
    _ready(world)
    world.sink.fail_next(451, count=1)
    assert run(["notify", "send", str(world.incident_id), "--no-progress"]) == 0
    out = capsys.readouterr().out.replace("\n", " ")
    assert "waiting (next due in" in out and "1 to retry after a temporary failure" in out
    assert status(world.store, world.incident_id).states == {"sent": len(GOOD), "held": len(BAD)}
