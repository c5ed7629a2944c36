"""Notices reach internationalised addresses (IDNA domains, SMTPUTF8 local parts), and
`notify send` says at the time when and why some could not be delivered (issue 8 §2).

Defect reproduced: ``jürgen.müller@bücherpost-test.de`` and an address with a
full-width domain failed with "not rendered: 'ascii' codec can't encode", the reason
showed only in the `notify missing` CSV, and `resend --missing` failed again.
"""

from __future__ import annotations

import email
from email.message import EmailMessage
from email.policy import SMTPUTF8
from pathlib import Path

import pytest
from sqlalchemy import select

from breachdesk.cli.main import run
from breachdesk.notify.addresses import NEEDS_SMTPUTF8, AddressError, mail_address
from breachdesk.notify.approval import approve
from breachdesk.notify.missing import status
from breachdesk.notify.plan import plan
from breachdesk.notify.sender import deliver
from breachdesk.notify.smtp_sink import SmtpSink, free_port
from breachdesk.store.models import Customer
from breachdesk.store.models.outbox import OutboxRow

from .conftest import World, make_incident

JUERGEN = "jürgen.müller@bücherpost-test.de"
FULLWIDTH = "taro@ｂｏｏｋｓ．ｅｘａｍｐｌｅ．ｊｐ"  # typed with a Japanese IME
IDN_ONLY = "anna@bücher.example"
INTL = [
    ("int-de", JUERGEN, "Jürgen Müller", "DE", None, "shop-de", "de-DE", "email,name"),
    ("int-jp", FULLWIDTH, "山田 太郎", "JP", None, "shop-jp", "ja-JP", "email,name"),
    ("int-idn", IDN_ONLY, "Anna Bäcker", "DE", None, "shop-de", "de-DE", "email"),
    ("int-ascii", "max@example.de", "Max Muster", "DE", None, "shop-de", "de-DE", "email"),
]


@pytest.mark.parametrize(
    ("given", "envelope", "header", "utf8"),
    [
        (
            JUERGEN,
            "jürgen.müller@xn--bcherpost-test-gsb.de",
            "jürgen.müller@bücherpost-test.de",
            True,
        ),
        (FULLWIDTH, "taro@books.example.jp", "taro@books.example.jp", False),
        (IDN_ONLY, "anna@xn--bcher-kva.example", "anna@xn--bcher-kva.example", False),
        ("Max.Muster@Example.DE", "Max.Muster@example.de", "Max.Muster@example.de", False),
        ("用户@例子.广告", "用户@xn--fsqu00a.xn--4rr70v", "用户@例子.广告", True),
    ],
)
def test_address_forms(given: str, envelope: str, header: str, utf8: bool) -> None:
    got = mail_address(given)
    assert (got.envelope, got.header, got.smtputf8) == (envelope, header, utf8)


@pytest.mark.parametrize("bad", ["no-at-sign", "a@b@c.de", "two words@example.de", "x@-bad-.de"])
def test_undeliverable_addresses_say_why(bad: str) -> None:
    with pytest.raises(AddressError) as err:
        mail_address(bad)
    assert bad not in str(err.value)  # the reason never echoes the address


def _ready(w: World) -> int:
    incident_id = make_incident(w.store, INTL)
    plan(w.store, w.settings, incident_id)
    approve(w.store, w.settings, incident_id, "tester")
    return incident_id


def _rows(w: World, incident_id: int) -> dict[str, OutboxRow]:
    with w.store.session() as s:
        got = s.execute(
            select(Customer.customer_id, OutboxRow)
            .join(Customer, Customer.id == OutboxRow.customer_pk)
            .where(OutboxRow.incident_id == incident_id)
        ).all()
    return {cid: row for cid, row in got}


