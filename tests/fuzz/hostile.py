"""Hostile inputs, one builder per crash the fuzzing found (issue 12); each is kept as a
regression case in the tests and as a seed of the fuzz corpora."""

from __future__ import annotations

import gzip
import io
import json
import lzma
import struct
import zipfile

from tests.detect.builders import account, log_line

ALICE = account("Alice Smith", "alice@example.com")


def hit_line(**overrides: object) -> bytes:
    """A response-log line showing c1's page to c3, with fields replaced."""
    rec = json.loads(log_line("2018-11-20T10:00:00+00:00", "c3", ALICE))
    rec.update(overrides)
    return json.dumps(rec).encode() + b"\n"


def jsonl_viewer_not_utf8() -> bytes:
    return hit_line().replace(b'"viewer": "c3"', b'"viewer": "c\xff3"')


def jsonl_epoch_400_digits() -> bytes:
    return hit_line().replace(b'"ts": "2018-11-20T10:00:00+00:00"', b'"ts": ' + b"9" * 400)


def jsonl_ts_yesterday() -> bytes:
    return hit_line(ts="yesterday")


def har_request_is_a_string() -> bytes:
    entry = {
        "startedDateTime": "2018-11-20T10:00:00Z",
        "request": "GET /account",
        "response": {"content": {"mimeType": "text/html", "text": ALICE}},
    }
    return json.dumps({"log": {"version": "1.2", "entries": [entry]}}).encode()


def warc_without_target_uri() -> bytes:
    http = (
        "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n"
        f"Content-Length: {len(ALICE.encode())}\r\n\r\n{ALICE}"
    ).encode()
    head = (
        "WARC/1.0\r\nWARC-Type: response\r\nWARC-Record-ID: <urn:uuid:1>\r\n"
        "WARC-Date: 2018-11-20T10:00:00Z\r\n"
        "Content-Type: application/http; msgtype=response\r\n"
        f"Content-Length: {len(http)}\r\n\r\n"
    ).encode()
    return head + http + b"\r\n\r\n"


def _zip(name: str, data: bytes, method: int = zipfile.ZIP_DEFLATED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", method) as z:
        z.writestr(zipfile.ZipInfo(name, (2018, 11, 20, 10, 0, 0)), data, compress_type=method)
    return buf.getvalue()


def zip_empty_member_name() -> bytes:
    return _zip("", hit_line())


def zip_utf8_flag_on_latin1_name() -> bytes:
    data = bytearray(_zip("cafX.jsonl", hit_line()))
    for sig in (b"PK\x03\x04", b"PK\x01\x02"):
        at = data.find(sig)
        flag_at = at + (6 if sig == b"PK\x03\x04" else 8)
        (flags,) = struct.unpack_from("<H", data, flag_at)
        struct.pack_into("<H", data, flag_at, flags | 0x800)
    return bytes(data).replace(b"cafX", b"caf\xe9")


def zip_damaged_version() -> bytes:
    data = bytearray(_zip("a.jsonl", hit_line()))
    for sig, offsets in ((b"PK\x03\x04", (4,)), (b"PK\x01\x02", (4, 6))):
        at = data.find(sig)
        for off in offsets:
            struct.pack_into("<H", data, at + off, 0xFFFF)
    return bytes(data)


def zip_corrupt_lzma_member() -> bytes:
    body = hit_line() * 200
    data = bytearray(_zip("a.jsonl", body, zipfile.ZIP_LZMA))
    start = data.find(b"a.jsonl") + len(b"a.jsonl") + 20
    data[start : start + 40] = b"\x00" * 40
    return bytes(data)


def zip_gz_truncated() -> bytes:
    packed = gzip.compress(_zip("a.jsonl", hit_line() * 50), mtime=0)
    return packed[: len(packed) // 2]


def zip_gz_crc_damaged() -> bytes:
    z = bytearray(_zip("a.jsonl", hit_line() * 50, zipfile.ZIP_STORED))
    mid = z.find(b"alice@example.com")
    z[mid : mid + 5] = b"XXXXX"  # stored bytes no longer match the member's CRC
    return gzip.compress(bytes(z), mtime=0)


def lzma_sanity() -> bool:
    return bool(lzma.compress(b"x"))


SCANNER_CASES = {
    "viewer-not-utf8.jsonl": jsonl_viewer_not_utf8,
    "epoch-400.jsonl": jsonl_epoch_400_digits,
    "request-string.har": har_request_is_a_string,
    "no-target-uri.warc": warc_without_target_uri,
    "empty-name.zip": zip_empty_member_name,
    "utf8-flag.zip": zip_utf8_flag_on_latin1_name,
    "bad-version.zip": zip_damaged_version,
    "bad-lzma.zip": zip_corrupt_lzma_member,
    "truncated.zip.gz": zip_gz_truncated,
    "crc.zip.gz": zip_gz_crc_damaged,
}
