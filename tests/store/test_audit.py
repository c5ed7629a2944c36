"""The audit chain: appends link up, and verify catches edits, deletions and reordering."""

from __future__ import annotations

import itertools
import json

import pytest
from sqlalchemy import delete, update

from breachdesk.cli.main import run
from breachdesk.settings import Settings
from breachdesk.store import Store
from breachdesk.store.audit import GENESIS, default_actor, entries, record, verify
from breachdesk.store.models.audit import AuditEntry


def _fill(store: Store, n: int = 5) -> None:
    for i in range(n):
        with store.session() as s:
            record(s, "alice", "incident.open", f"incident:{i}", {"n": i, "fields": ["email"]})


def test_chain_links_and_verifies(store: Store) -> None:
    _fill(store)
    rows = sorted(entries(store), key=lambda e: e.seq)
    assert [e.seq for e in rows] == [1, 2, 3, 4, 5]
    assert rows[0].prev_hash == GENESIS
    assert all(b.prev_hash == a.hash for a, b in itertools.pairwise(rows))
    report = verify(store)
    assert report.ok, report.problems
    assert report.entries == 5 and report.head_seq == 5 and report.head_hash == rows[-1].hash


def test_edited_row_is_detected(store: Store) -> None:
    _fill(store)
    with store.session() as s:
        s.execute(update(AuditEntry).where(AuditEntry.seq == 3).values(actor="mallory"))
    report = verify(store)
    assert [(p.seq, p.kind) for p in report.problems] == [(3, "edited")]


def test_edited_details_are_detected(store: Store) -> None:
    _fill(store)
    with store.session() as s:
        s.execute(update(AuditEntry).where(AuditEntry.seq == 2).values(details={"n": 99}))
    assert [(p.seq, p.kind) for p in verify(store).problems] == [(2, "edited")]


def test_deleted_row_is_detected(store: Store) -> None:
    _fill(store)
    with store.session() as s:
        s.execute(delete(AuditEntry).where(AuditEntry.seq == 2))
    report = verify(store)
    assert not report.ok
    assert [(p.seq, p.kind) for p in report.problems] == [(2, "missing")]


def test_deleted_newest_row_is_detected_by_head(store: Store) -> None:
    _fill(store)
    with store.session() as s:
        s.execute(delete(AuditEntry).where(AuditEntry.seq == 5))
    assert [p.kind for p in verify(store).problems] == ["head"]


def test_reordering_is_detected(store: Store) -> None:
    _fill(store, 3)
    with store.session() as s:  # swap the contents of entries 2 and 3, keeping their seqs
        two, three = (s.get(AuditEntry, 2), s.get(AuditEntry, 3))
        assert two is not None and three is not None
        vals = [
            {
                c: getattr(e, c)
                for c in ("ts", "actor", "action", "subject", "details", "prev_hash", "hash")
            }
            for e in (two, three)
        ]
        s.execute(update(AuditEntry).where(AuditEntry.seq == 2).values(hash="x" * 64))
        s.execute(update(AuditEntry).where(AuditEntry.seq == 3).values(**vals[0]))
        s.execute(update(AuditEntry).where(AuditEntry.seq == 2).values(**vals[1]))
    kinds = {(p.seq, p.kind) for p in verify(store).problems}
    assert (2, "reordered") in kinds and (3, "reordered") in kinds


def test_raw_email_is_refused(store: Store) -> None:
    with store.session() as s, pytest.raises(ValueError, match="email"):
        record(s, "alice", "x", "incident:1", {"who": "jane@example.com"})
    assert verify(store).entries == 0


def test_record_rolls_back_with_its_transaction(store: Store) -> None:
    with pytest.raises(RuntimeError), store.session() as s:
        record(s, "alice", "x", "incident:1", {})
        raise RuntimeError("boom")
    with store.session() as s:
        record(s, "alice", "y", "incident:1", {})
    report = verify(store)
    assert report.ok and report.entries == 1


def test_default_actor(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BREACHDESK_ACTOR", "dpo@team")
    assert default_actor(Settings()) == "dpo@team"
    monkeypatch.delenv("BREACHDESK_ACTOR")
    assert default_actor(Settings())  # the OS user


def test_cli_verify_and_log(settings: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    store = Store.open(settings.database_url)
    store.migrate()
    try:
        _fill(store, 3)
        assert run(["audit", "verify"]) == 0
        assert "intact: 3 entries" in capsys.readouterr().out
        assert run(["audit", "log", "--json", "--subject", "incident:1"]) == 0
        lines = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
        assert [x["seq"] for x in lines] == [2]
        with store.session() as s:
            s.execute(delete(AuditEntry).where(AuditEntry.seq == 1))
        assert run(["audit", "verify"]) == 1
        err = capsys.readouterr().err
        assert "audit entry 1: missing" in err and "BROKEN" in err
    finally:
        store.dispose()


def test_concurrent_appenders_never_fork_the_chain(store: Store) -> None:
    import threading

    errors: list[str] = []

    def work(k: int) -> None:
        for i in range(25):
            try:
                with store.session() as s:
                    record(s, f"w{k}", "test.append", f"t:{k}", {"i": i})
            except Exception as exc:  # collected and asserted below
                errors.append(repr(exc))

    threads = [threading.Thread(target=work, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    report = verify(store)
    assert report.ok and report.entries == 100 and report.head_seq == 100
