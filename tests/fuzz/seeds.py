"""Write the committed seed corpora: small valid files and every crash case of issue 12.

    python -m tests.fuzz.seeds      # rewrites tests/fuzz/corpus/<target>/*

A seed's first byte picks the file name (and so the format) the target gives it;
see ``targets.SCAN_NAMES`` and friends.
"""

from __future__ import annotations

import gzip
import io
import json
import zipfile

import pyarrow as pa
import pyarrow.parquet as pq

from tests.detect.builders import har, har_entry, standard_log, warc
from tests.fuzz import hostile
from tests.fuzz.targets import CORPUS, SCAN_NAMES

LOG = ("\n".join(standard_log()) + "\n").encode()
WHAT_IF = b"""\
title: tabletop
residents: {GB: 412, DE: 97, US-CA: 230}
elements: [name, email]
cause: technical-error
became_aware_at: 2026-03-27T09:30:00Z
risk: risk
entity: {id: shop-uk, legal_name: Shop Ltd, country: GB}
"""
REGISTRY_CSV = (
    "customer_id,email,full_name,country,subdivision,entity,locale,phone\n"
    "c1,alice@example.com,Alice Smith,GB,,shop-uk,en_GB,020 7946 0018\n"
    "c2,bob@bücher.de,Bob Müller,DE,DE-BY,shop-de,de,\n"
).encode()


def _scan_prefix(name: str) -> bytes:
    ext = {".jsonl": "in.jsonl", ".har": "in.har", ".warc": "in.warc", ".zip": "in.zip"}
    for suffix, target in ext.items():
        if name.endswith(suffix):
            return bytes([SCAN_NAMES.index(target)])
    return bytes([SCAN_NAMES.index("in.gz")])


def _zip(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members.items():
            z.writestr(zipfile.ZipInfo(name, (2018, 11, 20, 10, 0, 0)), data)
    return buf.getvalue()


def _parquet(damaged: bool) -> bytes:
    rows = [
        {
            "customer_id": f"c{i}",
            "email": f"p{i}@example.com",
            "full_name": f"P {i}",
            "country": "GB",
            "entity": "shop-uk",
        }
        for i in range(20)
    ]
    buf = io.BytesIO()
    pq.write_table(pa.Table.from_pylist(rows), buf, row_group_size=5, compression="NONE")
    data = bytearray(buf.getvalue())
    if damaged:
        mid = len(data) // 2
        data[mid : mid + 32] = b"\xff" * 32
    return bytes(data)


def seeds() -> dict[str, dict[str, bytes]]:
    scanner = {
        "log.jsonl": bytes([0]) + LOG,
        "capture.har": bytes([1]) + har([har_entry("https://shop.example/account", LOG.decode())]),
        "capture.warc": bytes([2]) + warc([("https://shop.example/a", LOG.decode(), [])]),
        "logs.zip": bytes([3]) + _zip({"a.jsonl": LOG}),
        "log.jsonl.gz": bytes([6]) + gzip.compress(LOG, mtime=0),
        "page.txt": bytes([5]) + b"Contact alice@example.com or +44 20 7946 0018\n",
    }
    for name, build in hostile.SCANNER_CASES.items():
        scanner[f"crash-{name}"] = _scan_prefix(name) + build()
    scanner["crash-ts-yesterday.jsonl"] = bytes([0]) + hostile.jsonl_ts_yesterday()
    dump = {
        "combo.txt": b"\x00alice@example.com:hunter2\nbob@b\xc3\xbccher.de:pw\n",
        "doc.json": b"\x01" + json.dumps([{"mail": "alice@example.com", "pw": "x"}]).encode(),
        "dump.zip": b"\x02" + _zip({"list.csv": b"email,password\nalice@example.com,pw\n"}),
        "dump.gz": b"\x03" + gzip.compress(b"\xef\xbb\xbfemail\nalice@example.com\n", mtime=0),
        "crash-truncated.gz": b"\x03" + gzip.compress(b"a@x.example\n" * 2000, mtime=0)[:400],
    }
    for name, build in hostile.SCANNER_CASES.items():
        if name.endswith((".zip", ".gz")):
            dump[f"crash-{name}"] = (b"\x02" if name.endswith(".zip") else b"\x03") + build()
    registry = {
        "customers.csv": b"\x00" + REGISTRY_CSV,
        "semicolon.csv": b"\x00" + REGISTRY_CSV.replace(b",", b";"),
        "latin1-row.csv": b"\x00"
        + REGISTRY_CSV
        + "c3,r@example.com,Ren\xe9e,FR,,shop-fr,fr,\n".encode("latin-1"),
        "customers.jsonl": b"\x01"
        + json.dumps(
            {
                "customer_id": "c1",
                "email": "a@example.com",
                "full_name": "A",
                "country": "GB",
                "entity": "shop-uk",
                "phone": "0",
            }
        ).encode()
        + b"\n",
        "crash-phone-zero.csv": b"\x00" + REGISTRY_CSV.replace(b"020 7946 0018", b"0"),
        "crash-phone-5000.csv": b"\x00" + REGISTRY_CSV.replace(b"020 7946 0018", b"9" * 5000),
        "customers.parquet": b"\x02" + _parquet(False),
        "crash-damaged.parquet": b"\x02" + _parquet(True),
    }
    whatif = {
        "tabletop.yaml": WHAT_IF,
        "tabletop.json": json.dumps(
            {
                "residents": {"GB": 3},
                "elements": ["email"],
                "cause": "attack",
                "became_aware_at": "2026-03-27T09:30:00Z",
            }
        ).encode(),
        "crash-latin1.yaml": WHAT_IF.replace(b"tabletop", b"tabl\xe9top"),
        "crash-bad-date.yaml": WHAT_IF.replace(b"2026-03-27T09:30:00Z", b"2026-13-45"),
        "crash-numeric-key.yaml": WHAT_IF + b"1: 2\n",
        "crash-bool-key.yaml": WHAT_IF + b"true: yes\n",
        "crash-deep.yaml": b"residents: " + b"[" * 1200,
        "crash-deep.json": b"{" + b'"a":[' * 1200,
    }
    filler = b"".join(b"X-Pad-%d: %d\r\n" % (i, i) for i in range(120))
    tripwire = {
        "plain.eml": b"From: a@spam.example\r\nTo: x@canary.example\r\nSubject: hi\r\n\r\nbody\r\n",
        "encoded.eml": b"Subject: =?utf-8?q?f=C3=BCr_you?=\r\n\r\nbody\r\n",
        "crash-subject-after-100.eml": b"From: a@b.example\r\n"
        + filler
        + b"Subject: =?utf-8?b?a?=\r\n\r\nhi\r\n",
        "junk.eml": b"\x00\xff\xfe garbage\r\n"
        b"Content-Type: multipart/mixed; boundary=\r\n\r\n--\r\n",
    }
    return {
        "scanner": scanner,
        "dump": dump,
        "registry": registry,
        "whatif": whatif,
        "tripwire": tripwire,
    }


def main() -> None:
    for target, files in seeds().items():
        folder = CORPUS / target
        folder.mkdir(parents=True, exist_ok=True)
        for old in folder.iterdir():
            old.unlink()
        for name, data in files.items():
            (folder / name).write_bytes(data)
        print(f"{folder}: {len(files)} seeds")


if __name__ == "__main__":
    main()
