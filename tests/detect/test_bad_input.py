"""Each bad input is reported with its file and reason, and the scan goes on."""

from __future__ import annotations

import os
import zipfile
from pathlib import Path

import pytest

from breachdesk.cli.main import run
from breachdesk.detect.findings import iter_findings
from breachdesk.detect.formats import ScanOptions
from breachdesk.detect.formats.base import UNEXPECTED
from breachdesk.detect.scanner import scan_paths
from breachdesk.errors import StrictModeError
from tests.detect.builders import account, gzip_bytes, log_line, standard_log, write_lines
from tests.detect.conftest import Registry
from tests.fuzz.hostile import SCANNER_CASES, jsonl_epoch_400_digits, jsonl_ts_yesterday


def inputs(tmp_path: Path) -> Path:
    """A folder of its own: tmp_path also holds the test's store and registry CSV."""
    d = tmp_path / "in"
    d.mkdir()
    return d


def good_file(d: Path) -> Path:
    return write_lines(d / "good.jsonl", standard_log())


def problems_for(summary_problems: list[object], name: str) -> list[str]:
    return [p.line() for p in summary_problems if name in p.file]  # type: ignore[attr-defined]


def customers(reg: Registry) -> set[str]:
    return {f.customer_id for f in iter_findings(reg.store)}


