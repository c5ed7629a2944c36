"""The compiled core agrees with the Python reference on documents in every encoding."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from breachdesk.detect import _core
from breachdesk.detect.core_tables import render_header
from breachdesk.detect.reference import ReferenceCore, decode, unicode_values
from breachdesk.registry.keyed import KeyedHasher
from breachdesk.registry.normalize import normalise_email
from tests.detect.core_docs import CUSTOMERS, ENCODINGS, KEY, index_arrays, piece, render

HASHER = KeyedHasher(KEY)
ARRAYS = index_arrays(HASHER)
CORE = _core.Core(KEY, ARRAYS["keys"], ARRAYS["rows"], ARRAYS["ids"], ARRAYS["idrows"])
REF = ReferenceCore(HASHER, ARRAYS["keys"], ARRAYS["rows"], ARRAYS["ids"], ARRAYS["idrows"])
VIEWERS = st.sampled_from([None, "c0", "c1", "c4", "nobody"])


def _resolve(values: tuple[bytes, ...]) -> tuple[set[int], int]:
    """What the scanner does with the Unicode addresses the core hands over."""
    rows: set[int] = set()
    unknown = 0
    for value in values:
        norms = unicode_values(value)
        hits: set[int] = set()
        for i, norm in enumerate(norms):
            hits |= REF._rows(REF.keys, REF.rows, HASHER.email(norm))
            if i == 0 and not hits:
                unknown += 1
        rows |= hits
    return rows, unknown


def _agree(doc: bytes, viewer: str | None) -> None:
    found, forced, unknown, _, values = CORE.scan_document(doc, viewer)
    ref_rows, ref_unknown, ref_self = REF.scan_document(doc, viewer)
    if forced:  # more Unicode addresses than the core keeps: the record goes to the reference
        assert set(found) <= ref_rows
        return
    more, missing = _resolve(values)
    rows = set(found) | more
    own = REF.viewer_row(viewer)
    self_view = own is not None and rows == {own}
    assert (rows, unknown + missing, self_view) == (ref_rows, ref_unknown, ref_self), doc


@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(piece, max_size=14), VIEWERS)
def test_core_equals_reference(pieces: list[tuple[str, str, str]], viewer: str | None) -> None:
    _agree(render(pieces), viewer)


@settings(max_examples=400, deadline=None)
@given(st.binary(max_size=300), VIEWERS)
def test_core_equals_reference_on_any_bytes_around_an_address(
    junk: bytes, viewer: str | None
) -> None:
    _agree(junk + b" ann@example.com " + junk[::-1], viewer)
    _agree(junk + b"ann&#64;example.com" + junk, viewer)


@pytest.mark.parametrize("encoding", sorted(ENCODINGS))
@pytest.mark.parametrize("row", range(1, len(CUSTOMERS) + 1))
def test_every_encoding_finds_the_customer(encoding: str, row: int) -> None:
    email = normalise_email(CUSTOMERS[row - 1][1])
    doc = render([("around", "（", ""), ("addr", encoding, email), ("around", "。", "")])
    ref_rows, _, _ = REF.scan_document(doc)
    assert row in ref_rows, (encoding, doc)
    rows, forced, _, _, values = CORE.scan_document(doc)
    # only a Unicode address needs Python (NFKC, IDNA); every other form is settled in C
    unicode_address = not email.isascii() or (encoding == "idn-unicode" and "xn--" in email)
    assert not forced
    assert (row in rows) != unicode_address, (encoding, doc)
    assert bool(values) == unicode_address
    assert row in rows or row in _resolve(values)[0]


@pytest.mark.parametrize(
    "text",
    [
        "（ann@example.com）",
        "«\u00a0ann@example.com\u00a0»",
        "write—ann@example.com—today",
        "\u3000ann@example.com\u3000",
        "ann@example.com。次へ",
        "\ufeffann@example.com",
    ],
)
def test_unicode_punctuation_and_bom_end_the_address(text: str) -> None:
    rows, forced, unknown, _, values = CORE.scan_document(text.encode())
    assert (set(rows), forced, unknown, values) == ({1}, False, 0, ())


def test_decoder_matches_reference() -> None:
    sample = (
        b"a&#64;b&amp;#64;c%2540d\\\\u0040e=40f\xef\xbc\xa0g\xef\xbd\x81 \\ud83d\\ude00 "
        b"&eacute;&bogus; &#0; &#x110000; =C3=A9 =\r\nx \\n\\t %zz"
    )
    assert _core.decode(sample) == decode(sample)[0]


def test_self_view_is_settled_only_for_the_viewer() -> None:
    doc = b"<p>Hello, ann@example.com</p>"
    assert CORE.scan_document(doc, "c0")[3] is True
    assert CORE.scan_document(doc, "c1")[3] is False
    assert CORE.scan_document(doc + b" eve@example.net", "c0")[3] is False


def test_c_tables_are_generated_from_this_unicode_database() -> None:
    from pathlib import Path

    import breachdesk.detect

    header = Path(breachdesk.detect.__file__).parent / "_native" / "bd_tables.h"
    assert header.read_text(encoding="utf-8") == render_header()


def test_keyed_hash_matches_hashlib() -> None:
    for value in ["ann@example.com", "x" * 127, "y" * 128, "z" * 129, "é" * 200]:
        assert CORE.email_hash(value.encode()) == HASHER.email(value)
    # every length up to three blocks: the vector and the portable compression agree
    # with hashlib across block edges (the core uses AVX2 where the CPU has it)
    for n in range(0, 400):  # 0: the key block itself is the final block
        value = "".join(chr(97 + (i * 7 + n) % 26) for i in range(n))
        assert CORE.email_hash(value.encode()) == HASHER.email(value), n


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=64) | st.text(max_size=40).map(lambda t: t.encode()))
def test_utf8_check_matches_python(data: bytes) -> None:
    try:
        data.decode("utf-8")
        expected = -1
    except UnicodeDecodeError as exc:
        expected = exc.start
    assert _core.utf8_invalid(data) == expected


@pytest.mark.parametrize("size", [0, 1, 7, 8, 9, 31, 32, 33, 63, 64, 65, 100])
def test_utf8_check_at_the_edges_of_its_ascii_steps(size: int) -> None:
    """The 32- and 8-byte ASCII steps end exactly at the buffer's end, or just before
    a bad byte there (a bounded buffer, so a read past it would be an ASan report)."""
    ascii_run = bytes(b"a"[0] + i % 26 for i in range(size))
    assert _core.utf8_invalid(bytearray(ascii_run)) == -1
    assert _core.utf8_invalid(bytearray(ascii_run + b"\xff")) == size
    assert _core.utf8_invalid(bytearray(ascii_run + "é".encode())) == -1
    assert _core.utf8_invalid(bytearray(ascii_run + b"\xc3")) == size