def test_smtputf8_server_gets_every_international_address(world: World) -> None:
    incident_id = _ready(world)
    progress = deliver(world.store, world.settings, incident_id, world.options())
    assert progress.failures == {} and progress.states == {"sent": len(INTL)}
    got = {m.rcpt[0]: m for m in world.sink.messages}
    assert set(got) == {
        "jürgen.müller@xn--bcherpost-test-gsb.de",
        "taro@books.example.jp",
        "anna@xn--bcher-kva.example",
        "max@example.de",
    }
    assert all(m.dkim_ok for m in got.values())  # the UTF-8 header block is signed too
    raw = got["jürgen.müller@xn--bcherpost-test-gsb.de"].data
    msg = email.message_from_string(raw.decode("utf-8"), policy=SMTPUTF8)  # RFC 6532 headers
    assert isinstance(msg, EmailMessage)
    assert msg["To"].addresses[0].addr_spec == JUERGEN
    assert msg["To"].addresses[0].display_name == "Jürgen Müller"
    text = msg.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert "Jürgen Müller" in text
    rows = _rows(world, incident_id)
    assert all(r.attempts == 1 and r.state == "sent" for r in rows.values())


def test_without_smtputf8_only_the_utf8_local_part_fails_and_cli_says_so(
    world: World,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    incident_id = _ready(world)
    iid = str(incident_id)
    with SmtpSink(tmp_path / "ascii-sink", world.sink.keys, smtputf8=False) as plain:
        monkeypatch.setenv("BREACHDESK_SMTP_PORT", str(plain.port))
        assert run(["notify", "send", iid, "--no-progress"]) == 3  # some sent, some not
        out, err = capsys.readouterr()
        assert "this run sent 3, failed 1" in out
        assert f"failed 1: {NEEDS_SMTPUTF8}" in err.replace("\n", " ")
        assert sorted(m.rcpt[0] for m in plain.messages) == [
            "anna@xn--bcher-kva.example",
            "max@example.de",
            "taro@books.example.jp",
        ]
    row = _rows(world, incident_id)["int-de"]
    assert (row.state, row.last_reply, row.attempts) == ("failed", NEEDS_SMTPUTF8, 0)
    # Through a server that offers SMTPUTF8, `resend --missing` reaches him.
    monkeypatch.setenv("BREACHDESK_SMTP_PORT", str(world.sink.port))
    assert run(["notify", "resend", iid, "--missing", "--no-progress"]) == 0
    assert [m.rcpt[0] for m in world.sink.messages] == ["jürgen.müller@xn--bcherpost-test-gsb.de"]
    assert status(world.store, incident_id).states == {"sent": len(INTL)}


def test_nothing_deliverable_exits_1_with_the_reason(
    world: World, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    incident_id = _ready(world)
    monkeypatch.setenv("BREACHDESK_SMTP_PORT", str(world.sink.port))
    world.sink.fail_next(554, count=len(INTL), text="5.7.1 Service unavailable")
    assert run(["notify", "send", str(incident_id), "--no-progress"]) == 1
    err = capsys.readouterr().err.replace("\n", " ")
    assert f"failed {len(INTL)}: refused by the server (554 5.7.1)" in err
    assert "notify missing" in err and "resend" in err


def test_unreachable_server_is_reported_and_stops_after_bounded_retries(
    world: World, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    incident_id = _ready(world)
    closed = free_port()  # nothing listens there
    monkeypatch.setenv("BREACHDESK_SMTP_PORT", str(closed))
    assert run(["notify", "send", str(incident_id), "--no-progress"]) == 1
    out, err = capsys.readouterr()
    where = f"the SMTP server 127.0.0.1:{closed}"
    # What is happening is printed while it happens: each retry with its pause.
    assert f"cannot reach {where}" in out and "trying again in 2 s (try 2 of 3)" in out
    assert "trying again in 4 s (try 3 of 3)" in out
    assert "gave up after 3 tries" in err and f"{len(INTL)} notices not sent" in err
    # No customer is charged an attempt for a server nobody could reach.
    rows = _rows(world, incident_id)
    assert {(r.state, r.attempts) for r in rows.values()} == {("pending", 0)}
    # --no-wait stops at once.
    assert run(["notify", "send", str(incident_id), "--no-progress", "--no-wait"]) == 1
    out, err = capsys.readouterr()
    assert "trying again" not in out and f"stopped: cannot reach {where}" in err