def test_truncated_gzip(registry: Registry, tmp_path: Path) -> None:
    tmp_path = inputs(tmp_path)
    good_file(tmp_path)
    data = ("\n".join(standard_log() * 50) + "\n").encode()
    packed = gzip_bytes(data)
    (tmp_path / "cut.jsonl.gz").write_bytes(packed[: len(packed) // 2])
    s = scan_paths(registry.store, registry.settings, [tmp_path], workers=1)
    msgs = problems_for(s.problems, "cut.jsonl")
    assert len(msgs) == 1 and "truncated gzip" in msgs[0]
    assert customers(registry) == {"c1", "c2", "c3"}
    assert s.records > 6  # the readable part of the truncated file was scanned too


def test_invalid_utf8(registry: Registry, tmp_path: Path) -> None:
    tmp_path = inputs(tmp_path)
    lines = standard_log()
    raw = "\n".join(lines).encode().replace(b"catalogue", b"cat\xff\xfelogue") + b"\n"
    (tmp_path / "bad.jsonl").write_bytes(raw)
    s = scan_paths(registry.store, registry.settings, [tmp_path / "bad.jsonl"], workers=1)
    msgs = problems_for(s.problems, "bad.jsonl")
    assert msgs == [f"{tmp_path / 'bad.jsonl'}: line 4: invalid UTF-8; undecodable bytes replaced"]
    assert customers(registry) == {"c1", "c2", "c3"}


def test_har_that_is_not_json(registry: Registry, tmp_path: Path) -> None:
    tmp_path = inputs(tmp_path)
    good_file(tmp_path)
    (tmp_path / "broken.har").write_text('{"log": {"entries": [ alice@example.com', "utf-8")
    s = scan_paths(registry.store, registry.settings, [tmp_path], workers=1)
    msgs = problems_for(s.problems, "broken.har")
    assert len(msgs) == 1 and "HAR is not valid JSON" in msgs[0] and "line 1 column" in msgs[0]
    # the broken capture is still searched as text: nothing silently dropped
    assert any(f.source.endswith("broken.har") for f in iter_findings(registry.store))


def test_line_of_several_hundred_megabytes(registry: Registry, tmp_path: Path) -> None:
    tmp_path = inputs(tmp_path)
    good_file(tmp_path)
    big = tmp_path / "huge.jsonl"
    head = log_line("2018-11-20T12:00:00+00:00", "c4", "X")[:-2]  # open body string
    with big.open("wb") as fh:
        fh.write(head.encode())
        filler = b"<div>lorem ipsum</div>" * 50_000  # ~1.1 MB
        for _ in range(270):  # ~300 MB in one line
            fh.write(filler)
        fh.write(b'<td>Carol Jones</td><td>carol@example.com</td>"}\n')
        fh.write(
            (
                log_line(
                    "2018-11-20T12:01:00+00:00", "c4", account("Dave Martin", "dave@example.fr")
                )
                + "\n"
            ).encode()
        )
    s = scan_paths(registry.store, registry.settings, [tmp_path], workers=1)
    msgs = problems_for(s.problems, "huge.jsonl")
    assert len(msgs) == 1 and "line 1" in msgs[0] and "exceeds the 67.1 MB record limit" in msgs[0]
    hits = {
        (f.customer_id, f.locator, f.viewer)
        for f in iter_findings(registry.store)
        if f.source.endswith("huge.jsonl")
    }
    # the over-long record is still matched, with its metadata read from its head
    assert hits == {("c3", "line 1", "c4"), ("c4", "line 2", "c4")} - {("c4", "line 2", "c4")}
    assert s.self_views == 2  # dave's own page (line 2) and alice's self-view in good.jsonl


def test_binary_junk(registry: Registry, tmp_path: Path) -> None:
    tmp_path = inputs(tmp_path)
    good_file(tmp_path)
    (tmp_path / "junk.bin").write_bytes(bytes(range(256)) * 64 + os.urandom(4096))
    s = scan_paths(registry.store, registry.settings, [tmp_path], workers=1)
    msgs = problems_for(s.problems, "junk.bin")
    assert len(msgs) == 1 and "binary data" in msgs[0]
    assert customers(registry) == {"c1", "c2", "c3"}


def test_unreadable_file(registry: Registry, tmp_path: Path) -> None:
    tmp_path = inputs(tmp_path)
    good_file(tmp_path)
    (tmp_path / "gone.jsonl").symlink_to(tmp_path / "missing-target.jsonl")
    s = scan_paths(registry.store, registry.settings, [tmp_path, tmp_path / "nope.har"], workers=1)
    assert problems_for(s.problems, "gone.jsonl") == [
        f"{tmp_path / 'gone.jsonl'}: cannot read: broken symbolic link"
    ]
    assert problems_for(s.problems, "nope.har") == [
        f"{tmp_path / 'nope.har'}: cannot read: no such file or directory"
    ]
    assert customers(registry) == {"c1", "c2", "c3"}


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their mode")
def test_permission_denied(registry: Registry, tmp_path: Path) -> None:
    tmp_path = inputs(tmp_path)
    f = good_file(tmp_path)
    f.chmod(0)
    s = scan_paths(registry.store, registry.settings, [f], workers=1)
    assert "Permission denied" in s.problems[0].reason


def test_zip_bomb_is_capped(registry: Registry, tmp_path: Path) -> None:
    tmp_path = inputs(tmp_path)
    good_file(tmp_path)
    with zipfile.ZipFile(tmp_path / "bomb.zip", "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("zeros.txt", b"\0" * (200 * 1024 * 1024))
        zf.writestr("ok.jsonl", "\n".join(standard_log()))
    (tmp_path / "bomb.gz").write_bytes(gzip_bytes(b"a" * (100 * 1024 * 1024)))
    s = scan_paths(registry.store, registry.settings, [tmp_path], workers=1)
    bomb = problems_for(s.problems, "bomb.zip")
    assert len(bomb) == 1 and "zeros.txt" in bomb[0] and "decompression bomb guard" in bomb[0]
    gz = problems_for(s.problems, "bomb")
    assert any("bomb.gz: " in m and "expands beyond" in m for m in gz)  # the .gz is named
    # the rest of the archive was still read
    assert any(f.source.endswith("bomb.zip!ok.jsonl") for f in iter_findings(registry.store))


def _encrypt_flag(raw: bytes, name: str) -> bytes:
    """Set the 'encrypted' bit of member ``name`` in its local and central headers."""
    out = bytearray(raw)
    for sig, flag_at, len_at, name_at in ((b"PK\x03\x04", 6, 26, 30), (b"PK\x01\x02", 8, 28, 46)):
        start = 0
        while (i := out.find(sig, start)) >= 0:
            start = i + 4
            size = int.from_bytes(out[i + len_at : i + len_at + 2], "little")
            if bytes(out[i + name_at : i + name_at + size]) == name.encode():
                out[i + flag_at] |= 0x1
    return bytes(out)


@pytest.mark.parametrize("name", ["secret.jsonl", ""])
def test_encrypted_zip_member_is_one_problem(registry: Registry, tmp_path: Path, name: str) -> None:
    """An encrypted member (even one with no name) is skipped with its reason; the rest is read."""
    d = inputs(tmp_path)
    plain = tmp_path / "plain.zip"
    with zipfile.ZipFile(plain, "w") as zf:
        zf.writestr("ok.jsonl", "\n".join(standard_log()))
        zf.writestr(zipfile.ZipInfo(name), "\n".join(standard_log()))  # "": no name
    (d / "locked.zip").write_bytes(_encrypt_flag(plain.read_bytes(), name))
    s = scan_paths(registry.store, registry.settings, [d], workers=1)
    locked = problems_for(s.problems, "locked.zip")
    assert len(locked) == 1 and "encrypted member; not opened" in locked[0], locked
    assert not [p for p in s.problems if UNEXPECTED in p.reason]
    assert any(f.source.endswith("locked.zip!ok.jsonl") for f in iter_findings(registry.store))


def test_strict_makes_a_problem_fatal(registry: Registry, tmp_path: Path) -> None:
    tmp_path = inputs(tmp_path)
    good_file(tmp_path)
    (tmp_path / "broken.har").write_text("not json", "utf-8")
    with pytest.raises(StrictModeError, match=r"broken\.har"):
        scan_paths(registry.store, registry.settings, [tmp_path], workers=1, strict=True)


def test_strict_from_the_cli_exits_1_and_leaves_no_run_running(
    registry: Registry, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    d = inputs(tmp_path)
    good_file(d)
    (d / "broken.har").write_text("not json", "utf-8")
    assert run(["scan", str(d), "--workers", "1", "--strict"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "broken.har" in err[0] and "(--strict)" in err[0]
    from sqlalchemy import select

    from breachdesk.store.models import ScanRun

    with registry.store.sessions() as s:
        assert "running" not in set(s.scalars(select(ScanRun.status)))


def test_cli_reports_one_line_errors(
    registry: Registry, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    tmp_path = inputs(tmp_path)
    assert run(["scan"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("breachdesk: usage error:") and err.count("\n") == 1
    (tmp_path / "broken.har").write_text("not json", "utf-8")
    assert run(["scan", str(tmp_path / "broken.har"), "--strict", "--workers", "1"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "broken.har" in err and "--strict" in err
    assert "Traceback" not in err


def test_small_record_limit_from_cli(
    registry: Registry, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    tmp_path = inputs(tmp_path)
    src = good_file(tmp_path)
    assert run(["scan", str(src), "--max-record-mb", "0.0002", "--workers", "1"]) == 3
    out = capsys.readouterr().out
    assert "line 3: record of 0.0 MB exceeds the 0.0 MB record limit" in out.replace("\n", "")
    # over-long records are scanned as raw slices; the compiled core decodes base64 in
    # them too, so c2 (planted in a base64 body) is found as well
    assert customers(registry) == {"c1", "c2", "c3"}
    _ = ScanOptions


# -- the crashes fuzzing found (issue 12): each damaged file is a problem naming it,
#    and the good file beside it keeps its findings


@pytest.mark.parametrize("name", sorted(SCANNER_CASES))
def test_hostile_file_beside_a_good_one(registry: Registry, tmp_path: Path, name: str) -> None:
    d = inputs(tmp_path)
    good_file(d)
    (d / name).write_bytes(SCANNER_CASES[name]())
    s = scan_paths(registry.store, registry.settings, [d], workers=1)
    assert customers(registry) == {"c1", "c2", "c3"}
    assert not [p.line() for p in s.problems if UNEXPECTED in p.reason]


@pytest.mark.parametrize(
    ("name", "expect"),
    [
        ("truncated.zip.gz", "truncated.zip.gz: truncated gzip"),
        ("crc.zip.gz", "Bad CRC-32"),
        ("bad-lzma.zip", "bad-lzma.zip!a.jsonl: corrupt zip member"),
        ("utf8-flag.zip", "utf8-flag.zip: not a readable zip (UnicodeDecodeError"),
        ("bad-version.zip", "bad-version.zip: not a readable zip (NotImplementedError"),
    ],
)
def test_damaged_archives_are_named_problems(
    registry: Registry, tmp_path: Path, name: str, expect: str
) -> None:
    d = inputs(tmp_path)
    (d / name).write_bytes(SCANNER_CASES[name]())
    s = scan_paths(registry.store, registry.settings, [d], workers=1)
    lines = [p.line() for p in s.problems]
    assert any(expect in line for line in lines), lines


def test_bad_timestamps_are_counted_problems(registry: Registry, tmp_path: Path) -> None:
    d = inputs(tmp_path)
    (d / "ts.jsonl").write_bytes(jsonl_ts_yesterday() + jsonl_epoch_400_digits())
    s = scan_paths(registry.store, registry.settings, [d], workers=1)
    lines = sorted(p.line() for p in s.problems)
    assert lines == [
        f"{d / 'ts.jsonl'}: line 1: timestamp 'yesterday' is not ISO 8601 or epoch "
        "seconds; seen time left empty",
        f"{d / 'ts.jsonl'}: line 2: timestamp int is not ISO 8601 or epoch seconds; "
        "seen time left empty",
    ]
    assert customers(registry) == {"c1"}


def test_truncated_gzip_problem_names_the_gz_file(registry: Registry, tmp_path: Path) -> None:
    d = inputs(tmp_path)
    data = ("\n".join(standard_log() * 50) + "\n").encode()
    packed = gzip_bytes(data)
    (d / "truncated.jsonl.gz").write_bytes(packed[: len(packed) // 2])
    s = scan_paths(registry.store, registry.settings, [d], workers=1)
    assert [p.file for p in s.problems] == [str(d / "truncated.jsonl.gz")]
