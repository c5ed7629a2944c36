from __future__ import annotations

import json
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from breachdesk.insider.dump_matcher import ascii_records, text_records
from breachdesk.insider.dump_reader import DumpBlock, DumpProblem, read_dump
from breachdesk.registry.normalize import NormaliseError, normalise_email

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
