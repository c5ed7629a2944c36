from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from breachdesk.insider.dump_matcher import ascii_records, text_records
from breachdesk.insider.dump_reader import DumpBlock, DumpProblem, read_dump
from breachdesk.registry.normalize import NormaliseError, normalise_email
from tests.fuzz.hostile import SCANNER_CASES

LOCAL = st.from_regex(r"[a-z0-9](?:[a-z0-9._+-]{0,20}[a-z0-9])?", fullmatch=True).filter(
    lambda s: ".." not in s
)
DOMAIN = st.from_regex(r"[a-z0-9]{1,10}(?:\.[a-z0-9]{1,8}){0,2}\.[a-z]{2,6}", fullmatch=True)
SEP = st.sampled_from([",", ";", "\t", " | ", ":", " ", '", "', "<", "> "])
FILLER = st.from_regex(r"[A-Za-z ]{0,20}", fullmatch=True)


@given(st.lists(st.tuples(LOCAL, DOMAIN, SEP, FILLER), min_size=1, max_size=20))
@settings(max_examples=150, deadline=None)
def test_every_address_in_any_line_shape_is_found_once(
    parts: list[tuple[str, str, str, str]],
) -> None:
    lines = [f"{f}{sep}{loc}@{dom}{sep}{f}" for loc, dom, sep, f in parts]
    block = ("\n".join(lines) + "\n").encode()
    got = [r[1].decode() for r in ascii_records(block.lower())]
    assert got == [normalise_email(f"{loc}@{dom}") for loc, dom, _, _ in parts]
    assert [r[1] for r in text_records(block)] == [g.encode() for g in got]


@given(st.text(alphabet=st.characters(codec="ascii"), max_size=200))
@settings(max_examples=200, deadline=None)
def test_whatever_is_found_is_a_valid_normalised_address(text: str) -> None:
    for _, value, _ in ascii_records(text.lower().encode()):
        try:
            assert normalise_email(value.decode()) == value.decode()
        except NormaliseError as exc:  # pragma: no cover - shown on failure
            raise AssertionError(f"{value!r}: {exc}") from None


def test_shapes_json_document_jsonl_and_header(tmp_path: Path) -> None:
    doc = tmp_path / "dump.json"
    doc.write_text(json.dumps({"data": [{"u": {"mail": "a@x.example", "pw": "s3cret"}}]}, indent=2))
    jsonl = tmp_path / "dump.jsonl"
    jsonl.write_text('{"email": "b@x.example"}\n{"email": "c@x.example"}\n')
    csvf = tmp_path / "dump.csv"
    csvf.write_text("Name;E-Mail;Passwort;password\nAnn;d@x.example;;hunter2\n")
    bad = tmp_path / "bad.json"
    bad.write_text('[{"email": "e@x.example"}, {"oops"')
    items = list(read_dump([doc, jsonl, csvf, bad, tmp_path / "missing.txt"], 200, 1 << 30))
    blocks = [i for i in items if isinstance(i, DumpBlock)]
    problems = [i for i in items if isinstance(i, DumpProblem)]
    assert b"mail=a@x.example\tpw=s3cret" in blocks[0].data
    assert blocks[1].data.count(b"@") == 2
    assert blocks[2].layout.delimiter == b";" and blocks[2].layout.password_columns == (2, 3)
    assert b"e@x.example" in blocks[3].data  # unparseable JSON is still read as text
    reasons = sorted(p.reason for p in problems)
    assert reasons[0] == "no such file" and "not valid JSON" in reasons[1]


# -- damaged archives, truncated gzip and byte-order marks (issues 12 and 8)


def _read(paths: list[Path]) -> tuple[bytes, list[DumpProblem]]:
    data = b""
    problems: list[DumpProblem] = []
    for item in read_dump(paths, 200, 1 << 30):
        if isinstance(item, DumpBlock):
            data += item.data
        else:
            problems.append(item)
    return data, problems


@pytest.mark.parametrize("name", sorted(SCANNER_CASES))
def test_hostile_files_are_problems_and_the_neighbour_is_read(tmp_path: Path, name: str) -> None:
    (tmp_path / "good.txt").write_bytes(b"good@x.example\n")
    (tmp_path / name).write_bytes(SCANNER_CASES[name]())
    data, problems = _read([tmp_path])
    assert b"good@x.example" in data
    for p in problems:  # a member of a .zip.gz is named crc.zip!a.jsonl
        assert name.removesuffix(".gz") in p.source and "\n" not in p.reason
        assert str(tmp_path) not in p.reason


def test_truncated_gzip_gives_its_intact_part(tmp_path: Path) -> None:
    lines = b"".join(f"user{i}@x.example\n".encode() for i in range(20_000))
    packed = gzip.compress(lines, mtime=0)
    (tmp_path / "cut.txt.gz").write_bytes(packed[: len(packed) // 2])
    data, problems = _read([tmp_path / "cut.txt.gz"])
    assert [p.source for p in problems] == [str(tmp_path / "cut.txt.gz")]
    assert "truncated gzip" in problems[0].reason
    got = data.count(b"@x.example")
    assert 5_000 < got < 20_000  # the intact half, not nothing
    assert data.startswith(b"user0@x.example\n")


def test_byte_order_mark_is_dropped(tmp_path: Path) -> None:
    (tmp_path / "bom.json").write_bytes(
        b"\xef\xbb\xbf" + json.dumps([{"mail": "a@x.example"}]).encode()
    )
    (tmp_path / "bom.csv").write_bytes(b"\xef\xbb\xbfemail,password\nb@x.example,pw\n")
    data, problems = _read([tmp_path / "bom.json"])
    assert problems == [] and data == b"mail=a@x.example\n"
    blocks = [
        b for b in read_dump([tmp_path / "bom.csv"], 200, 1 << 30) if isinstance(b, DumpBlock)
    ]
    assert blocks[0].data.startswith(b"email,password") and blocks[0].layout.password_columns == (
        1,
    )
